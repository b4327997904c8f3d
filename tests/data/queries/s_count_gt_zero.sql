-- expect: count-for-existence
-- schema: s_shop.sql
SELECT c.id, c.email
FROM customers c
WHERE (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'open') > 0;
