-- expect: between-timestamps
-- engine: mysql
SELECT o.id, o.total FROM orders o
WHERE o.created_at BETWEEN '2024-03-01 00:00:00' AND '2024-03-31 23:59:59'
ORDER BY o.created_at;
