-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT customer_id, count(*) AS n
FROM orders
GROUP BY customer_id
HAVING n > 3;
