"""SQLite introspection rows -> the neutral :class:`Catalog`. Pure: no connection, tested on captured rows.

The row classes mirror the columns of the queries in :mod:`dbexpert.engines.sqlite.queries`, in
order, so a cursor row maps with ``ColumnRow(*row)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from dbexpert.engines.sqlite.ddl_text import TableText, parse_create_index, parse_create_table, view_query
from dbexpert.model import (
    Catalog,
    CheckConstraint,
    Column,
    ColumnStats,
    Engine,
    ForeignKey,
    Index,
    IndexKey,
    IndexStats,
    PrimaryKey,
    StatsSource,
    Table,
    TableStats,
    UniqueConstraint,
    Version,
    View,
)
from dbexpert.model.types import normalize_type

SCHEMA = "main"
EXPRESSION_PLACEHOLDER = "<expression>"
_CID_EXPRESSION = -2
_HIDDEN_GENERATED = {2: "virtual", 3: "stored"}
_SETTINGS = (
    "journal_mode",
    "foreign_keys",
    "page_size",
    "page_count",
    "freelist_count",
    "auto_vacuum",
    "user_version",
    "encoding",
)


@dataclass(frozen=True, slots=True)
class SchemaObjectRow:
    type: str  # "table" | "index" | "view" | "trigger"
    name: str
    tbl_name: str
    sql: str | None


@dataclass(frozen=True, slots=True)
class ColumnRow:
    table: str
    cid: int
    name: str
    type: str
    notnull: int
    default: str | None
    pk: int  # position in the primary key, 0 when not part of it
    hidden: int  # 0 plain, 1 hidden (virtual tables), 2 generated virtual, 3 generated stored


@dataclass(frozen=True, slots=True)
class ForeignKeyRow:
    table: str
    id: int
    seq: int
    ref_table: str
    column: str
    ref_column: str | None  # None when REFERENCES names no columns: the parent's primary key
    on_update: str
    on_delete: str
    match: str


@dataclass(frozen=True, slots=True)
class IndexColumnRow:
    table: str
    index: str
    unique: int
    origin: str  # "pk" | "u" (UNIQUE constraint) | "c" (CREATE INDEX)
    partial: int
    seqno: int
    cid: int  # -2 for an expression
    column: str | None
    desc: int
    collation: str | None


@dataclass(frozen=True, slots=True)
class StatRow:
    table: str
    index: str | None
    stat: str


@dataclass(frozen=True, slots=True)
class IntrospectionRows:
    """Everything the introspection queries returned, ready to be mapped."""

    database: str
    settings: Mapping[str, Any]  # SETTINGS, by column name (with "version")
    objects: Sequence[SchemaObjectRow]
    columns: Sequence[ColumnRow]
    foreign_keys: Sequence[ForeignKeyRow]
    index_columns: Sequence[IndexColumnRow]
    stat1: Sequence[StatRow] | None  # None when sqlite_stat1 does not exist (never ANALYZEd)
    collected_at: datetime | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict)


def has_stat1(objects: Iterable[SchemaObjectRow]) -> bool:
    return any(o.type == "table" and o.name == "sqlite_stat1" for o in objects)


def build_catalog(rows: IntrospectionRows) -> Catalog:
    """Map the introspection rows of one SQLite database to a catalog."""
    sql_of = {(o.type, o.name): o.sql for o in rows.objects}
    columns_by_table = _group(rows.columns, lambda r: r.table)
    fks_by_table = _group(rows.foreign_keys, lambda r: r.table)
    index_rows = _group(rows.index_columns, lambda r: r.table)
    stats = _parse_stat1(rows.stat1) if rows.stat1 is not None else None

    drafts = {
        name: _table(
            name,
            cols,
            index_rows.get(name, []),
            parse_create_table(sql_of.get(("table", name))),
            sql_of,
            stats,
        )
        for name, cols in columns_by_table.items()
    }
    tables = tuple(
        _with_foreign_keys(drafts[o.name], fks_by_table.get(o.name, []), drafts)
        for o in rows.objects
        if o.type == "table" and o.name in drafts
    )
    views = tuple(
        View(name=o.name, schema=SCHEMA, definition=view_query(o.sql))
        for o in rows.objects
        if o.type == "view"
    )
    settings = {key: str(rows.settings[key]) for key in _SETTINGS if rows.settings.get(key) is not None}
    attrs: dict[str, Any] = {"analyzed": rows.stat1 is not None, **rows.attrs}
    attrs["virtual_tables"] = tuple(
        o.name
        for o in rows.objects
        if o.type == "table" and (o.sql or "").upper().startswith("CREATE VIRTUAL TABLE")
    )
    attrs["triggers"] = tuple(o.name for o in rows.objects if o.type == "trigger")
    return Catalog(
        engine=Engine.SQLITE,
        tables=tables,
        views=views,
        version=Version.parse(str(rows.settings["version"])),
        database=rows.database,
        default_schema=SCHEMA,
        source=StatsSource.LIVE,
        settings=MappingProxyType(settings),
        collected_at=rows.collected_at,
        attrs=MappingProxyType(attrs),
    )


def _group(rows: Iterable[Any], key: Any) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


@dataclass(frozen=True, slots=True)
class _Stat1:
    """sqlite_stat1, parsed: rows per table, and per index its rows and average rows per leading key."""

    table_rows: dict[str, int]
    index_rows: dict[str, tuple[int, tuple[int, ...]]]


def _parse_stat1(rows: Sequence[StatRow]) -> _Stat1:
    table_rows: dict[str, int] = {}
    index_rows: dict[str, tuple[int, tuple[int, ...]]] = {}
    for row in rows:
        # The stat text is "N d1 d2 ..." optionally followed by words such as "unordered" or "sz=".
        numbers = []
        for word in (row.stat or "").split():
            if not word.isdigit():
                break
            numbers.append(int(word))
        if not numbers:
            continue
        if row.index is not None:
            index_rows[row.index] = (numbers[0], tuple(numbers[1:]))
        # A partial index counts only its own rows, so the table's count is the largest one seen.
        table_rows[row.table] = max(table_rows.get(row.table, 0), numbers[0])
    return _Stat1(table_rows=table_rows, index_rows=index_rows)


def _table(
    name: str,
    column_rows: list[ColumnRow],
    index_rows: list[IndexColumnRow],
    text: TableText,
    sql_of: Mapping[tuple[str, str], str | None],
    stats: _Stat1 | None,
) -> Table:
    without_rowid = "WITHOUT ROWID" in text.options
    pk_rows = sorted((r for r in column_rows if r.pk > 0), key=lambda r: r.pk)
    has_pk_index = any(r.origin == "pk" for r in index_rows)
    # A single-column INTEGER primary key of a rowid table is the rowid itself, which is why SQLite
    # builds no separate index for it (and why "INTEGER PRIMARY KEY DESC", which gets one, is not).
    alias = pk_rows[0].name if len(pk_rows) == 1 and not without_rowid and not has_pk_index else None
    indexes = _indexes(index_rows, sql_of, stats)
    distinct = _leading_distinct(indexes, stats)
    columns = tuple(_column(r, alias, text, without_rowid, distinct.get(r.name)) for r in column_rows)
    primary_key = PrimaryKey(columns=tuple(r.name for r in pk_rows)) if pk_rows else None
    uniques = tuple(
        UniqueConstraint(columns=i.columns, name=i.name) for i in indexes if i.attrs["origin"] == "u"
    )
    table_stats = None
    if stats is not None:
        table_stats = TableStats(source=StatsSource.LIVE, row_estimate=stats.table_rows.get(name, 0))
    return Table(
        name=name,
        schema=SCHEMA,
        columns=columns,
        primary_key=primary_key,
        uniques=uniques,
        checks=tuple(CheckConstraint(expression=expr, name=cname) for cname, expr in text.checks),
        indexes=indexes,
        engine_options=MappingProxyType({option: "true" for option in text.options}),
        stats=table_stats,
        attrs=MappingProxyType({"without_rowid": without_rowid, "strict": "STRICT" in text.options}),
    )


def _column(
    row: ColumnRow, alias: str | None, text: TableText, without_rowid: bool, distinct: float | None
) -> Column:
    norm = normalize_type(row.type, Engine.SQLITE)
    is_alias = row.name == alias
    attrs: dict[str, Any] = {}
    if is_alias:
        attrs["rowid_alias"] = True
    if row.hidden in _HIDDEN_GENERATED:
        attrs["generated_storage"] = _HIDDEN_GENERATED[row.hidden]
    generated = text.generated.get(row.name) if row.hidden in _HIDDEN_GENERATED else None
    if row.hidden in _HIDDEN_GENERATED and generated is None:
        generated = EXPRESSION_PLACEHOLDER
    # The rowid alias and the key of a WITHOUT ROWID table can never hold NULL, declared or not.
    never_null = is_alias or (without_rowid and row.pk > 0)
    return Column(
        name=row.name,
        raw_type=row.type,
        kind=norm.kind,
        nullable=not (row.notnull or never_null),
        default=row.default,
        length=norm.length,
        precision=norm.precision,
        scale=norm.scale,
        autoincrement=is_alias and text.autoincrement,
        generated=generated,
        stats=ColumnStats(source=StatsSource.LIVE, distinct=distinct) if distinct is not None else None,
        attrs=MappingProxyType(attrs),
    )


def _indexes(
    rows: list[IndexColumnRow], sql_of: Mapping[tuple[str, str], str | None], stats: _Stat1 | None
) -> tuple[Index, ...]:
    by_index = _group(rows, lambda r: r.index)
    indexes: list[Index] = []
    for name in sorted(by_index):
        parts = sorted(by_index[name], key=lambda r: r.seqno)
        first = parts[0]
        text = parse_create_index(sql_of.get(("index", name)))
        keys = tuple(_key(part, text.keys) for part in parts)
        attrs: dict[str, Any] = {"origin": first.origin}
        index_stats = None
        # ANALYZE files the primary key of a WITHOUT ROWID table under the table's own name.
        stat_name = first.table if first.origin == "pk" and stats and name not in stats.index_rows else name
        if stats is not None and stat_name in stats.index_rows:
            rows_in_index, per_key = stats.index_rows[stat_name]
            attrs["stat_rows"] = rows_in_index
            attrs["avg_rows_per_key"] = per_key
            index_stats = IndexStats(source=StatsSource.LIVE)
        indexes.append(
            Index(
                name=name,
                keys=keys,
                unique=bool(first.unique),
                primary=first.origin == "pk",
                constraint=name if first.origin in ("pk", "u") else None,
                where=(text.where or EXPRESSION_PLACEHOLDER) if first.partial else None,
                stats=index_stats,
                attrs=MappingProxyType(attrs),
            )
        )
    return tuple(indexes)


def _key(row: IndexColumnRow, key_texts: list[str]) -> IndexKey:
    collation = row.collation if row.collation and row.collation.upper() != "BINARY" else None
    if row.cid == _CID_EXPRESSION:
        expression = key_texts[row.seqno] if row.seqno < len(key_texts) else EXPRESSION_PLACEHOLDER
        return IndexKey(expression=expression, descending=bool(row.desc), collation=collation)
    return IndexKey(column=row.column, descending=bool(row.desc), collation=collation)


def _leading_distinct(indexes: tuple[Index, ...], stats: _Stat1 | None) -> dict[str, float]:
    """Distinct values of each column that leads a full index: rows / average rows per key."""
    if stats is None:
        return {}
    distinct: dict[str, float] = {}
    for index in indexes:
        leading = index.keys[0].column
        per_key = index.attrs.get("avg_rows_per_key") or ()
        if leading is None or index.where is not None or not per_key or per_key[0] <= 0:
            continue
        # The stored average is an integer rounded up, so the quotient is only near a whole count.
        distinct[leading] = float(max(1, math.floor(index.attrs["stat_rows"] / per_key[0] + 0.5)))
    return distinct


def _with_foreign_keys(table: Table, rows: list[ForeignKeyRow], tables: Mapping[str, Table]) -> Table:
    if not rows:
        return table
    by_id = _group(rows, lambda r: str(r.id))
    foreign_keys = []
    # SQLite numbers foreign keys from the last declared one; reverse to get declaration order.
    for fk_id in sorted(by_id, key=int, reverse=True):
        parts = sorted(by_id[fk_id], key=lambda r: r.seq)
        first = parts[0]
        ref_columns = tuple(p.ref_column for p in parts if p.ref_column is not None)
        attrs: dict[str, Any] = {"match": first.match} if first.match and first.match != "NONE" else {}
        if len(ref_columns) != len(parts):
            parent = tables.get(first.ref_table) or _case_insensitive(tables, first.ref_table)
            parent_key = parent.primary_key.columns if parent and parent.primary_key else ()
            ref_columns = parent_key
            attrs["implicit_reference"] = True
        foreign_keys.append(
            ForeignKey(
                columns=tuple(p.column for p in parts),
                ref_table=first.ref_table,
                ref_columns=ref_columns,
                ref_schema=SCHEMA,
                on_delete=first.on_delete,
                on_update=first.on_update,
                attrs=MappingProxyType(attrs),
            )
        )
    return replace(table, foreign_keys=tuple(foreign_keys))


def _case_insensitive(tables: Mapping[str, Table], name: str) -> Table | None:
    folded = name.lower()
    return next((t for key, t in tables.items() if key.lower() == folded), None)
