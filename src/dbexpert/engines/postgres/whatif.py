"""What-if costing of index configurations with hypopg, the workload from pg_stat_statements, and the
executed check on a scratch copy.

hypopg keeps hypothetical indexes in the backend's memory and writes nothing, so it works in the
read-only session. The session keeps the hypothetical set of the last configuration and only
creates and drops the difference; every (statement, configuration) cost is cached. Costs are the
planner's estimates (plain EXPLAIN), never measurements. On PostgreSQL 16+ a statement with ``$n``
parameters is costed with ``EXPLAIN (GENERIC_PLAN)``. The executed check on a scratch copy is
``engines.postgres.verify``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString, cast

import psycopg

from dbexpert.engines.postgres.connect import PostgresSession
from dbexpert.engines.postgres.hypopg import (
    HYPOPG_INSTALL,
    create_hypopg,
    hypopg_installed,
    index_names,
    reset_hypothetical,
)
from dbexpert.engines.postgres.scratch import clean_error
from dbexpert.model import DbexpertError, InputError

GENERIC_PLAN_VERSION = 160000
PG_STAT_STATEMENTS_REMEDY = (
    "add pg_stat_statements to shared_preload_libraries, restart, CREATE EXTENSION pg_stat_statements; "
    "and grant pg_read_all_stats to this role"
)


@dataclass(frozen=True, slots=True)
class WhatIfCost:
    cost: float
    used: frozenset[int]  # positions (in the configuration given) of the hypothetical indexes the plan uses
    existing: frozenset[str]  # names of real indexes the plan uses


class PostgresWhatIf:
    """Cost statements under hypothetical index configurations, in one read-only session."""

    def __init__(self, session: PostgresSession, create: bool = False) -> None:
        self.session = session
        if not hypopg_installed(session):
            if not create:
                raise InputError(
                    f"{session.url.redacted()}: the hypopg extension is missing: {HYPOPG_INSTALL} "
                    "(or pass --create-hypopg to create it)"
                )
            create_hypopg(session)
        self._live: dict[str, tuple[int, str]] = {}  # create SQL -> (oid, hypothetical name)
        self._cache: dict[tuple[str, frozenset[str]], WhatIfCost] = {}
        self.explains = 0
        self.session.fetch("hypopg_reset", "SELECT hypopg_reset()")

    @property
    def generic_plans(self) -> bool:
        return self.session.server_version_num >= GENERIC_PLAN_VERSION

    def cost(self, text: str, configuration: Sequence[str]) -> WhatIfCost:
        """The planner's total cost of ``text`` with the hypothetical indexes ``configuration``
        (CREATE INDEX statements, without CONCURRENTLY) in place. Raises InputError when the
        statement cannot be planned (unknown table, syntax)."""
        key = (text, frozenset(configuration))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        self._configure(configuration)
        plan = self._explain(text)
        names = set(index_names(plan))
        by_name = {self._live[sql][1]: position for position, sql in enumerate(configuration)}
        result = WhatIfCost(
            cost=float(plan[0]["Plan"]["Total Cost"]),
            used=frozenset(by_name[n] for n in names if n in by_name),
            existing=frozenset(n for n in names if n not in by_name),
        )
        self._cache[key] = result
        return result

    def hypopg_bytes(self, create_sql: str) -> int:
        """hypopg's own size estimate of one index (for comparison with the real-size model)."""
        self._configure([*self._live, create_sql])
        oid = self._live[create_sql][0]
        rows = self.session.fetch("hypopg_relation_size", "SELECT hypopg_relation_size(%(oid)s) AS size", {"oid": oid})
        return int(rows[0]["size"])

    def close(self) -> None:
        reset_hypothetical(self.session)
        self._live.clear()

    def _configure(self, configuration: Sequence[str]) -> None:
        wanted = set(configuration)
        for sql in [s for s in self._live if s not in wanted]:
            oid, _ = self._live.pop(sql)
            self.session.fetch("hypopg_drop_index", "SELECT hypopg_drop_index(%(oid)s)", {"oid": oid})
        for sql in configuration:
            if sql in self._live:
                continue
            try:
                rows = self.session.fetch(
                    "hypopg_create_index",
                    "SELECT indexrelid, indexname FROM hypopg_create_index(%(sql)s)",
                    {"sql": sql},
                )
            except DbexpertError as exc:
                raise InputError(f"hypopg cannot create {sql}: {exc}") from None
            self._live[sql] = (int(rows[0]["indexrelid"]), str(rows[0]["indexname"]))

    def _explain(self, text: str) -> Any:
        generic = "GENERIC_PLAN, " if self.generic_plans and "$" in text else ""
        self.explains += 1
        self.session.round_trips += 1
        try:
            with self.session.connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN ({generic}FORMAT JSON) {text}".encode())
                row = cursor.fetchone()
        except psycopg.Error as exc:
            connection = self.session.connection
            if connection.broken or connection.closed:
                raise
            raise InputError(clean_error(exc, self.session.url).split(" LINE ")[0]) from None
        value = next(iter(row.values())) if row else None
        return json.loads(value) if isinstance(value, str) else value


def top_statements(session: PostgresSession, limit: int) -> list[dict[str, Any]]:
    """The ``limit`` statements with the most total execution time: query, calls, total_ms, queryid."""
    rows = session.fetch(
        "pg_stat_statements_installed",
        "SELECT 1 AS installed FROM pg_extension WHERE extname = 'pg_stat_statements'",
    )
    if not rows:
        raise InputError(f"{session.url.redacted()}: pg_stat_statements is not installed: {PG_STAT_STATEMENTS_REMEDY}")
    total = "total_exec_time" if session.server_version_num >= 130000 else "total_time"
    query = f"""
        SELECT queryid::text AS queryid, query, calls, {total} AS total_ms
        FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND query ~* '^\\s*(select|with)\\s'
          AND query !~* 'pg_stat_statements|pg_catalog|hypopg'
        ORDER BY {total} DESC
        LIMIT %(limit)s
    """
    try:
        return session.fetch("pg_stat_statements", cast(LiteralString, query), {"limit": limit})
    except DbexpertError as exc:
        raise InputError(f"{exc} ({PG_STAT_STATEMENTS_REMEDY})") from None


def column_samples(session: PostgresSession, tables: Sequence[str]) -> dict[tuple[str, str], str]:
    """A representative value per (table, column) from pg_stats: the most common value, else the
    middle histogram bound; what fills ``$n`` parameters where generic plans are unavailable."""
    rows = session.fetch(
        "pg_stats_samples",
        """
        SELECT tablename, attname,
               (most_common_vals::text::text[])[1] AS common,
               (histogram_bounds::text::text[])[greatest(1, array_length(histogram_bounds::text::text[], 1) / 2)]
                   AS middle
        FROM pg_stats
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename = ANY(%(tables)s)
        """,
        {"tables": list(tables)},
    )
    samples: dict[tuple[str, str], str] = {}
    for row in rows:
        value = row["common"] if row["common"] is not None else row["middle"]
        if value is not None:
            samples[(str(row["tablename"]).lower(), str(row["attname"]).lower())] = str(value)
    return samples
