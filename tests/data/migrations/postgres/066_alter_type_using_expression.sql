-- expect: unsafe alter-column-type-rewrite
SET lock_timeout = '2s';
ALTER TABLE products ALTER COLUMN price TYPE integer USING (price * 100)::integer;
