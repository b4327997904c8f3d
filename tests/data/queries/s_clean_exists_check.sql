-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT EXISTS (SELECT 1 FROM orders WHERE customer_id = ? AND status = 'paid') AS has_orders;
