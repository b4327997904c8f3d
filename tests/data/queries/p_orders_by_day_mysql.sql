-- expect: non-sargable-predicate
-- engine: mysql
SELECT o.id, o.total FROM orders o WHERE DATE(o.created_at) = ? AND o.status = 'paid' ORDER BY o.id;
