"""A SQLite file's health, read through the read-only session into a :class:`HealthSnapshot`.

Readings: the pragmas that matter for operations (journal mode, foreign key enforcement, pages and
free pages, auto_vacuum), an integrity check, the declared foreign keys and the rows that violate
them (``PRAGMA foreign_key_check`` works whatever ``foreign_keys`` is), and, per table, a row
estimate next to its ``sqlite_stat1`` entry. :func:`read_health` runs the named SQL below;
:func:`build_snapshot` maps the rows and is pure, so it is tested on captured rows.

The integrity check is ``PRAGMA quick_check`` (page structure, record format, NOT NULL) by default.
The full ``PRAGMA integrity_check`` also compares every index with its table and checks UNIQUE
constraints, which reads every page of every index: it runs only when asked (``integrity="full"``,
``dbexpert backup check --full-integrity-check``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

from dbexpert.engines.sqlite import queries
from dbexpert.model import DbexpertError, Engine, Version
from dbexpert.model.health import HealthSnapshot

# At most this many problems or violating rows are read: enough to show, bounded on a broken file.
MAX_ROWS = 100

QUICK_CHECK = f"PRAGMA quick_check({MAX_ROWS})"
INTEGRITY_CHECK = f"PRAGMA integrity_check({MAX_ROWS})"

# Declared foreign keys, one row per constraint (a composite key has one row per column: id groups them).
FOREIGN_KEYS = """
SELECT m.name AS "table", f.id, f."table" AS parent
FROM sqlite_master AS m
JOIN pragma_foreign_key_list(m.name) AS f
WHERE m.type = 'table'
GROUP BY m.name, f.id
"""

FOREIGN_KEY_CHECK = f"""
SELECT "table", rowid, parent, fkid
FROM pragma_foreign_key_check
LIMIT {MAX_ROWS}
"""

# User tables with a rowid; WITHOUT ROWID tables are skipped by the row estimate (no max(rowid)).
TABLES = """
SELECT name, coalesce(sql, '') LIKE '%WITHOUT%ROWID%' AS without_rowid
FROM sqlite_master
WHERE type = 'table'
  AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
  AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'
ORDER BY name
"""

STAT1 = "SELECT tbl, idx, stat FROM sqlite_stat1"


def row_estimates_sql(tables: Sequence[str]) -> str:
    """One statement estimating every table's rows by ``max(rowid)``: a single b-tree descent per
    table instead of ``count(*)``'s full scan (an overestimate after deletes, never an underestimate
    of the table's size)."""
    parts = [
        f"SELECT {_literal(name)} AS name, (SELECT max(rowid) FROM {_ident(name)}) AS rows_estimate"
        for name in tables
    ]
    return "\nUNION ALL\n".join(parts)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class HealthSession(Protocol):
    url: Any

    @property
    def path(self) -> Path: ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...


def read_health(session: HealthSession, integrity: Literal["quick", "full"] = "quick") -> HealthSnapshot:
    """The snapshot of the file behind ``session``; read-only, about seven statements."""
    settings = dict(zip(queries.SETTINGS_COLUMNS, session.run(queries.SETTINGS)[0], strict=True))
    file_bytes = session.path.stat().st_size
    full = integrity == "full"
    unavailable: dict[str, str] = {}
    check_rows: list[tuple[Any, ...]] = []
    try:
        check_rows = session.run(INTEGRITY_CHECK if full else QUICK_CHECK)
    except DbexpertError as exc:  # a timeout on a huge file, or a file too broken to check
        unavailable["integrity_check"] = str(exc)
    foreign_keys = session.run(FOREIGN_KEYS)
    violations: list[tuple[Any, ...]] = []
    if foreign_keys:
        try:
            violations = session.run(FOREIGN_KEY_CHECK)
        except DbexpertError as exc:
            unavailable["foreign_key_violations"] = str(exc)
    tables = session.run(TABLES)
    with_rowid = [str(name) for name, without in tables if not without]
    estimates = session.run(row_estimates_sql(with_rowid)) if with_rowid else []
    has_stat1 = bool(session.run("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"))
    stat1 = session.run(STAT1) if has_stat1 else []
    return build_snapshot(
        settings,
        integrity=("integrity_check" if full else "quick_check", check_rows),
        foreign_keys=foreign_keys,
        violations=violations,
        tables=tables,
        estimates=estimates,
        stat1=stat1 if has_stat1 else None,
        file_bytes=file_bytes,
        unavailable=unavailable,
        source=str(session.path),
    )


def build_snapshot(
    settings: Mapping[str, Any],
    *,
    integrity: tuple[str, Sequence[tuple[Any, ...]]],
    foreign_keys: Sequence[tuple[Any, ...]],
    violations: Sequence[tuple[Any, ...]],
    tables: Sequence[tuple[Any, ...]],
    estimates: Sequence[tuple[Any, ...]],
    stat1: Sequence[tuple[Any, ...]] | None,
    file_bytes: int,
    unavailable: Mapping[str, str] | None = None,
    source: str = "",
) -> HealthSnapshot:
    """Rows of the statements above -> the snapshot. ``stat1`` is None when the file has no
    ``sqlite_stat1`` table (ANALYZE never ran)."""
    check_name, check_rows = integrity
    analyzed = {str(row[0]): int(str(row[2]).split()[0]) for row in stat1 or () if row[2]}
    by_name = {str(name): est for name, est in estimates}
    table_rows = tuple(
        MappingProxyType(
            {
                "table": str(name),
                "without_rowid": bool(without),
                "rows_estimate": None if by_name.get(str(name)) is None else int(by_name[str(name)]),
                "stat1_rows": analyzed.get(str(name)),
            }
        )
        for name, without in tables
    )
    results: dict[str, tuple[Mapping[str, Any], ...]] = {
        "tables": table_rows,
        "foreign_keys": tuple(
            MappingProxyType({"table": str(t), "id": int(i), "parent": str(p)}) for t, i, p in foreign_keys
        ),
        "foreign_key_violations": tuple(
            MappingProxyType({"table": str(t), "rowid": r, "parent": str(p), "fkid": int(f)})
            for t, r, p, f in violations
        ),
    }
    gone = dict(unavailable or {})
    if "integrity_check" not in gone:
        results["integrity_check"] = tuple(MappingProxyType({"message": str(row[0])}) for row in check_rows)
    return HealthSnapshot(
        engine=Engine.SQLITE,
        version=Version.parse(str(settings["version"])),
        settings=MappingProxyType({str(k): str(v) for k, v in settings.items()}),
        results=MappingProxyType(results),
        facts=MappingProxyType(
            {"file_bytes": file_bytes, "integrity_check": check_name, "has_stat1": stat1 is not None}
        ),
        unavailable=MappingProxyType(gone),
        source=source,
    )
