-- expect: clean
-- engine: sqlite
SELECT id, sku, title FROM products WHERE sku LIKE 'ABC-%' ORDER BY sku;
