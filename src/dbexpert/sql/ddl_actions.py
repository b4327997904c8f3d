"""The one entry point from a parsed statement to its DDL actions, whatever the dialect."""

from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.sql.ddl import Action
from dbexpert.sql.ddl_postgres import postgres_actions
from dbexpert.sql.parse import Statement


def ddl_actions(statement: Statement) -> list[Action]:
    """The schema changes ``statement`` makes, in order; empty for statements that change no schema."""
    if statement.tree is None:
        return []
    if statement.engine is Engine.POSTGRES:
        return postgres_actions(statement)
    from dbexpert.sql.ddl_glot import glot_actions  # sqlglot is slow to import: only when needed

    return glot_actions(statement)
