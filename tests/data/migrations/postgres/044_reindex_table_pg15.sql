-- expect: unsafe reindex-not-concurrently
REINDEX TABLE orders;
