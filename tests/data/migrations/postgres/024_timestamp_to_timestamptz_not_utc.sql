-- expect: unsafe alter-column-type-rewrite
ALTER TABLE sessions ALTER COLUMN expires_at TYPE timestamptz;
