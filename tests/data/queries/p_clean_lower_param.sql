-- expect: clean
-- schema: shop.sql
SELECT id, name FROM customers WHERE email = lower($1) LIMIT 1;
