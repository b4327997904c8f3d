-- expect: or-across-columns
-- engine: mysql
SELECT s.id, o.id AS order_id
FROM shipments s
JOIN orders o ON o.id = s.order_id OR o.tracking_code = s.tracking_code
WHERE s.created_at > ?;
