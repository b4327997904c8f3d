-- expect: unsafe unbatched-backfill
-- transaction: tool
ALTER TABLE accounts ADD COLUMN region text;
UPDATE accounts SET region = 'eu';
