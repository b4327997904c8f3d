-- expect: unsafe add-column-with-default-before-pg11
-- version: 10
SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN is_verified boolean NOT NULL DEFAULT false;
