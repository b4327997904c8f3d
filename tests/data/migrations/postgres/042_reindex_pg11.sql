-- expect: unsafe reindex-not-concurrently
-- version: 11
REINDEX INDEX orders_created_at_idx;
