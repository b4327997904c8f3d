"""The differences between two catalogs of the same database, as sentences a reviewer can check.

Compares what a migration may change — tables, columns (type, nullability, default), primary
keys, unique, check and foreign-key constraints, indexes, sequences, enums and views — and
ignores what changes on its own: statistics, OIDs, sequence positions, source locations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from dbexpert.model import Catalog, Column, Index, Table

T = TypeVar("T")


def diff_catalogs(before: Catalog, after: Catalog) -> list[str]:
    """What differs in ``after`` compared with ``before`` ("index users_email_idx missing", ...)."""
    changes: list[str] = []
    old_tables = _by(before.tables, lambda t: t.qualified_name)
    new_tables = _by(after.tables, lambda t: t.qualified_name)
    changes += _presence("table", old_tables, new_tables)
    for name in sorted(old_tables.keys() & new_tables.keys()):
        changes += _table(name, old_tables[name], new_tables[name])
    changes += _objects(
        "sequence",
        _by(before.sequences, lambda s: s.qualified_name),
        _by(after.sequences, lambda s: s.qualified_name),
        lambda s: (
            f"{s.data_type} increment {s.increment} min {s.min_value} max {s.max_value} cycle {s.cycle}"
        ),
    )
    changes += _objects(
        "enum",
        _by(before.enums, lambda e: e.qualified_name),
        _by(after.enums, lambda e: e.qualified_name),
        lambda e: "(" + ", ".join(e.values) + ")",
    )
    changes += _objects(
        "view",
        _by(before.views, lambda v: v.qualified_name),
        _by(after.views, lambda v: v.qualified_name),
        lambda v: f"{'materialized ' if v.materialized else ''}{' '.join((v.definition or '').split())}",
    )
    return changes


def _by(items: Iterable[T], key: Callable[[T], str]) -> dict[str, T]:
    return {key(item): item for item in items}


def _presence(kind: str, old: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    return [f"{kind} {name} missing" for name in sorted(old.keys() - new.keys())] + [
        f"{kind} {name} added" for name in sorted(new.keys() - old.keys())
    ]


def _objects(kind: str, old: Mapping[str, T], new: Mapping[str, T], shape: Callable[[T], str]) -> list[str]:
    changes = _presence(kind, old, new)
    for name in sorted(old.keys() & new.keys()):
        was, now = shape(old[name]), shape(new[name])
        if was != now:
            changes.append(f"{kind} {name} {was} ≠ {now}")
    return changes


def _table(name: str, old: Table, new: Table) -> list[str]:
    changes: list[str] = []
    old_cols = _by(old.columns, lambda c: c.name)
    new_cols = _by(new.columns, lambda c: c.name)
    changes += _presence(f"column {name}.", old_cols, new_cols)
    changes = [c.replace(". ", ".", 1) for c in changes]
    for column in (c for c in old.columns if c.name in new_cols):
        changes += _column(f"{name}.{column.name}", column, new_cols[column.name])
    if old.kind != new.kind:
        changes.append(f"table {name} kind {old.kind} ≠ {new.kind}")
    old_pk = old.primary_key.columns if old.primary_key else None
    new_pk = new.primary_key.columns if new.primary_key else None
    if old_pk != new_pk:
        changes.append(f"primary key of {name} {_cols(old_pk)} ≠ {_cols(new_pk)}")
    changes += _constraints(name, old, new)
    changes += _objects(
        "index",
        _by((i for i in old.indexes), lambda i: i.name),
        _by((i for i in new.indexes), lambda i: i.name),
        _index_shape,
    )
    return changes


def _column(name: str, old: Column, new: Column) -> list[str]:
    changes: list[str] = []
    if old.raw_type != new.raw_type:
        changes.append(f"column {name} type {short_type(old.raw_type)} ≠ {short_type(new.raw_type)}")
    if old.nullable != new.nullable:
        was, now = ("NULL" if old.nullable else "NOT NULL"), ("NULL" if new.nullable else "NOT NULL")
        changes.append(f"column {name} {was} ≠ {now}")
    if old.default != new.default:
        changes.append(f"column {name} default {old.default or 'none'} ≠ {new.default or 'none'}")
    if old.identity != new.identity:
        changes.append(f"column {name} identity {old.identity or 'none'} ≠ {new.identity or 'none'}")
    if old.generated != new.generated:
        changes.append(f"column {name} generated {old.generated or 'none'} ≠ {new.generated or 'none'}")
    return changes


_SHORT_TYPES = (
    ("character varying", "varchar"),
    ("timestamp without time zone", "timestamp"),
    ("timestamp with time zone", "timestamptz"),
    ("time without time zone", "time"),
    ("time with time zone", "timetz"),
    ("double precision", "float8"),
    ("character", "char"),
)


def short_type(raw: str) -> str:
    """``character varying(100)`` -> ``varchar(100)``: the spelling migrations are written in."""
    for long, short in _SHORT_TYPES:
        if raw.startswith(long):
            return short + raw[len(long) :]
    return raw


def _constraints(table: str, old: Table, new: Table) -> list[str]:
    def shapes(t: Table) -> dict[str, str]:
        found: dict[str, str] = {}
        for u in t.uniques:
            found[u.name or f"unique{_cols(u.columns)}"] = f"UNIQUE {_cols(u.columns)}"
        for c in t.checks:
            found[c.name or f"check({c.expression})"] = f"CHECK ({c.expression})" + (
                "" if c.validated else " NOT VALID"
            )
        for fk in t.foreign_keys:
            ref = f"{fk.ref_schema + '.' if fk.ref_schema else ''}{fk.ref_table}{_cols(fk.ref_columns)}"
            found[fk.name or f"fk{_cols(fk.columns)}"] = (
                f"FOREIGN KEY {_cols(fk.columns)} REFERENCES {ref} ON DELETE {fk.on_delete}"
                f" ON UPDATE {fk.on_update}" + ("" if fk.validated else " NOT VALID")
            )
        return found

    return [
        change.replace("constraint ", f"constraint {table}.", 1)
        for change in _objects("constraint", shapes(old), shapes(new), lambda s: s)
    ]


def _index_shape(index: Index) -> str:
    text = f"{'UNIQUE ' if index.unique else ''}{index.method} {_cols(index.columns)}"
    if index.include:
        text += f" INCLUDE {_cols(index.include)}"
    if index.where:
        text += f" WHERE {index.where}"
    if not index.valid:
        text += " INVALID"
    return text


def _cols(columns: Iterable[str] | None) -> str:
    return "none" if columns is None else "(" + ", ".join(columns) + ")"
