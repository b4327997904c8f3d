"""What-if index planning on SQLite, the way the shell's ``.expert`` does it: the schema and the
``sqlite_stat1`` / ``sqlite_stat4`` statistics are copied into an in-memory database (no rows), the
candidate indexes are created there, and the planner is asked for EXPLAIN QUERY PLAN.

SQLite reports no costs, so a plan is scored by its shape: a full scan counts the table's rows (from
sqlite_stat1, else 1000), an index search 10, a covering search 5, a temporary B-tree for ORDER BY or
GROUP BY 50. The score ranks configurations; it is not a time.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dbexpert.model import DbexpertError, InputError

DEFAULT_ROWS = 1000.0
SEARCH = 10.0
COVERING = 5.0
TEMP_BTREE = 50.0
_USING = re.compile(r"USING (?:COVERING )?INDEX (\S+)")


@dataclass(frozen=True, slots=True)
class WhatIfCost:
    cost: float
    used: frozenset[int]  # positions of the configuration's indexes the plan uses
    existing: frozenset[str]
    plan: tuple[str, ...]


class SqliteWhatIf:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.clone = sqlite3.connect(":memory:")
        self._rows: dict[str, float] = {}
        self._live: dict[str, str] = {}  # create SQL -> index name in the clone
        self._cache: dict[tuple[str, frozenset[str]], WhatIfCost] = {}
        self._copy_schema()

    def _copy_schema(self) -> None:
        rows = self.session.run(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END"
        )
        for kind, _, sql in rows:
            if kind in ("table", "index", "view"):
                self.clone.execute(sql)
        stats = {str(r[0]) for r in self.session.run("SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")}
        if "sqlite_stat1" not in stats:
            return
        self.clone.execute("ANALYZE sqlite_master")  # creates the (empty) statistics tables
        for tbl, idx, stat in self.session.run("SELECT tbl, idx, stat FROM sqlite_stat1"):
            self.clone.execute("INSERT INTO sqlite_stat1 VALUES (?, ?, ?)", (tbl, idx, stat))
            first = str(stat).split(" ", 1)[0]
            if first.isdigit():
                self._rows[str(tbl).lower()] = max(self._rows.get(str(tbl).lower(), 0.0), float(first))
        if "sqlite_stat4" in stats:
            try:
                for row in self.session.run("SELECT tbl, idx, neq, nlt, ndlt, sample FROM sqlite_stat4"):
                    self.clone.execute("INSERT INTO sqlite_stat4 VALUES (?, ?, ?, ?, ?, ?)", tuple(row))
            except (DbexpertError, sqlite3.Error):
                pass  # stat4 is optional: SQLite plans with stat1 alone
        self.clone.execute("ANALYZE sqlite_master")  # reload the copied statistics

    def cost(self, text: str, configuration: Sequence[str]) -> WhatIfCost:
        key = (text, frozenset(configuration))
        if key in self._cache:
            return self._cache[key]
        for sql in [s for s in self._live if s not in configuration]:
            self.clone.execute(f'DROP INDEX "{self._live.pop(sql)}"')
        for sql in configuration:
            if sql not in self._live:
                self.clone.execute(sql)
                self._live[sql] = _index_name(sql)
        try:
            details = tuple(str(r[3]) for r in self.clone.execute("EXPLAIN QUERY PLAN " + text).fetchall())
        except sqlite3.Error as exc:
            raise InputError(str(exc)) from None
        by_name = {self._live[s]: i for i, s in enumerate(configuration)}
        names = {m.group(1).strip('"') for d in details for m in _USING.finditer(d)}
        result = WhatIfCost(
            sum(self._score(d) for d in details),
            frozenset(by_name[n] for n in names if n in by_name),
            frozenset(n for n in names if n not in by_name),
            details,
        )
        self._cache[key] = result
        return result

    def _score(self, detail: str) -> float:
        words = detail.split()
        if not words:
            return 0.0
        if words[0] == "SCAN" and len(words) > 1:
            rows = self._rows.get(words[1].strip('"').lower(), DEFAULT_ROWS)
            return rows * (0.5 if "COVERING INDEX" in detail else 1.0)
        if words[0] == "SEARCH":
            return COVERING if "COVERING INDEX" in detail or "PRIMARY KEY" in detail else SEARCH
        if "TEMP B-TREE" in detail:
            return TEMP_BTREE
        return 0.0

    def close(self) -> None:
        self.clone.close()


def _index_name(create: str) -> str:
    match = re.match(r'\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:IF NOT EXISTS\s+)?("[^"]+"|\S+)', create, re.IGNORECASE)
    if match is None:
        raise InputError(f"not a CREATE INDEX statement: {create}")
    return match.group(1).strip('"')
