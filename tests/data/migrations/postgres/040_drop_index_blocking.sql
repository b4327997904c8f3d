-- expect: unsafe drop-index-not-concurrently
DROP INDEX orders_legacy_idx;
