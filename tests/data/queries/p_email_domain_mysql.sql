-- expect: leading-wildcard-like
-- engine: mysql
SELECT count(*) FROM customers WHERE email LIKE '%@gmail.com' AND created_at > NOW() - INTERVAL 30 DAY;
