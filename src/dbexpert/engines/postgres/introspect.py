"""Map the rows of the catalog queries (see ``queries.py``) to a :class:`Catalog`.

Pure functions over lists of row dictionaries, so they are tested on captured rows without a
server. Column names here are the aliases the queries declare.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from dbexpert.model import (
    Catalog,
    CheckConstraint,
    Column,
    ColumnStats,
    Engine,
    EnumType,
    ForeignKey,
    Index,
    IndexKey,
    IndexStats,
    Location,
    PrimaryKey,
    StatsSource,
    Table,
    TableStats,
    TypeKind,
    UniqueConstraint,
    Version,
    View,
)
from dbexpert.model import (
    Sequence as SequenceObject,
)
from dbexpert.model.types import normalize_type

Row = Mapping[str, Any]

FK_ACTIONS: Mapping[str, str] = MappingProxyType(
    {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
)
FK_MATCH: Mapping[str, str] = MappingProxyType({"s": "simple", "f": "full", "p": "partial"})
IDENTITY: Mapping[str, str] = MappingProxyType({"a": "always", "d": "by default"})
TABLE_KINDS: Mapping[str, str] = MappingProxyType({"r": "table", "p": "partitioned", "f": "foreign"})


@dataclass(frozen=True, slots=True)
class CatalogRows:
    """The result rows of each catalog query, as fetched."""

    server: Row
    tables: Sequence[Row] = ()
    columns: Sequence[Row] = ()
    constraints: Sequence[Row] = ()
    indexes: Sequence[Row] = ()
    sequences: Sequence[Row] = ()
    enums: Sequence[Row] = ()
    views: Sequence[Row] = ()


@dataclass(frozen=True, slots=True)
class _Owner:
    """A serial or identity column that owns a sequence."""

    sequence: str  # qualified sequence name
    identity: bool


@dataclass(slots=True)
class _TableParts:
    """Constraints and indexes of one table, gathered before the frozen Table is built."""

    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    uniques: list[UniqueConstraint] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    exclusions: list[Mapping[str, str]] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)


def build_catalog(rows: CatalogRows, collected_at: datetime | None = None) -> Catalog:
    """The whole catalog from the rows of every catalog query."""
    server = rows.server
    version_num = int(server["server_version_num"])
    enums = [map_enum(row) for row in rows.enums]
    enum_labels = {row["type_oid"]: tuple(row["labels"]) for row in rows.enums}
    owners = _sequence_owners(rows.sequences)
    names = {row["table_oid"]: (row["schema"], row["name"]) for row in rows.tables}

    parts: dict[int, _TableParts] = defaultdict(_TableParts)
    for row in rows.columns:
        schema, table = names[row["table_oid"]]
        owner = owners.get((schema, table, row["name"]))
        parts[row["table_oid"]].columns.append(map_column(row, schema, table, enum_labels, owner))
    for row in rows.constraints:
        schema, table = names[row["table_oid"]]
        _add_constraint(parts[row["table_oid"]], row, schema, table)
    for row in rows.indexes:
        parts[row["table_oid"]].indexes.append(map_index(row))

    # Tables a migration holds ACCESS EXCLUSIVE on were not read (their definitions need a lock).
    skipped = [f"{row['schema']}.{row['name']}" for row in rows.tables if row.get("locked")]
    tables = tuple(
        _build_table(row, parts[row["table_oid"]], version_num)
        for row in rows.tables
        if not row.get("locked")
    )
    return Catalog(
        engine=Engine.POSTGRES,
        tables=tables,
        sequences=tuple(map_sequence(row) for row in rows.sequences),
        enums=tuple(enums),
        views=tuple(map_view(row) for row in rows.views),
        version=Version.parse(server["server_version"]),
        database=server["database"],
        default_schema="public",
        source=StatsSource.LIVE,
        settings=MappingProxyType({str(k): str(v) for k, v in (server.get("settings") or {}).items()}),
        stats_reset=server.get("stats_reset"),
        collected_at=collected_at,
        attrs=MappingProxyType(
            {
                "server_version_num": version_num,
                "extensions": MappingProxyType(dict(server.get("extensions") or {})),
                "in_recovery": bool(server.get("in_recovery")),
                "database_bytes": server.get("database_bytes"),
                "skipped_tables": tuple(skipped),
            }
        ),
    )


def _sequence_owners(rows: Iterable[Row]) -> dict[tuple[str, str, str], _Owner]:
    owners: dict[tuple[str, str, str], _Owner] = {}
    for row in rows:
        if row.get("owner_table") is None:
            continue
        key = (row["owner_schema"], row["owner_table"], row["owner_column"])
        owners[key] = _Owner(f"{row['schema']}.{row['name']}", row["owner_dependency"] == "i")
    return owners


def _build_table(row: Row, parts: _TableParts, version_num: int) -> Table:
    schema, name = row["schema"], row["name"]
    attrs: dict[str, Any] = {"unlogged": row.get("persistence") == "u"}
    if row.get("parent_name") is not None:
        attrs["partition_of"] = f"{row['parent_schema']}.{row['parent_name']}"
    if parts.exclusions:
        attrs["exclusion_constraints"] = tuple(parts.exclusions)
    if row.get("reloptions"):
        attrs["reloptions"] = tuple(row["reloptions"])
    for key in ("last_seq_scan", "n_live_tup"):
        if row.get(key) is not None:
            attrs[key] = row[key]
    last_vacuum = _latest(row.get("last_vacuum"), row.get("last_autovacuum"))
    if last_vacuum is not None:
        attrs["last_vacuumed"] = last_vacuum
    return Table(
        name=name,
        schema=schema,
        columns=tuple(parts.columns),
        primary_key=parts.primary_key,
        uniques=tuple(parts.uniques),
        checks=tuple(parts.checks),
        foreign_keys=tuple(parts.foreign_keys),
        indexes=tuple(parts.indexes),
        kind=TABLE_KINDS.get(row["relkind"], "table"),
        comment=row.get("comment"),
        stats=map_table_stats(row, version_num),
        location=Location(object=f"{schema}.{name}"),
        attrs=MappingProxyType(attrs),
    )


def row_estimate(reltuples: float | None, version_num: int, analyzed: bool) -> int | None:
    """``pg_class.reltuples`` as a row count, or None when the table was never analyzed.

    PostgreSQL 14 marks "never analyzed" as -1; older servers use 0, which is only trusted once
    the table has been analyzed.
    """
    if reltuples is None or reltuples < 0:
        return None
    if reltuples == 0 and version_num < 140000 and not analyzed:
        return None
    return int(round(reltuples))


def map_table_stats(row: Row, version_num: int) -> TableStats:
    last_analyzed = _latest(row.get("last_analyze"), row.get("last_autoanalyze"))
    return TableStats(
        source=StatsSource.LIVE,
        row_estimate=row_estimate(row.get("reltuples"), version_num, last_analyzed is not None),
        table_bytes=row.get("table_bytes"),
        total_bytes=row.get("total_bytes"),
        seq_scans=row.get("seq_scan"),
        index_scans=row.get("idx_scan"),
        inserts=row.get("n_tup_ins"),
        updates=row.get("n_tup_upd"),
        deletes=row.get("n_tup_del"),
        dead_rows=row.get("n_dead_tup"),
        last_analyzed=last_analyzed,
    )


def map_column(
    row: Row,
    schema: str,
    table: str,
    enum_labels: Mapping[int, tuple[str, ...]],
    owner: _Owner | None = None,
) -> Column:
    raw_type = row["raw_type"]
    attrs: dict[str, Any] = {"position": row["position"]}
    # A domain behaves like its base type; keep the domain's name as the raw type.
    type_text = row.get("domain_base_type") or raw_type
    if row.get("domain_base_type"):
        attrs["domain_base_type"] = row["domain_base_type"]
    norm = normalize_type(type_text, Engine.POSTGRES)
    kind, enum_values = norm.kind, norm.enum_values
    if row.get("type_type") == "e":
        kind, enum_values = TypeKind.ENUM, enum_labels.get(row["type_oid"], ())
    if row.get("collation"):
        attrs["collation"] = row["collation"]
    identity = IDENTITY.get(row.get("identity") or "")
    generated = row.get("generated") == "s"
    default = row.get("default_expr")
    autoincrement = (
        owner is not None
        and not owner.identity
        and identity is None
        and default is not None
        and default.startswith("nextval(")
    )
    if owner is not None:
        attrs["sequence"] = owner.sequence
    return Column(
        name=row["name"],
        raw_type=raw_type,
        kind=kind,
        nullable=not row["not_null"],
        default=None if generated else default,
        length=norm.length,
        precision=norm.precision,
        scale=norm.scale,
        identity=identity,
        autoincrement=autoincrement,
        generated=default if generated else None,
        enum_values=enum_values,
        comment=row.get("comment"),
        stats=map_column_stats(row),
        location=Location(object=f"{schema}.{table}.{row['name']}"),
        attrs=MappingProxyType(attrs),
    )


def absolute_distinct(n_distinct: float | None, reltuples: float | None) -> float | None:
    """``pg_stats.n_distinct`` as a count: negative values are minus a fraction of the row count."""
    if n_distinct is None:
        return None
    if n_distinct >= 0:
        return float(n_distinct)
    if reltuples is None or reltuples < 0:
        return None
    return round(-n_distinct * reltuples, 1)


def map_column_stats(row: Row) -> ColumnStats | None:
    """pg_stats for a column, or None when the column has not been analyzed."""
    if row.get("null_frac") is None:
        return None
    return ColumnStats(
        source=StatsSource.LIVE,
        null_fraction=float(row["null_frac"]),
        distinct=absolute_distinct(row.get("n_distinct"), row.get("reltuples")),
        avg_width=row.get("avg_width"),
        most_common_values=tuple(_as_text(v) for v in row.get("most_common_vals") or ()),
        most_common_freqs=tuple(float(f) for f in row.get("most_common_freqs") or ()),
        correlation=float(row["correlation"]) if row.get("correlation") is not None else None,
        statistics_target=row.get("statistics_target"),
    )


def _as_text(value: Any) -> str:
    """A most-common value (decoded from JSON) back to text."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _add_constraint(parts: _TableParts, row: Row, schema: str, table: str) -> None:
    kind, name = row["type"], row["name"]
    location = Location(object=f"{schema}.{table}.{name}")
    columns = tuple(row.get("columns") or ())
    if kind == "p":
        parts.primary_key = PrimaryKey(columns=columns, name=name, location=location)
    elif kind == "u":
        parts.uniques.append(UniqueConstraint(columns=columns, name=name, location=location))
    elif kind == "c":
        parts.checks.append(
            CheckConstraint(
                expression=row["check_expr"], name=name, validated=row["validated"], location=location
            )
        )
    elif kind == "f":
        parts.foreign_keys.append(map_foreign_key(row, location))
    elif kind == "x":
        parts.exclusions.append(MappingProxyType({"name": name, "definition": row["definition"]}))


def map_foreign_key(row: Row, location: Location | None = None) -> ForeignKey:
    return ForeignKey(
        columns=tuple(row["columns"]),
        ref_table=row["ref_table"],
        ref_columns=tuple(row["ref_columns"]),
        ref_schema=row["ref_schema"],
        name=row["name"],
        on_delete=FK_ACTIONS[row["on_delete"]],
        on_update=FK_ACTIONS[row["on_update"]],
        deferrable=row["deferrable"],
        initially_deferred=row["deferred"],
        validated=row["validated"],
        location=location,
        attrs=MappingProxyType(
            {
                "match": FK_MATCH.get(row.get("match_type") or "s", "simple"),
                "inherited": bool(row.get("inherited")),
                "definition": row.get("definition"),
            }
        ),
    )


def strip_outer_parens(text: str) -> str:
    """``(a + 1)`` -> ``a + 1``: pg_get_indexdef wraps non-function expressions in parentheses."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    in_quote: str | None = None
    for position, char in enumerate(text):
        if in_quote:
            if char == in_quote:
                in_quote = None
        elif char in "'\"":
            in_quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0 and position != len(text) - 1:
                return text  # "(a) + (b)": the first parenthesis closes early
    return text[1:-1]


def map_index(row: Row) -> Index:
    keys: list[IndexKey] = []
    include: list[str] = []
    for part in row.get("keys") or ():
        if part["include"]:
            include.append(part["column"] or part["text"])
            continue
        column = part["column"]
        keys.append(
            IndexKey(
                column=column,
                expression=None if column is not None else strip_outer_parens(part["text"]),
                descending=part["descending"],
                opclass=part.get("opclass"),
                collation=part.get("collation"),
            )
        )
    attrs: dict[str, Any] = {"definition": row.get("definition"), "ready": row.get("is_ready", True)}
    for key in ("last_idx_scan", "tuples_read", "constraint_type"):
        if row.get(key) is not None:
            attrs[key] = row[key]
    return Index(
        name=row["name"],
        keys=tuple(keys),
        unique=row["is_unique"],
        primary=row["is_primary"],
        constraint=row.get("constraint_name"),
        method=row["method"],
        where=row.get("predicate"),
        include=tuple(include),
        valid=bool(row["is_valid"]),
        stats=IndexStats(source=StatsSource.LIVE, scans=row.get("scans"), size_bytes=row.get("size_bytes")),
        location=Location(object=f"{row['schema']}.{row['name']}"),
        attrs=MappingProxyType(attrs),
    )


def map_sequence(row: Row) -> SequenceObject:
    owned_by = None
    attrs: dict[str, Any] = {}
    if row.get("owner_table") is not None:
        owned_by = (row["owner_table"], row["owner_column"])
        attrs["owned_by_schema"] = row["owner_schema"]
        attrs["identity"] = row["owner_dependency"] == "i"
    return SequenceObject(
        name=row["name"],
        schema=row["schema"],
        data_type=row["data_type"],
        start=row["start_value"],
        increment=row["increment_by"],
        min_value=row["min_value"],
        max_value=row["max_value"],
        last_value=row.get("last_value"),
        cycle=row["cycle"],
        owned_by=owned_by,
        location=Location(object=f"{row['schema']}.{row['name']}"),
        attrs=MappingProxyType(attrs),
    )


def map_enum(row: Row) -> EnumType:
    return EnumType(
        name=row["name"],
        values=tuple(row["labels"]),
        schema=row["schema"],
        location=Location(object=f"{row['schema']}.{row['name']}"),
    )


def map_view(row: Row) -> View:
    return View(
        name=row["name"],
        definition=row.get("definition"),
        schema=row["schema"],
        materialized=row["materialized"],
        location=Location(object=f"{row['schema']}.{row['name']}"),
    )


def _latest(*moments: datetime | None) -> datetime | None:
    present = [m for m in moments if m is not None]
    return max(present) if present else None
