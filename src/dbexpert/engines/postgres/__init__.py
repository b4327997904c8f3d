"""The live PostgreSQL engine (12 and later): a read-only session, catalog introspection and probes."""

from dbexpert.engines.postgres.connect import PostgresSession
from dbexpert.engines.postgres.probe import PostgresProbe

__all__ = ["PostgresProbe", "PostgresSession"]
