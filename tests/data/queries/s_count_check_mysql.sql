-- expect: count-for-existence
-- engine: mysql
-- schema: s_shop.sql
SELECT COUNT(*) > 0 AS has_orders FROM orders WHERE customer_id = ? AND status = 'paid';
