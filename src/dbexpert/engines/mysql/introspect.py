"""information_schema rows -> the neutral model. Pure functions: no connection, tested on captured rows.

Rows are mappings with the lower-case keys the queries in :mod:`queries` alias. Values may arrive
as ``bytes`` (MySQL 8 returns some information_schema columns with a binary collation), so every
text goes through :func:`_text`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from dbexpert.model import (
    INTEGER_KINDS,
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
    TypeKind,
    UniqueConstraint,
    Version,
    View,
)
from dbexpert.model.types import normalize_type
from dbexpert.sql.quote import quote_literal

Row = Mapping[str, Any]
PRIMARY = "PRIMARY"
# Kinds whose MySQL 8 COLUMN_DEFAULT is already valid SQL; any other literal default needs quotes.
_UNQUOTED_DEFAULT_KINDS = INTEGER_KINDS | {TypeKind.NUMERIC, TypeKind.FLOAT, TypeKind.BOOLEAN}
# MariaDB stores a JSON column as LONGTEXT guarded by this generated CHECK.
_JSON_VALID = re.compile(r"^json_valid\(`((?:[^`]|``)+)`\)$", re.I)
_ON_UPDATE = re.compile(r"on update (\S+)", re.I)


@dataclass(frozen=True, slots=True)
class CatalogRows:
    """Everything the catalog queries returned for one schema."""

    database: str
    version: str  # SELECT VERSION()
    settings: Sequence[Row] = ()  # SHOW GLOBAL VARIABLES rows: Variable_name, Value
    tables: Sequence[Row] = ()
    columns: Sequence[Row] = ()
    statistics: Sequence[Row] = ()
    constraints: Sequence[Row] = ()
    foreign_keys: Sequence[Row] = ()
    views: Sequence[Row] = ()
    index_usage: Sequence[Row] | None = None  # None when performance_schema could not be read
    index_usage_note: str = "performance_schema"  # where scan counts came from, or why they are missing
    collected_at: datetime | None = None


def flavor_of(version_text: str) -> str:
    return "mariadb" if "mariadb" in version_text.lower() else "mysql"


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _blank_to_none(value: Any) -> str | None:
    text = _text(value)
    return text if text else None


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({k: v for k, v in mapping.items() if v is not None})


def build_catalog(rows: CatalogRows) -> Catalog:
    flavor = flavor_of(rows.version)
    settings = {_text(r["Variable_name"]) or "": _text(r["Value"]) or "" for r in rows.settings}
    by_table: dict[str, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for kind, kind_rows in (
        ("columns", rows.columns),
        ("statistics", rows.statistics),
        ("constraints", rows.constraints),
        ("foreign_keys", rows.foreign_keys),
    ):
        for row in kind_rows:
            by_table[_text(row["table_name"]) or ""][kind].append(row)
    usage = index_scans(rows.index_usage)
    tables = tuple(
        map_table(row, by_table[_text(row["table_name"]) or ""], rows.database, flavor, usage)
        for row in rows.tables
    )
    views = tuple(
        View(name=_text(r["table_name"]) or "", definition=_text(r["view_definition"]), schema=rows.database)
        for r in rows.views
    )
    return Catalog(
        engine=Engine.MYSQL,
        tables=tables,
        views=views,
        version=Version.parse(rows.version),
        flavor=flavor,
        database=rows.database,
        default_schema=rows.database,
        source=StatsSource.LIVE,
        settings=MappingProxyType(settings),
        collected_at=rows.collected_at,
        attrs=MappingProxyType({"index_usage": rows.index_usage_note, "version_text": rows.version}),
    )


def index_scans(rows: Sequence[Row] | None) -> Mapping[tuple[str, str], int] | None:
    """(table, index) -> COUNT_STAR, or None when performance_schema gave nothing to read."""
    if rows is None:
        return None
    return {
        (_text(r["table_name"]) or "", _text(r["index_name"]) or ""): int(r["count_star"] or 0)
        for r in rows
        if r["index_name"] is not None
    }


def map_table(
    row: Row,
    parts: Mapping[str, Sequence[Row]],
    schema: str,
    flavor: str,
    usage: Mapping[tuple[str, str], int] | None = None,
) -> Table:
    name = _text(row["table_name"]) or ""
    constraints = parts.get("constraints", ())
    unique_names = {
        _text(c["constraint_name"]) for c in constraints if _text(c["constraint_type"]) == "UNIQUE"
    }
    json_columns = _json_checked_columns(constraints) if flavor == "mariadb" else set()
    indexes = map_indexes(name, parts.get("statistics", ()), unique_names, usage)
    distinct = column_distinct(indexes)
    columns = tuple(
        map_column(c, flavor, json_columns=json_columns, distinct=distinct.get(_text(c["column_name"]) or ""))
        for c in sorted(parts.get("columns", ()), key=lambda c: int(c["ordinal_position"]))
    )
    primary = next((i for i in indexes if i.primary), None)
    create_options = _text(row.get("create_options")) or ""
    data, index_bytes = _int(row.get("data_length")), _int(row.get("index_length"))
    return Table(
        name=name,
        schema=schema,
        columns=columns,
        primary_key=PrimaryKey(columns=primary.columns, name=PRIMARY) if primary else None,
        uniques=tuple(
            UniqueConstraint(columns=i.columns, name=i.name)
            for i in indexes
            if i.constraint is not None and not i.primary and not i.expressions
        ),
        checks=map_checks(constraints),
        foreign_keys=map_foreign_keys(parts.get("foreign_keys", ())),
        indexes=indexes,
        kind="partitioned" if "partitioned" in create_options.lower() else "table",
        engine_options=MappingProxyType(
            {
                key: value
                for key, value in (
                    ("engine", _text(row.get("engine"))),
                    ("row_format", _text(row.get("row_format"))),
                    ("collation", _text(row.get("table_collation"))),
                    ("create_options", create_options),
                )
                if value
            }
        ),
        comment=_blank_to_none(row.get("table_comment")),
        stats=TableStats(
            source=StatsSource.LIVE,
            row_estimate=_int(row.get("table_rows")),
            table_bytes=data,
            total_bytes=data + index_bytes if data is not None and index_bytes is not None else None,
        ),
        attrs=_frozen(
            {
                "auto_increment": _int(row.get("auto_increment")),
                "index_bytes": index_bytes,
                "data_free": _int(row.get("data_free")),
                "avg_row_length": _int(row.get("avg_row_length")),
                "table_type": _text(row.get("table_type")),
            }
        ),
    )


def map_column(
    row: Row, flavor: str, json_columns: Iterable[str] = (), distinct: float | None = None
) -> Column:
    name = _text(row["column_name"]) or ""
    raw_type = _text(row["column_type"]) or ""
    extra = _text(row.get("extra")) or ""
    norm = normalize_type(raw_type, Engine.MYSQL)
    kind = norm.kind
    is_json = flavor == "mariadb" and name in set(json_columns) and kind is TypeKind.TEXT
    if is_json:
        kind = TypeKind.JSON
    generated = _blank_to_none(row.get("generation_expression"))
    on_update = _ON_UPDATE.search(extra)
    lowered = raw_type.lower()
    return Column(
        name=name,
        raw_type=raw_type,
        kind=kind,
        nullable=(_text(row["is_nullable"]) or "").upper() == "YES",
        default=None if generated else column_default(row.get("column_default"), extra, kind, flavor),
        length=norm.length,
        precision=norm.precision,
        scale=norm.scale,
        autoincrement="auto_increment" in extra.lower(),
        generated=generated,
        enum_values=norm.enum_values,
        comment=_blank_to_none(row.get("column_comment")),
        stats=ColumnStats(source=StatsSource.LIVE, distinct=distinct) if distinct is not None else None,
        attrs=_frozen(
            {
                "unsigned": True if " unsigned" in lowered else None,
                "zerofill": True if " zerofill" in lowered else None,
                "charset": _text(row.get("character_set_name")),
                "collation": _text(row.get("collation_name")),
                "on_update": on_update.group(1) if on_update else None,
                "generated_storage": _generated_storage(extra) if generated else None,
                "json_check": True if is_json else None,
            }
        ),
    )


def column_default(value: Any, extra: str, kind: TypeKind, flavor: str) -> str | None:
    """The default as SQL text. MariaDB already stores it so (``'abc'``, ``NULL``, ``current_timestamp()``);
    MySQL 8 stores bare literals and flags expressions with DEFAULT_GENERATED."""
    text = _text(value)
    if text is None:
        return None
    if flavor == "mariadb":
        return None if text == "NULL" else text
    if "DEFAULT_GENERATED" in extra.upper() or kind in _UNQUOTED_DEFAULT_KINDS:
        return text
    return quote_literal(text)


def _generated_storage(extra: str) -> str | None:
    upper = extra.upper()
    if "STORED GENERATED" in upper or "PERSISTENT" in upper:
        return "stored"
    if "VIRTUAL GENERATED" in upper:
        return "virtual"
    return None


def _json_checked_columns(constraints: Sequence[Row]) -> set[str]:
    names: set[str] = set()
    for row in constraints:
        match = _JSON_VALID.match((_text(row.get("check_clause")) or "").strip())
        if match:
            names.add(match.group(1).replace("``", "`"))
    return names


def map_indexes(
    table: str,
    rows: Sequence[Row],
    unique_names: Iterable[str | None] = (),
    usage: Mapping[tuple[str, str], int] | None = None,
) -> tuple[Index, ...]:
    """STATISTICS rows of one table (one row per key part) -> indexes, key parts in SEQ_IN_INDEX order."""
    constraint_names = set(unique_names)
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[_text(row["index_name"]) or ""].append(row)
    indexes = []
    for name, parts in grouped.items():
        parts.sort(key=lambda r: int(r["seq_in_index"]))
        first = parts[0]
        primary = name == PRIMARY
        cardinalities = tuple(_int(p.get("cardinality")) for p in parts)
        scans = usage.get((table, name)) if usage is not None else None
        indexes.append(
            Index(
                name=name,
                keys=tuple(_index_key(p) for p in parts),
                unique=int(first["non_unique"]) == 0,
                primary=primary,
                constraint=PRIMARY if primary else (name if name in constraint_names else None),
                method=(_text(first.get("index_type")) or "BTREE").lower(),
                stats=IndexStats(source=StatsSource.LIVE, scans=scans),
                attrs=_frozen(
                    {
                        "cardinality": cardinalities[-1],
                        "key_cardinalities": cardinalities,
                        "visible": False if (_text(first.get("is_visible")) or "YES") == "NO" else None,
                        "comment": _blank_to_none(first.get("index_comment")),
                    }
                ),
            )
        )
    return tuple(sorted(indexes, key=lambda i: (not i.primary, i.name)))


def _index_key(row: Row) -> IndexKey:
    column = _text(row.get("column_name"))
    expression = None if column else _text(row.get("expression"))
    return IndexKey(
        column=column,
        expression=expression,
        descending=(_text(row.get("collation")) or "") == "D",
        prefix_length=_int(row.get("sub_part")),
    )


def column_distinct(indexes: Iterable[Index]) -> dict[str, float]:
    """Distinct-value estimates from single-column, whole-column indexes (CARDINALITY is per index)."""
    distinct: dict[str, float] = {}
    for index in indexes:
        if len(index.keys) != 1:
            continue
        key = index.keys[0]
        cardinality = index.attrs.get("cardinality")
        if key.column is None or key.prefix_length is not None or cardinality is None:
            continue
        distinct[key.column] = max(float(cardinality), distinct.get(key.column, 0.0))
    return distinct


def map_checks(rows: Sequence[Row]) -> tuple[CheckConstraint, ...]:
    return tuple(
        CheckConstraint(
            expression=_text(r["check_clause"]) or "",
            name=_text(r["constraint_name"]),
            validated=(_text(r.get("enforced")) or "YES").upper() != "NO",
        )
        for r in rows
        if _text(r["constraint_type"]) == "CHECK" and r.get("check_clause") is not None
    )


def map_foreign_keys(rows: Sequence[Row]) -> tuple[ForeignKey, ...]:
    """KEY_COLUMN_USAGE rows joined to REFERENTIAL_CONSTRAINTS -> composite keys in ORDINAL_POSITION order."""
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[_text(row["constraint_name"]) or ""].append(row)
    keys = []
    for name, parts in grouped.items():
        parts.sort(key=lambda r: int(r["ordinal_position"]))
        first = parts[0]
        keys.append(
            ForeignKey(
                columns=tuple(_text(p["column_name"]) or "" for p in parts),
                ref_table=_text(first["referenced_table_name"]) or "",
                ref_columns=tuple(_text(p["referenced_column_name"]) or "" for p in parts),
                ref_schema=_text(first.get("referenced_table_schema")),
                name=name,
                on_delete=_text(first.get("delete_rule")) or "NO ACTION",
                on_update=_text(first.get("update_rule")) or "NO ACTION",
            )
        )
    return tuple(sorted(keys, key=lambda k: k.name or ""))
