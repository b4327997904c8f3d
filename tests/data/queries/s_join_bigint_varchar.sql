-- expect: join-key-type-mismatch
-- schema: s_shop.sql
SELECT e.id, e.kind
FROM events e
JOIN customers c ON c.id = e.customer_ref
WHERE c.email = 'a@example.com';
