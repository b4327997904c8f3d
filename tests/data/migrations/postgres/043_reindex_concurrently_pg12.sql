-- expect: safe
-- version: 12
REINDEX INDEX CONCURRENTLY orders_created_at_idx;
