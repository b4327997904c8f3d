-- expect: insert-without-column-list
-- engine: mysql
-- schema: s_shop.sql
INSERT INTO audit_log
SELECT email, 'signup', created_at FROM customers WHERE created_at >= '2024-01-01';
