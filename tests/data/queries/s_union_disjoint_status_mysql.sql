-- expect: union-instead-of-union-all
-- engine: mysql
-- schema: s_shop.sql
SELECT id, total FROM orders WHERE status = 'paid'
UNION
SELECT id, total FROM orders WHERE status = 'refunded';
