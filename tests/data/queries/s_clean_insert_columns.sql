-- expect: clean
-- schema: s_shop.sql
INSERT INTO audit_log (actor, action, at) VALUES ('admin', 'login', now());
