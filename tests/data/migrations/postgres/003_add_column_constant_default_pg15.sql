-- expect: safe
SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN is_verified boolean NOT NULL DEFAULT false;
