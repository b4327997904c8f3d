-- expect: union-instead-of-union-all
-- schema: s_shop.sql
SELECT 'customer' AS kind, id, email FROM customers
UNION
SELECT 'supplier' AS kind, id, email FROM suppliers;
