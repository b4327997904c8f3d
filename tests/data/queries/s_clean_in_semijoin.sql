-- expect: clean
-- schema: s_shop.sql
SELECT c.id, c.email
FROM customers c
WHERE c.id IN (SELECT o.customer_id FROM orders o WHERE o.status = 'open');
