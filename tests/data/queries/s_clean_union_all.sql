-- expect: clean
-- engine: sqlite
-- schema: s_shop.sql
SELECT 'customer' AS kind, id FROM customers
UNION ALL
SELECT 'supplier', id FROM suppliers;
