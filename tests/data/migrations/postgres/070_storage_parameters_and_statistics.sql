-- expect: safe
SET lock_timeout = '2s';
ALTER TABLE events SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02);
ALTER TABLE events ALTER COLUMN kind SET STATISTICS 500;
