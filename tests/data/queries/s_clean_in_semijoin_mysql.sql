-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT id, name FROM customers
WHERE region = 'us' AND id IN (SELECT customer_id FROM orders WHERE total > 500);
