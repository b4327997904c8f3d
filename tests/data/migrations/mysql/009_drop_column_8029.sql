-- expect: unsafe drop-column
-- version: 8.0.29
ALTER TABLE users DROP COLUMN legacy_token;
