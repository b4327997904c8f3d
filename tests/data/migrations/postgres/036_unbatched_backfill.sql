-- expect: unsafe unbatched-backfill
UPDATE accounts SET plan = 'free' WHERE plan IS NULL;
