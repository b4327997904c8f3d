-- expect: clean
-- engine: sqlite
-- schema: s_shop.sql
SELECT id, status FROM orders WHERE status = 'open' ORDER BY created_at DESC, id DESC LIMIT 50;
