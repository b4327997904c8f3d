-- expect: unsafe truncate-table
TRUNCATE TABLE search_cache;
