-- expect: clean
-- schema: s_shop.sql
SELECT DISTINCT c.region, o.status
FROM customers c
JOIN orders o ON o.customer_id = c.id;
