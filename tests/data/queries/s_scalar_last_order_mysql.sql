-- expect: correlated-scalar-subquery
-- engine: mysql
-- schema: s_shop.sql
SELECT c.id, c.name,
       (SELECT max(o.created_at) FROM orders o WHERE o.customer_id = c.id) AS last_order_at
FROM customers c
ORDER BY c.id;
