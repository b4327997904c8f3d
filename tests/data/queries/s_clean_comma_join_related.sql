-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT c.email, o.total
FROM customers c, orders o
WHERE o.customer_id = c.id AND o.status = 'paid';
