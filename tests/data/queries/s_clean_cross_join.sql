-- expect: clean
-- schema: s_shop.sql
SELECT c.id, s.id
FROM customers c
CROSS JOIN suppliers s
WHERE c.region = 'eu';
