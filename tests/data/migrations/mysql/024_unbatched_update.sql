-- expect: unsafe unbatched-backfill
UPDATE users SET locale = 'en' WHERE locale IS NULL;
