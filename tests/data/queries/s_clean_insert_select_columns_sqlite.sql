-- expect: clean
-- engine: sqlite
-- schema: s_shop.sql
INSERT INTO audit_log (actor, action, at)
SELECT email, 'signup', created_at FROM customers;
