"""What each engine creates on its own when DDL declares a key, so static catalogs match live ones.

PostgreSQL names constraints ``<table>_pkey``, ``<table>_<cols>_key`` and ``<table>_<cols>_fkey``
and backs PRIMARY KEY and UNIQUE with an index of the same name. MySQL/InnoDB names the primary
key index ``PRIMARY``, names unnamed keys after their first column, and adds an index for a
foreign key that no index already leads with. SQLite backs PRIMARY KEY (except a rowid alias)
and UNIQUE with ``sqlite_autoindex_<table>_<n>`` indexes.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence

from dbexpert.model import Engine, Index

MYSQL_PRIMARY = "PRIMARY"
SEQUENCE_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
SERIAL_TYPES = {
    "smallserial": "smallint",
    "serial2": "smallint",
    "serial": "integer",
    "serial4": "integer",
    "bigserial": "bigint",
    "serial8": "bigint",
}
DEFAULT_SCHEMA = {Engine.POSTGRES: "public", Engine.MYSQL: None, Engine.SQLITE: "main"}


def unique_name(wanted: str, taken: Iterable[str]) -> str:
    """``wanted``, or ``wanted_2``, ``wanted_3``… if that is taken (MySQL's rule for key names)."""
    names = {name.lower() for name in taken}
    if wanted.lower() not in names:
        return wanted
    n = 2
    while f"{wanted}_{n}".lower() in names:
        n += 1
    return f"{wanted}_{n}"


def postgres_constraint_name(table: str, columns: Sequence[str], suffix: str, taken: Container[str]) -> str:
    """PostgreSQL's ChooseConstraintName: ``<table>_<cols>_<suffix>`` then a number until free."""
    base = "_".join([table, *columns, suffix]) if columns else f"{table}_{suffix}"
    names = taken
    if base not in names:
        return base
    n = 1
    stem = base.removesuffix(f"_{suffix}")
    while f"{stem}_{suffix}{n}" in names:
        n += 1
    return f"{stem}_{suffix}{n}"


def mysql_needs_fk_index(columns: Sequence[str], indexes: Iterable[Index]) -> bool:
    """InnoDB needs an index whose leading columns are the foreign key's columns, in order."""
    wanted = [c.lower() for c in columns]
    for index in indexes:
        keys = [k.column.lower() if k.column else "" for k in index.keys]
        if keys[: len(wanted)] == wanted:
            return False
    return True


def sqlite_autoindex_name(table: str, indexes: Iterable[Index]) -> str:
    used = sum(1 for index in indexes if index.name.startswith("sqlite_autoindex_"))
    return f"sqlite_autoindex_{table}_{used + 1}"
