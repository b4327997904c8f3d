-- expect: safe
DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;
