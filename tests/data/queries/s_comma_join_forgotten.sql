-- expect: implicit-cross-join
-- schema: s_shop.sql
SELECT c.email, o.total
FROM customers c, orders o
WHERE c.region = 'eu' AND o.status = 'paid';
