-- expect: unsafe drop-column, mysql-alter-rebuilds-table
-- version: 8.0.28
ALTER TABLE users DROP COLUMN legacy_token;
