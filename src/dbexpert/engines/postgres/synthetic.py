"""Production-like rows for exact mode: every table filled on the server with ``generate_series``.

Values follow the column types; columns with a default, identity or generation expression are left
to the server, unless they are part of a key (a constant default would collide). Keys get distinct
values, foreign keys point at existing parent rows (parents are filled first), and CHECK
constraints are not parsed: a table whose rows they reject is reported and left as it is.
Each table is topped up to ``rows`` rows in one ``INSERT … SELECT … FROM generate_series``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbexpert.model import Catalog, Column, ForeignKey, Table, TypeKind

# Integer ranges, so generated numbers never overflow their column.
_INT_LIMITS = {TypeKind.SMALLINT: 32_000, TypeKind.INTEGER: 2_000_000_000}


@dataclass(frozen=True, slots=True)
class FillResult:
    rows: dict[str, int]  # qualified table name -> rows after filling
    notes: tuple[str, ...]  # tables that could not be filled, and why


def fill_tables(conn: psycopg.Connection, catalog: Catalog, rows: int) -> FillResult:
    """Top every table of ``catalog`` up to ``rows`` rows; ``conn`` is in autocommit mode."""
    counts: dict[str, int] = {}
    notes: list[str] = []
    for table in fill_order(catalog):
        name = table.qualified_name
        have = _count(conn, table)
        missing = rows - have
        # Partitions are filled through their parent, which routes each row.
        if missing > 0 and table.kind in ("table", "partitioned") and "partition_of" not in table.attrs:
            try:
                with conn.transaction():
                    conn.execute(insert_sql(table, catalog, have, missing))
            except psycopg.Error as exc:
                notes.append(f"table {name} not filled: {' '.join(str(exc).split())}")
            have = _count(conn, table)
        counts[name] = have
    if counts:
        conn.execute("ANALYZE")
    return FillResult(counts, tuple(notes))


def fill_order(catalog: Catalog) -> list[Table]:
    """Tables with the tables they reference first (cycles broken arbitrarily, self-references ignored)."""
    tables = {t.qualified_name: t for t in catalog.tables}
    done: list[Table] = []
    seen: set[str] = set()

    def visit(table: Table, path: frozenset[str]) -> None:
        if table.qualified_name in seen:
            return
        for fk in table.foreign_keys:
            parent = catalog.referenced_table(fk, table)
            if parent is not None and parent.qualified_name not in path | {table.qualified_name}:
                visit(parent, path | {table.qualified_name})
        if table.qualified_name not in seen:
            seen.add(table.qualified_name)
            done.append(table)

    for table in tables.values():
        visit(table, frozenset())
    return done


def _count(conn: psycopg.Connection, table: Table) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(_name(table))).fetchone()
    return int(_first(row))


def _first(row: Any) -> Any:
    if isinstance(row, dict):
        return next(iter(row.values()))
    assert isinstance(row, tuple | list)
    return row[0]


def _name(table: Table) -> sql.Composable:
    if table.schema:
        return sql.Identifier(table.schema, table.name)
    return sql.Identifier(table.name)


def insert_sql(table: Table, catalog: Catalog, offset: int, count: int) -> sql.Composed:
    """``INSERT INTO t (cols) SELECT exprs FROM generate_series(offset+1, offset+count) g [JOIN parents]``."""
    keyed = {c for cols in table.unique_column_sets() for c in cols}
    fk_columns: dict[str, sql.Composable] = {}
    joins: list[sql.Composable] = []
    for number, fk in enumerate(table.foreign_keys):
        parent = catalog.referenced_table(fk, table)
        if parent is None or parent.qualified_name == table.qualified_name:
            continue  # self-references stay NULL (or default)
        alias = f"p{number}"
        joins.append(_parent_join(fk, parent, alias, number))
        for child, ref in zip(fk.columns, fk.ref_columns, strict=False):
            fk_columns.setdefault(child, sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(ref)))
    names: list[sql.Composable] = []
    values: list[sql.Composable] = []
    for column in table.columns:
        if column.generated or column.identity == "always":
            continue
        if column.name in fk_columns:
            names.append(sql.Identifier(column.name))
            values.append(fk_columns[column.name])
            continue
        if column.default is not None or column.identity or column.autoincrement:
            if column.name not in keyed or "nextval(" in (column.default or "") or column.identity:
                continue
        if column.nullable and any(column.name in fk.columns for fk in table.foreign_keys):
            continue  # an unresolved (self-)reference: leave it NULL
        value = value_sql(column, unique=column.name in keyed)
        if value is None:
            continue
        names.append(sql.Identifier(column.name))
        values.append(value)
    # Every column left to its default: a zero-column SELECT inserts rows of defaults.
    target = sql.SQL(" ({})").format(sql.SQL(", ").join(names)) if names else sql.SQL("")
    return sql.SQL(
        "INSERT INTO {table}{names} SELECT {values} FROM generate_series({start}, {stop}) AS g{joins}"
        " ON CONFLICT DO NOTHING"
    ).format(
        table=_name(table),
        names=target,
        values=sql.SQL(", ").join(values),
        start=sql.Literal(offset + 1),
        stop=sql.Literal(offset + count),
        joins=sql.SQL("").join(joins),
    )


def _parent_join(fk: ForeignKey, parent: Table, alias: str, number: int) -> sql.Composable:
    """Child row g takes parent row 1 + (g + number) mod n, so children spread over all parents."""
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in fk.ref_columns)
    not_null = sql.SQL(" AND ").join(
        sql.SQL("{} IS NOT NULL").format(sql.Identifier(c)) for c in fk.ref_columns
    )
    return sql.SQL(
        " JOIN (SELECT {columns}, row_number() OVER () AS rn, count(*) OVER () AS n FROM {parent}"
        " WHERE {not_null}) AS {alias} ON {alias}.rn = 1 + (g + {number}) % {alias}.n"
    ).format(
        columns=columns,
        parent=_name(parent),
        not_null=not_null,
        alias=sql.Identifier(alias),
        number=sql.Literal(number),
    )


def value_sql(column: Column, *, unique: bool) -> sql.Composable | None:
    """An expression of ``g`` with a value of the column's type; None when we cannot make one."""
    kind = column.kind
    text: str | None
    if kind in _INT_LIMITS:
        text = f"(g % {_INT_LIMITS[kind]})"
    elif kind is TypeKind.BIGINT:
        text = "g"
    elif kind is TypeKind.NUMERIC:
        whole = (column.precision or 12) - (column.scale or 0)
        text = f"((g % {10 ** min(whole, 9)}) + 0.25)" if whole > 0 else "0.25"
        if column.scale == 0:
            text = f"(g % {10 ** min(whole, 9)})"
    elif kind is TypeKind.FLOAT:
        text = "(g * 1.5)"
    elif kind is TypeKind.MONEY:
        text = "((g % 100000)::numeric / 100)"
    elif kind is TypeKind.BOOLEAN:
        text = "(g % 2 = 0)"
    elif kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT):
        text = "(g::text || '-' || md5(g::text))" if unique else "md5(g::text)"
        if column.length:
            text = f"left({text}, {column.length})"
    elif kind is TypeKind.UUID:
        text = "md5('dbexpert' || g::text)::uuid"
    elif kind is TypeKind.BINARY:
        text = "decode(md5(g::text), 'hex')"
    elif kind is TypeKind.DATE:
        text = "(date '2000-01-01' + (g % 2000000))"
    elif kind is TypeKind.TIME:
        text = "(time '00:00' + (g % 86400) * interval '1 second')"
    elif kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        text = "(timestamp '2020-01-01' + g * interval '1 minute')"
    elif kind is TypeKind.INTERVAL:
        text = "(g * interval '1 second')"
    elif kind in (TypeKind.JSON, TypeKind.JSONB):
        text = "jsonb_build_object('n', g)"
    elif kind is TypeKind.ENUM:
        text = (
            f"(enum_range(NULL::{column.raw_type}))[1 + g % cardinality(enum_range(NULL::{column.raw_type}))]"
        )
    elif kind is TypeKind.ARRAY:
        text = "'{}'"
    else:
        return None if column.nullable else sql.SQL("NULL")
    # The type text comes from the server's own format_type(), so it is valid SQL as is.
    return sql.SQL(f"({text})::{column.raw_type}")
