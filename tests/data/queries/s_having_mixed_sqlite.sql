-- expect: having-without-aggregate
-- engine: sqlite
-- schema: s_shop.sql
SELECT customer_id, count(*) AS n
FROM orders
GROUP BY customer_id
HAVING count(*) > 5 AND customer_id > 1000;
