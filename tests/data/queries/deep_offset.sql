-- expect: offset-pagination
-- schema: shop.sql
SELECT id, total FROM orders ORDER BY id LIMIT 50 OFFSET 20000;
