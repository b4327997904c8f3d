-- expect: clean
-- schema: s_shop.sql
SELECT id FROM orders WHERE customer_id = $1 AND status = 'open' LIMIT 1;
