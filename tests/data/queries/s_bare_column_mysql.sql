-- expect: non-aggregated-group-by-column
-- engine: mysql
-- schema: s_shop.sql
SELECT customer_id, status, sum(total) AS spent
FROM orders
GROUP BY customer_id;
