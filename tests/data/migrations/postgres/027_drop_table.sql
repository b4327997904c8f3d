-- expect: unsafe drop-table
DROP TABLE IF EXISTS old_sessions;
