-- expect: unsafe set-not-null-scans-table
SET lock_timeout = '2s';
ALTER TABLE customers ALTER COLUMN email SET NOT NULL;
