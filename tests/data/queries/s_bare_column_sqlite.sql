-- expect: non-aggregated-group-by-column
-- engine: sqlite
-- schema: s_shop.sql
SELECT region, name, count(*)
FROM customers
GROUP BY region;
