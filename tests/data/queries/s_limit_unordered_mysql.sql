-- expect: limit-without-order-by
-- engine: mysql
-- schema: s_shop.sql
SELECT id, email FROM customers WHERE region = ? LIMIT 100;
