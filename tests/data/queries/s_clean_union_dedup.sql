-- expect: clean
-- schema: s_shop.sql
SELECT email FROM customers
UNION
SELECT email FROM suppliers;
