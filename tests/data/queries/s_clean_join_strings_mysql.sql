-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT c.id, s.id
FROM customers c
JOIN suppliers s ON s.email = c.email;
