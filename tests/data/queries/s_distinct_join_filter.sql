-- expect: distinct-hides-join-fanout
-- schema: s_shop.sql
SELECT DISTINCT c.id, c.email
FROM customers c
JOIN orders o ON o.customer_id = c.id
WHERE o.status = 'open';
