"""Code rules: N+1 queries in application code, with the fix in the ORM's own terms."""
