-- expect: select-star
-- schema: shop.sql
SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20;
