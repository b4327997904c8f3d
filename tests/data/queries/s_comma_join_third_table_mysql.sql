-- expect: implicit-cross-join
-- engine: mysql
-- schema: s_shop.sql
SELECT c.email, o.total, s.name
FROM customers c, orders o, suppliers s
WHERE o.customer_id = c.id AND o.total > 100;
