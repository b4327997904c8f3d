-- expect: clean
-- schema: shop.sql
SELECT id, total FROM orders WHERE created_at >= $1::date AND created_at < $1::date + 1 AND status = 'paid';
