-- expect: unsafe concurrently-in-transaction
-- version: 14
-- transaction: tool
REINDEX INDEX CONCURRENTLY orders_created_at_idx;
