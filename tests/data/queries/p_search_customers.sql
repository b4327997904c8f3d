-- expect: leading-wildcard-like
SELECT id, name, email FROM customers WHERE name ILIKE '%' || $1 || '%' ORDER BY name LIMIT 20;
