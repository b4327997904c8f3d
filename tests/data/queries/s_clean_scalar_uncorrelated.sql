-- expect: clean
-- schema: s_shop.sql
SELECT c.id, c.email, (SELECT count(*) FROM suppliers) AS supplier_count
FROM customers c
WHERE c.id = $1;
