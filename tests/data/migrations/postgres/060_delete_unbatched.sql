-- expect: unsafe unbatched-backfill
DELETE FROM notifications WHERE created_at < now() - interval '90 days';
