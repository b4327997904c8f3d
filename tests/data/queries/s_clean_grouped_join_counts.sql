-- expect: clean
-- engine: sqlite
-- schema: s_shop.sql
SELECT c.id, count(o.id) AS orders
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id
GROUP BY c.id;
