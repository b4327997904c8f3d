-- expect: non-sargable-predicate
-- schema: shop.sql
SELECT id, name FROM customers WHERE lower(email) = lower($1) LIMIT 1;
