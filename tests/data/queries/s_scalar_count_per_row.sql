-- expect: correlated-scalar-subquery
-- schema: s_shop.sql
SELECT c.id, c.email,
       (SELECT count(*) FROM orders o WHERE o.customer_id = c.id AND o.status = 'paid') AS paid_orders
FROM customers c
WHERE c.region = 'eu';
