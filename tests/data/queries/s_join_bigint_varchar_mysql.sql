-- expect: join-key-type-mismatch
-- engine: mysql
-- schema: s_shop.sql
SELECT e.id, c.email
FROM customers c
INNER JOIN events e ON e.customer_ref = c.id
WHERE e.kind = 'login';
