-- expect: clean
SELECT id, name FROM customers WHERE name LIKE $1 || '%' ORDER BY name LIMIT 20;
