"""A minimal Django app whose models the runtime guard tests query."""
