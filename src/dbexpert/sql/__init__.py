"""The one adapter over the SQL parsers (pglast for PostgreSQL, sqlglot for the other dialects)."""
