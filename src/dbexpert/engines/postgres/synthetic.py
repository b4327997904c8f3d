"""Production-like rows for exact mode: every table filled on the server with ``generate_series``.

Values follow the column types; columns with a default, identity or generation expression are left
to the server, unless they are part of a key (a constant default would collide). Keys get distinct
values, foreign keys point at existing parent rows (parents are filled first), and CHECK
constraints are not parsed: a table whose rows they reject is reported and left as it is.
Each table is topped up to ``rows`` rows in one ``INSERT … SELECT … FROM generate_series``.

Given the catalog of a production-like source database, tables and columns found in both imitate
its statistics: the row count is the source's row estimate (capped by ``rows``), and a column gets
the source's fraction of NULLs, its number of distinct values (values are generated modulo that
count) and its most common values, drawn with their frequencies. Each row draws from a hash of
its number and the column's position, so a fill is reproducible and stays on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dbexpert.engines.synthetic import fill_order, source_table, target_rows
from dbexpert.model import Catalog, Column, ForeignKey, Table, TypeKind
from dbexpert.model.catalog import ColumnStats

# Integer ranges, so generated numbers never overflow their column.
_INT_LIMITS = {TypeKind.SMALLINT: 32_000, TypeKind.INTEGER: 2_000_000_000}


@dataclass(frozen=True, slots=True)
class FillResult:
    rows: dict[str, int]  # qualified table name -> rows after filling
    notes: tuple[str, ...]  # tables that could not be filled, and why


def fill_tables(
    conn: psycopg.Connection, catalog: Catalog, rows: int, source: Catalog | None = None
) -> FillResult:
    """Top every table of ``catalog`` up to ``rows`` rows; ``conn`` is in autocommit mode.

    With ``source``, a table also in it is topped up to the source's row estimate (``rows`` is then
    the cap) and its columns imitate the source's column statistics.
    """
    counts: dict[str, int] = {}
    notes: list[str] = []
    for table in fill_order(catalog):
        name = table.qualified_name
        imitated = source_table(source, table)
        have = _count(conn, table)
        missing = target_rows(imitated, rows) - have
        # Partitions are filled through their parent, which routes each row.
        if missing > 0 and table.kind in ("table", "partitioned") and "partition_of" not in table.attrs:
            try:
                with conn.transaction():
                    conn.execute(insert_sql(table, catalog, have, missing, imitated))
            except psycopg.Error as exc:
                if imitated is None:
                    notes.append(f"table {name} not filled: {' '.join(str(exc).split())}")
                else:  # the source's values may not fit the migrated column: fill without them
                    try:
                        with conn.transaction():
                            conn.execute(insert_sql(table, catalog, have, missing))
                        notes.append(
                            f"table {name}: source statistics not usable: {' '.join(str(exc).split())}"
                        )
                    except psycopg.Error as again:
                        notes.append(f"table {name} not filled: {' '.join(str(again).split())}")
            have = _count(conn, table)
        counts[name] = have
    if counts:
        conn.execute("ANALYZE")
    return FillResult(counts, tuple(notes))


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


def insert_sql(
    table: Table, catalog: Catalog, offset: int, count: int, imitated: Table | None = None
) -> sql.Composed:
    """``INSERT INTO t (cols) SELECT exprs FROM generate_series(offset+1, offset+count) g [JOIN parents]``.

    Columns of ``imitated`` (the same table in a source database) lend their statistics.
    """
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
    for position, column in enumerate(table.columns):
        if column.generated or column.identity == "always":
            continue
        if column.name in fk_columns:
            names.append(sql.Identifier(column.name))
            values.append(fk_columns[column.name])
            continue
        stats = _usable_stats(imitated, column, keyed)
        if column.default is not None or column.identity or column.autoincrement:
            sequenced = "nextval(" in (column.default or "") or column.identity or column.autoincrement
            if sequenced or (column.name not in keyed and stats is None):
                continue
        if column.nullable and any(column.name in fk.columns for fk in table.foreign_keys):
            continue  # an unresolved (self-)reference: leave it NULL
        if stats is not None:
            value = imitated_sql(column, stats, position)
        else:
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


def _usable_stats(imitated: Table | None, column: Column, keyed: set[str]) -> ColumnStats | None:
    """The source's statistics for ``column``, unless it is a key (keys stay distinct) or has none."""
    if imitated is None or column.name in keyed:
        return None
    source = imitated.column(column.name)
    stats = source.stats if source is not None else None
    if stats is None or (
        stats.null_fraction is None and stats.distinct is None and not stats.most_common_values
    ):
        return None
    return stats


def _uniform(g: str, seed: int) -> str:
    """A number in [0, 1) drawn from a hash of row ``g``: the same for every use in a row."""
    return f"((hashint8extended({g}, {seed}) & 1048575)::float8 / 1048576)"


def imitated_sql(column: Column, stats: ColumnStats, position: int) -> sql.Composable | None:
    """A value of ``column`` with the NULL fraction, distinct count and most common values of ``stats``."""
    null_fraction = (stats.null_fraction or 0.0) if column.nullable else 0.0
    values = stats.most_common_values[: len(stats.most_common_freqs)]
    freqs = stats.most_common_freqs[: len(values)]
    distinct = round(stats.distinct) if stats.distinct and stats.distinct > 0 else None
    others = None if distinct is None else max(1, distinct - len(values))
    base = value_sql(column, unique=False, g=f"(1 + g % {others})" if others is not None else "g")
    if base is None:
        return None
    draw = sql.SQL(_uniform("g", 2 * position + 1))
    value: sql.Composable = base
    if values:
        covered = distinct is not None and len(values) >= distinct
        non_null = max(1.0 - null_fraction, 1e-9)
        whens: list[sql.Composable] = []
        cumulative = 0.0
        for number, (text, freq) in enumerate(zip(values, freqs, strict=True)):
            literal = sql.SQL("{}::{}").format(sql.Literal(text), sql.SQL(column.raw_type))
            if covered and number == len(values) - 1:
                value = literal  # every value is a common one: the last takes what is left
                break
            cumulative += freq / non_null
            whens.append(sql.SQL(" WHEN {} < {} THEN {}").format(draw, sql.Literal(cumulative), literal))
        if whens:
            value = sql.SQL("(CASE{} ELSE {} END)").format(sql.SQL("").join(whens), value)
    if null_fraction > 0:
        value = sql.SQL("(CASE WHEN {} < {} THEN NULL ELSE {} END)").format(
            sql.SQL(_uniform("g", 2 * position)), sql.Literal(null_fraction), value
        )
    return value


def value_sql(column: Column, *, unique: bool, g: str = "g") -> sql.Composable | None:
    """An expression of ``g`` with a value of the column's type; None when we cannot make one."""
    kind = column.kind
    text: str | None
    if kind in _INT_LIMITS:
        text = f"({g} % {_INT_LIMITS[kind]})"
    elif kind is TypeKind.BIGINT:
        text = g
    elif kind is TypeKind.NUMERIC:
        whole = (column.precision or 12) - (column.scale or 0)
        text = f"(({g} % {10 ** min(whole, 9)}) + 0.25)" if whole > 0 else "0.25"
        if column.scale == 0:
            text = f"({g} % {10 ** min(whole, 9)})"
    elif kind is TypeKind.FLOAT:
        text = f"({g} * 1.5)"
    elif kind is TypeKind.MONEY:
        text = f"(({g} % 100000)::numeric / 100)"
    elif kind is TypeKind.BOOLEAN:
        text = f"({g} % 2 = 0)"
    elif kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT):
        text = f"({g}::text || '-' || md5({g}::text))" if unique else f"md5({g}::text)"
        if column.length:
            text = f"left({text}, {column.length})"
    elif kind is TypeKind.UUID:
        text = f"md5('dbexpert' || {g}::text)::uuid"
    elif kind is TypeKind.BINARY:
        text = f"decode(md5({g}::text), 'hex')"
    elif kind is TypeKind.DATE:
        text = f"(date '2000-01-01' + ({g} % 2000000))"
    elif kind is TypeKind.TIME:
        text = f"(time '00:00' + ({g} % 86400) * interval '1 second')"
    elif kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        text = f"(timestamp '2020-01-01' + {g} * interval '1 minute')"
    elif kind is TypeKind.INTERVAL:
        text = f"({g} * interval '1 second')"
    elif kind in (TypeKind.JSON, TypeKind.JSONB):
        text = f"jsonb_build_object('n', {g})"
    elif kind is TypeKind.ENUM:
        text = f"(enum_range(NULL::{column.raw_type}))[1 + {g} % cardinality(enum_range(NULL::{column.raw_type}))]"
    elif kind is TypeKind.ARRAY:
        text = "'{}'"
    else:
        return None if column.nullable else sql.SQL("NULL")
    # The type text comes from the server's own format_type(), so it is valid SQL as is.
    return sql.SQL(f"({text})::{column.raw_type}")
