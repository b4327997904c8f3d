-- expect: insert-without-column-list
-- schema: s_shop.sql
INSERT INTO audit_log VALUES ('admin', 'login', now());
