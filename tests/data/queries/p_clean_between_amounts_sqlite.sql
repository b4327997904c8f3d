-- expect: clean
-- engine: sqlite
SELECT id, total FROM orders WHERE total BETWEEN 100 AND 500 ORDER BY total DESC LIMIT 50;
