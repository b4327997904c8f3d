-- expect: clean
-- schema: s_shop.sql
SELECT customer_id, sum(total) AS spent
FROM orders
WHERE status = 'paid'
GROUP BY customer_id
HAVING sum(total) > 1000;
