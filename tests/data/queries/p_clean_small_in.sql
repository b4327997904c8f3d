-- expect: clean
-- engine: mysql
SELECT id, total FROM orders WHERE status IN ('new', 'paid', 'shipped') AND customer_id = ?;
