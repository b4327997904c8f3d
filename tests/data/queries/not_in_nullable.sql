-- expect: not-in-subquery
-- schema: shop.sql
SELECT id, email FROM customers WHERE email NOT IN (SELECT coupon_code FROM orders);
