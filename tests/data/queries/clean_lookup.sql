-- expect: clean
-- schema: shop.sql
SELECT o.id, o.total, c.email
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE o.customer_id = 42 AND o.created_at >= now() - interval '30 days'
ORDER BY o.created_at DESC
LIMIT 20;
