-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT customer_id, ANY_VALUE(status) AS some_status, max(total)
FROM orders
GROUP BY customer_id;
