-- expect: having-without-aggregate
-- schema: s_shop.sql
SELECT status, sum(total) AS revenue
FROM orders
GROUP BY status
HAVING status <> 'cancelled';
