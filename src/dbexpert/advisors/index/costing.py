"""What-if costing back ends: one per engine, all answering ``evaluate(text, configuration)``.

PostgreSQL: hypopg hypothetical indexes in the read-only session (planner cost estimates).
SQLite: an in-memory clone of the schema and its statistics, asked for EXPLAIN QUERY PLAN (SQLite
has no costs: plan shapes are ranked, a full scan above an index search above a covering search).
MySQL/MariaDB: exact mode, the candidates really built on a scratch copy with sampled data and the
optimizer's cost read from EXPLAIN FORMAT=JSON.
"""

from __future__ import annotations

from typing import Any, Protocol

from dbexpert.advisors.index.candidates import Candidate
from dbexpert.advisors.index.select import Evaluation
from dbexpert.model import Catalog, DbexpertError, Engine, InputError


class Costing(Protocol):
    generic_plans: bool
    note: str

    def evaluate(self, text: str, config: tuple[Candidate, ...]) -> Evaluation: ...

    def samples(self, tables: list[str]) -> dict[tuple[str, str], str]: ...

    def hypopg_bytes(self, candidates: list[Candidate]) -> dict[str, int]: ...

    def close(self) -> None: ...


class PostgresCosting:
    def __init__(self, session: Any, create: bool) -> None:
        from dbexpert.engines.postgres.whatif import PostgresWhatIf

        self.whatif = PostgresWhatIf(session, create)
        self.session = session
        self._statements: dict[Candidate, str] = {}
        self.generic_plans = self.whatif.generic_plans
        self.note = (
            "costs are PostgreSQL planner estimates with hypopg hypothetical indexes (plain EXPLAIN), "
            "not measurements; sizes are modelled real bytes (B-tree deduplication counted)"
        )

    def evaluate(self, text: str, config: tuple[Candidate, ...]) -> Evaluation:
        result = self.whatif.cost(text, [self._sql(c) for c in config])
        return Evaluation(result.cost, frozenset(config[i] for i in result.used))

    def _sql(self, candidate: Candidate) -> str:
        """``candidate.sql()``, kept: the selection asks for the same candidates thousands of times."""
        found = self._statements.get(candidate)
        if found is None:
            found = self._statements[candidate] = candidate.sql()
        return found

    def samples(self, tables: list[str]) -> dict[tuple[str, str], str]:
        if self.generic_plans:
            return {}
        from dbexpert.engines.postgres.whatif import column_samples

        return column_samples(self.session, sorted(set(tables)))

    def hypopg_bytes(self, candidates: list[Candidate]) -> dict[str, int]:
        sizes = {}
        for candidate in candidates:
            try:
                sizes[candidate.sql()] = self.whatif.hypopg_bytes(candidate.sql())
            except DbexpertError:
                continue
        return sizes

    def close(self) -> None:
        self.whatif.close()


class SqliteCosting:
    generic_plans = False
    note = (
        "SQLite has no plan costs: each query is ranked by its plan shape on an in-memory clone with the "
        "same sqlite_stat1 statistics (full scan 1000 per table, index search 10, covering search 1)"
    )

    def __init__(self, session: Any) -> None:
        from dbexpert.engines.sqlite.whatif import SqliteWhatIf

        self.whatif = SqliteWhatIf(session)

    def evaluate(self, text: str, config: tuple[Candidate, ...]) -> Evaluation:
        result = self.whatif.cost(text, [c.sql() for c in config])
        return Evaluation(result.cost, frozenset(config[i] for i in result.used))

    def samples(self, tables: list[str]) -> dict[tuple[str, str], str]:
        return {}

    def hypopg_bytes(self, candidates: list[Candidate]) -> dict[str, int]:
        return {}

    def close(self) -> None:
        self.whatif.close()


class MysqlCosting:
    generic_plans = False

    def __init__(self, session: Any, catalog: Catalog) -> None:
        from dbexpert.engines.mysql.whatif import MysqlWhatIf

        self.whatif = MysqlWhatIf(session, catalog)
        sampled = ", ".join(f"{t} {copied:,} of ~{total:,} rows" for t, (copied, total) in self.whatif.sampled.items())
        self.note = (
            "costed on a scratch copy with sampled data (exact mode: candidate indexes built there, "
            f"optimizer cost from EXPLAIN FORMAT=JSON; sample: {sampled or 'no rows'}); the copy is dropped. "
            "Sizes are modelled InnoDB bytes as CREATE INDEX builds them"
        )

    def evaluate(self, text: str, config: tuple[Candidate, ...]) -> Evaluation:
        result = self.whatif.cost(text, [c.sql() for c in config])
        return Evaluation(result.cost, frozenset(config[i] for i in result.used))

    def samples(self, tables: list[str]) -> dict[tuple[str, str], str]:
        return {}

    def hypopg_bytes(self, candidates: list[Candidate]) -> dict[str, int]:
        return {}

    def close(self) -> None:
        # What the copy could not do (rows not copied, indexes not buildable) joins the note.
        self.note = "; ".join([self.note, *self.whatif.notes])
        self.whatif.close()


def costing_for(session: Any, catalog: Catalog, create_hypopg: bool) -> Costing:
    if catalog.engine is Engine.POSTGRES:
        return PostgresCosting(session, create_hypopg)
    if catalog.engine is Engine.SQLITE:
        return SqliteCosting(session)
    if catalog.engine is Engine.MYSQL:
        return MysqlCosting(session, catalog)
    raise InputError(f"index advise cannot cost indexes on {catalog.engine.value}")
