-- expect: unsafe alter-column-type-rewrite
SET lock_timeout = '2s';
ALTER TABLE events ALTER COLUMN id TYPE bigint;
