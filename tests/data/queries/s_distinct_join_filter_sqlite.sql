-- expect: distinct-hides-join-fanout
-- engine: sqlite
-- schema: s_shop.sql
SELECT DISTINCT c.name, c.region
FROM orders o
INNER JOIN customers c ON c.id = o.customer_id
WHERE o.total > 100;
