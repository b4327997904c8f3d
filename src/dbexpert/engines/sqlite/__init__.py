"""The live SQLite engine: a read-only session over a database file."""

from dbexpert.engines.sqlite.connect import SqliteSession, StatementTimeout

__all__ = ["SqliteSession", "StatementTimeout"]
