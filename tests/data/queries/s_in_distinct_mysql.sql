-- expect: in-subquery
-- engine: mysql
-- schema: s_shop.sql
SELECT id, email FROM customers
WHERE id IN (SELECT DISTINCT customer_id FROM orders WHERE status = 'refunded');
