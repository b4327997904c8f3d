-- expect: clean
-- engine: mysql
-- schema: s_shop.sql
SELECT DISTINCT region FROM customers WHERE created_at >= '2024-01-01';
