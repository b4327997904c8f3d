-- expect: unsafe full-table-rewrite
CLUSTER events USING events_created_at_idx;
