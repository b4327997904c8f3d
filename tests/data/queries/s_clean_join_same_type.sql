-- expect: clean
-- schema: s_shop.sql
SELECT o.id, c.email
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE o.status = 'open';
