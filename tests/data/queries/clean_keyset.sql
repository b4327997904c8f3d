-- expect: clean
-- schema: shop.sql
SELECT id, total FROM orders WHERE id > 20000 ORDER BY id LIMIT 50;
