-- expect: non-sargable-predicate
-- engine: sqlite
SELECT strftime('%m', created_at) AS month, sum(total) AS revenue
FROM orders
WHERE strftime('%Y', created_at) = '2024'
GROUP BY strftime('%m', created_at);
