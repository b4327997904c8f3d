-- expect: safe
-- version: 11
SET lock_timeout = '2s';
ALTER TABLE accounts ADD COLUMN locale text NOT NULL DEFAULT 'en';
