-- expect: in-subquery
-- schema: s_shop.sql
SELECT c.id, c.email
FROM customers c
WHERE c.region = 'eu'
   OR c.id IN (SELECT o.customer_id FROM orders o WHERE o.total > 1000);
