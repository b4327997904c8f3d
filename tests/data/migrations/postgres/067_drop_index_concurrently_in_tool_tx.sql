-- expect: unsafe concurrently-in-transaction
-- transaction: tool
DROP INDEX CONCURRENTLY IF EXISTS orders_legacy_idx;
