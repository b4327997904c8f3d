-- expect: clean
-- schema: s_shop.sql
SELECT c.id
FROM customers c
WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) > 10;
