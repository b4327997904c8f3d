"""Request rules: patterns across the statements of one request, transaction or session of a
workload (N+1 queries, per-row inserts, duplicate queries)."""
