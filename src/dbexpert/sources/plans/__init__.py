"""Saved query plans -> :class:`dbexpert.model.plan.Plan`, whichever engine printed them.

``parse_plan`` tells the engine from the text (or takes it from the caller) and hands the text to
that engine's reader: PostgreSQL JSON and text (``postgres``), MySQL/MariaDB JSON and TREE
(``mysql``), SQLite EXPLAIN QUERY PLAN (``sqlite``), MongoDB explain() JSON (``mongodb``).
"""

from __future__ import annotations

from dbexpert.model import Engine, InputError
from dbexpert.model.plan import Plan
from dbexpert.sources.plans.sniff import sniff_engine

__all__ = ["parse_plan", "sniff_engine"]


def parse_plan(text: str, path: str = "<stdin>", engine: Engine | None = None) -> Plan:
    """Parse a saved plan; ``engine`` forces the reader, otherwise it is told from the text."""
    engine = engine or sniff_engine(text)
    if engine is Engine.POSTGRES:
        from dbexpert.sources.plans.postgres import parse_postgres_plan

        return parse_postgres_plan(text, path)
    if engine is Engine.MYSQL:
        from dbexpert.sources.plans.mysql import parse_mysql_plan

        return parse_mysql_plan(text, path)
    if engine is Engine.SQLITE:
        from dbexpert.sources.plans.sqlite import parse_sqlite_plan

        return parse_sqlite_plan(text, path)
    if engine is Engine.MONGODB:
        from dbexpert.sources.plans.mongodb import parse_mongodb_plan

        return parse_mongodb_plan(text, path)
    raise InputError(f"{path}:1:1: no plan reader for {engine} (postgres, mysql, sqlite, mongodb)")
