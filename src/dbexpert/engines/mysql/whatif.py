"""What-if index costing on MySQL/MariaDB, which have no hypothetical indexes: exact mode on a scratch
copy with sampled data.

A scratch database (``engines.mysql.scratch``: random name, always dropped) gets every base table
of the source (``SHOW CREATE TABLE``) and a sample of its rows: all of them up to ``sample_rows``,
otherwise a Bernoulli sample of about ``sample_rows`` (``WHERE RAND() < fraction``). A table whose
rows cannot be copied (no SELECT privilege, generated columns) is filled with synthetic rows
imitating the source's statistics (``engines.mysql.synthetic``). Then ``ANALYZE TABLE``.

Candidate indexes are really built there, once each, and switched off when a configuration does not
hold them (MySQL 8: ``INVISIBLE``; MariaDB 10.6+: ``IGNORED``), so each configuration costs only
metadata changes. The cost of a query is ``EXPLAIN FORMAT=JSON``'s ``query_cost`` (MySQL) or, where
the JSON carries none (MariaDB before 11), the session's ``Last_query_cost`` after the EXPLAIN. Both
are optimizer estimates on the sample, comparable between configurations, not times. The source
database is only read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import Any

import pymysql

from dbexpert.engines.mysql.scratch import Connection, clean_error, connect, execute, quote, scratch_database
from dbexpert.engines.mysql.synthetic import fill_tables
from dbexpert.model import Catalog, InputError

SAMPLE_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class WhatIfCost:
    cost: float
    used: frozenset[int]  # positions of the configuration's indexes the plan uses


class MysqlWhatIf:
    def __init__(self, session: Any, catalog: Catalog, sample_rows: int = SAMPLE_ROWS) -> None:
        self.session = session
        self.flavor: str = session.flavor
        self.hide = "IGNORED" if self.flavor == "mariadb" else "INVISIBLE"
        self.show = "NOT IGNORED" if self.flavor == "mariadb" else "VISIBLE"
        self._stack = ExitStack()
        self._built: dict[str, tuple[str, str] | None] = {}  # create SQL -> (table, index) or None: cannot build
        self._visible: set[str] = set()
        self._cache: dict[tuple[str, frozenset[str]], WhatIfCost] = {}
        self.sampled: dict[str, tuple[int, int]] = {}  # table -> (rows copied, source estimate)
        self.notes: list[str] = []
        try:
            url = replace(session.url, database=None)
            scratch = self._stack.enter_context(scratch_database(url))
            self.conn: Connection = connect(scratch, scratch.database)
            self._stack.callback(self.conn.close)
            self._copy(catalog, sample_rows)
        except BaseException:
            self._stack.close()
            raise

    # -- the sampled copy ----------------------------------------------------------------------------

    def _copy(self, catalog: Catalog, sample_rows: int) -> None:
        source = quote(self.session.database)
        execute(self.conn, "SET SESSION foreign_key_checks = 0")
        not_copied = []
        for table in catalog.tables:
            if table.kind not in ("table", "partitioned"):
                continue
            name = quote(table.name)
            create = self.session.run(f"SHOW CREATE TABLE {source}.{name}")[0]
            execute(self.conn, str(create.get("Create Table") or list(create.values())[1]))
            estimate = int(table.stats.row_estimate or 0) if table.stats and table.stats.row_estimate else 0
            sample = "" if estimate <= sample_rows else f" WHERE RAND() < {sample_rows / estimate:.6f}"
            try:
                execute(self.conn, f"INSERT INTO {name} SELECT * FROM {source}.{name}{sample}")
            except pymysql.err.MySQLError as exc:
                not_copied.append(table)
                self.notes.append(f"{table.name}: rows not copied ({clean_error(exc, self.session.url)}); synthetic rows")
                continue
            copied = int(execute(self.conn, f"SELECT COUNT(*) AS n FROM {name}")[0]["n"])
            self.sampled[table.qualified_name] = (copied, estimate)
        if not_copied:
            filled = fill_tables(
                self.conn, replace(catalog, tables=tuple(not_copied)), sample_rows, self.flavor, self.session.url, catalog
            )
            self.notes += filled.notes
        for table in catalog.tables:
            if table.kind in ("table", "partitioned"):
                execute(self.conn, f"ANALYZE TABLE {quote(table.name)}")

    # -- costing -------------------------------------------------------------------------------------

    def cost(self, text: str, indexes: Sequence[str]) -> WhatIfCost:
        key = (text, frozenset(indexes))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        names: dict[str, int] = {}
        for position, sql in enumerate(indexes):
            built = self._build(sql)
            if built is not None:
                names[built[1].lower()] = position
        self._show_only(set(indexes))
        try:
            rows = execute(self.conn, f"EXPLAIN FORMAT=JSON {text}")
        except pymysql.err.MySQLError as exc:
            raise InputError(clean_error(exc, self.session.url)) from None
        plan = json.loads(str(next(iter(rows[0].values()))))
        cost = plan.get("query_block", {}).get("cost_info", {}).get("query_cost")
        if cost is None:
            status = execute(self.conn, "SHOW SESSION STATUS LIKE 'Last_query_cost'")
            cost = status[0]["Value"] if status else 0
        used = frozenset(names[k.lower()] for k in _keys(plan) if k.lower() in names)
        result = WhatIfCost(float(cost), used)
        self._cache[key] = result
        return result

    def _build(self, sql: str) -> tuple[str, str] | None:
        if sql in self._built:
            return self._built[sql]
        name = f"w{len(self._built)}"
        # The candidate's CREATE INDEX with a short name of ours: MySQL names are 64 characters at most.
        table, _, rest = sql.partition(" ON ")[2].partition(" ")
        try:
            execute(self.conn, f"CREATE INDEX {name} ON {table} {rest}")
            execute(self.conn, f"ALTER TABLE {table} ALTER INDEX {name} {self.hide}")
            built: tuple[str, str] | None = (table, name)
        except pymysql.err.MySQLError as exc:  # e.g. an expression index on MariaDB
            self.notes.append(f"{sql}: cannot be built here ({clean_error(exc, self.session.url)})")
            built = None
        self._built[sql] = built
        return built

    def _show_only(self, wanted: set[str]) -> None:
        for sql in self._visible - wanted:
            table, name = self._built[sql] or ("", "")
            execute(self.conn, f"ALTER TABLE {table} ALTER INDEX {name} {self.hide}")
        for sql in wanted - self._visible:
            built = self._built.get(sql)
            if built is not None:
                execute(self.conn, f"ALTER TABLE {built[0]} ALTER INDEX {built[1]} {self.show}")
        self._visible = {sql for sql in wanted if self._built.get(sql) is not None}

    def close(self) -> None:
        self._stack.close()


def _keys(node: Any) -> Iterator[str]:
    """Every index a JSON plan uses (``key`` of table accesses, at any depth)."""
    if isinstance(node, dict):
        key = node.get("key")
        if isinstance(key, str):
            yield key
        for value in node.values():
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)
