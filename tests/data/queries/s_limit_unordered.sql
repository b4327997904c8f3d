-- expect: limit-without-order-by
-- schema: s_shop.sql
SELECT id, status, total
FROM orders
WHERE status = 'open'
LIMIT 50;
