-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT c.id, c.email, count(o.id) AS orders
FROM customers c
JOIN orders o ON o.customer_id = c.id
GROUP BY c.id;
