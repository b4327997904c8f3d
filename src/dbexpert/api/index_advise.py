"""``index advise``: the best index set for a whole workload under a storage budget.

Workload -> per-table access (``dbexpert.sql``) -> candidates -> budgeted greedy selection over
what-if costs (PostgreSQL: hypopg in the read-only session; SQLite: the planner of an in-memory
clone with the same statistics) -> optionally the executed check on a scratch copy. Dropping
duplicate, prefix-redundant and unused indexes comes from the schema rules of the same names.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.advisors.index.candidates import (
    Candidate,
    Rejected,
    candidates_for,
    estimated_bound,
    estimated_bytes,
    served_by_existing,
)
from dbexpert.advisors.index.costing import Costing, costing_for
from dbexpert.advisors.index.select import Evaluation, Selection, WorkItem, select
from dbexpert.advisors.index.workload import WorkloadQuery, from_csv, from_events, from_json, from_sql
from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import Catalog, Engine, Finding, InputError
from dbexpert.report import ReportData
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema import duplicate_index, redundant_prefix_index, unused_index
from dbexpert.sql.parse import SqlSyntaxError
from dbexpert.sql.query.index_candidates import TableAccess, bind_parameters, query_access
from dbexpert.sql.query.tree import parse_queries

PG_STAT_STATEMENTS = "pg_stat_statements"
# Files a workload folder contributes: queries (.sql), query lists (.csv/.json, unless they are a
# log or export ``workload analyze`` reads) and logs.
_WORKLOAD_SUFFIXES = (".sql", ".csv", ".json", ".jsonl", ".ndjson", ".log", ".gz")
SLOWER_LIMIT = 1.30
# Rows written per scan above which a table counts as write-heavy, and how much of an index's read
# benefit survives there (a heuristic: PostgreSQL's EXPLAIN does not price index maintenance).
WRITE_HEAVY_SHARE = 0.5
WRITE_DISCOUNT = 0.5


_COSTS_ARE = {
    Engine.POSTGRES: "planner estimates with hypothetical indexes (not measured)",
    Engine.SQLITE: "SQLite plan shapes: scan -> search -> covering (no costs)",
    Engine.MYSQL: "optimizer estimates on a scratch copy with sampled data, indexes built there (not measured)",
}


@dataclass(frozen=True, slots=True)
class AdvisedQuery:
    number: int
    query: WorkloadQuery
    text: str  # what was costed (parameters filled)
    tables: tuple[str, ...]
    accesses: tuple[TableAccess, ...]


@dataclass(frozen=True, slots=True)
class Verification:
    per_query: tuple[dict[str, Any], ...]
    total_ratio: float
    dropped: tuple[Rejected, ...]


@dataclass(frozen=True, slots=True)
class IndexAdvice:
    target: str
    engine: Engine
    queries: tuple[AdvisedQuery, ...]
    selection: Selection
    skipped: tuple[str, ...]
    findings: tuple[Finding, ...]
    budget_bytes: int
    verification: Verification | None = None
    notes: tuple[str, ...] = ()
    hypopg_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def recommended(self) -> list[Any]:
        dropped = {r.what for r in self.verification.dropped} if self.verification else set()
        return [r for r in self.selection.recommended if r.candidate.sql(name=False) not in dropped]

    def indexes_json(self) -> list[dict[str, Any]]:
        by_number = {q.number: q for q in self.queries}
        concurrently = self.engine is Engine.POSTGRES
        return [
            {
                "name": r.candidate.name,
                "table": r.candidate.table,
                "sql": r.candidate.sql(concurrently=concurrently) + ";",
                "size_bytes": r.size_bytes,
                "size_bound_bytes": r.bound_bytes,
                "hypopg_size_bytes": self.hypopg_bytes.get(r.candidate.sql()),
                "queries": [by_number[n].query.where for n in r.queries],
                "benefit": r.benefit,
                "reason": r.reason,
            }
            for r in self.recommended
        ]

    def report(self) -> ReportData:
        by_number = {q.number: q for q in self.queries}
        selection = self.selection
        rejected = [*selection.rejected, *(self.verification.dropped if self.verification else ())]
        extra: dict[str, Any] = {
            "indexes": self.indexes_json(),
            "queries": [
                {
                    "query": by_number[c.number].query.where,
                    "weight": by_number[c.number].query.weight,
                    "cost_before": c.before,
                    "cost_after": c.after,
                }
                for c in selection.costs
            ],
            "rejected": [{"table": r.table, "index": r.what, "reason": r.reason} for r in rejected],
            "skipped": list(self.skipped),
        }
        if self.verification is not None:
            extra["verification"] = {
                "per_query": list(self.verification.per_query),
                "total_time_ratio": self.verification.total_ratio,
            }
        summary = {
            "engine": self.engine.value,
            "mode": "exact" if self.verification else "live",
            "queries": len(self.queries),
            "skipped": len(self.skipped),
            "budget_bytes": self.budget_bytes,
            "recommended_bytes": sum(r.size_bytes for r in self.recommended),
            "recommended_bound_bytes": sum(r.bound_bytes for r in self.recommended),
            "cost_before": round(selection.cost_before, 2),
            "cost_after": round(selection.cost_after, 2),
            "cost_ratio": round(selection.ratio, 4),
            "costs_are": _COSTS_ARE[self.engine],
        }
        return ReportData(
            command="index advise",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType(extra),
            problems=self.skipped,
            notes=self.notes,
        )

    def text(self) -> str:
        """The human report: statements to run, per-index and per-query figures, what was rejected."""
        by_number = {q.number: q for q in self.queries}
        s = self.selection
        lines = [
            f"dbexpert index advise — {self.target}: {len(self.recommended)} index(es), "
            f"{_mb(sum(r.size_bytes for r in self.recommended))} modelled, at most "
            f"{_mb(sum(r.bound_bytes for r in self.recommended))} of {_mb(self.budget_bytes)}; "
            f"estimated workload cost {s.cost_before:.1f} -> {s.cost_after:.1f} (x{s.ratio:.3f})",
        ]
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"skipped: {q}" for q in self.skipped]
        if self.recommended:
            lines.append("\nRecommended indexes")
        for item in self.indexes_json():
            lines.append(f"  {item['sql']}")
            lines.append(
                f"    size ≈ {_mb(item['size_bytes'])} (modelled real bytes, at most {_mb(item['size_bound_bytes'])}), "
                f"benefit {item['benefit']}, "
                f"{item['reason']}; serves {', '.join(item['queries'])}"
            )
        lines.append("\nQueries (estimated cost before -> after)")
        for c in s.costs:
            lines.append(f"  {by_number[c.number].query.where}: {c.before:.1f} -> {c.after:.1f}")
        if self.verification is not None:
            lines.append(
                f"\nExecuted on the scratch copy (median of 5 runs): total time x{self.verification.total_ratio:.3f}"
            )
            for row in self.verification.per_query:
                lines.append(f"  {row['query']}: {_timed(row, 'before')} -> {_timed(row, 'after')} (x{row['ratio']:.2f})")
        rejected = [*s.rejected, *(self.verification.dropped if self.verification else ())]
        if rejected:
            lines.append("\nConsidered and rejected")
        lines += [f"  {r.what}: {r.reason}" for r in rejected]
        if self.findings:
            lines.append("\nExisting indexes to drop")
        for finding in self.findings:
            lines.append(f"  {finding.rule}: {finding.message}")
            if finding.fix is not None and finding.fix.sql:
                lines.append(f"    {finding.fix.sql}")
        return "\n".join(lines) + "\n"


def index_advise(
    url: str | DatabaseUrl,
    workload: str,
    budget_mb: float = 500.0,
    max_indexes: int = 10,
    max_width: int = 3,
    verify: str | None = None,
    create_hypopg: bool = False,
    top: int = 50,
    options: SessionOptions | None = None,
    verify_timeout_s: float = 300.0,
) -> IndexAdvice:
    database = url if isinstance(url, DatabaseUrl) else parse_url(url)
    scratch = _scratch_url(database, verify) if verify else None
    budget = int(budget_mb * 1024 * 1024)
    options = options or SessionOptions()
    with connect(database, options) as session:
        catalog = session.introspect()
        raw, skipped = _workload(workload, database.engine, session, top)
        costing = costing_for(session, catalog, create_hypopg)
        try:
            queries, more = _prepare(raw, catalog, session, costing)
            skipped += more
            accesses = [(q.number, a) for q in queries for a in q.accesses]
            candidates = candidates_for(accesses, catalog, max_width)
            items = [
                WorkItem(
                    q.number,
                    q.query.weight,
                    frozenset(q.tables),
                    frozenset((t, c) for t, a in zip(q.tables, q.accesses, strict=True) for c in a.columns),
                )
                for q in queries
            ]
            texts = {q.number: q.text for q in queries}
            tables = {t.qualified_name: t for t in catalog.tables}

            def cost(item: WorkItem, config: tuple[Candidate, ...]) -> Evaluation:
                return costing.evaluate(texts[item.number], config)

            def size(candidate: Candidate) -> int:
                return estimated_bytes(candidate, tables[candidate.table])

            def bound(candidate: Candidate) -> int:
                return estimated_bound(candidate, tables[candidate.table])

            selection = select(
                items,
                candidates.paths,
                size,
                cost,
                budget,
                max_indexes,
                _write_factors(catalog),
                max_width=max_width,
                existing=lambda c: served_by_existing(c, tables[c.table]) is not None,
                bound_of=bound,
                # an existing index whose keys begin with a candidate's: the merge tries it alone
                existing_key=lambda c: served_by_existing(replace(c, include=()), tables[c.table]),
            )
            selection = Selection(
                selection.recommended,
                (*candidates.rejected, *selection.rejected),
                selection.costs,
                selection.cost_before,
                selection.cost_after,
                selection.steps,
            )
            hypo = costing.hypopg_bytes([r.candidate for r in selection.recommended])
        finally:
            costing.close()
    # Dropping duplicate, prefix-redundant and unused indexes: the schema rules of those names.
    drop_rules = (duplicate_index.RULE, redundant_prefix_index.RULE, unused_index.RULE)
    findings = tuple(run_rules(catalog, drop_rules))
    notes = [costing.note]
    advice = IndexAdvice(
        database.redacted(),
        database.engine,
        tuple(queries),
        selection,
        tuple(skipped),
        findings,
        budget,
        notes=tuple(n for n in notes if n),
        hypopg_bytes=hypo,
    )
    if scratch is not None:
        advice = _verified(advice, scratch, verify_timeout_s)
    return advice


# -- workload ----------------------------------------------------------------------------------------


def _workload(source: str, engine: Engine, session: Any, top: int) -> tuple[list[WorkloadQuery], list[str]]:
    if source == PG_STAT_STATEMENTS or source.startswith(PG_STAT_STATEMENTS + ":"):
        if engine is not Engine.POSTGRES:
            raise InputError(f"{source}: pg_stat_statements is a PostgreSQL workload source")
        from dbexpert.engines.postgres.whatif import top_statements

        limit = int(source.split(":", 1)[1]) if ":" in source else top
        rows = top_statements(session, limit)
        return [
            WorkloadQuery(
                str(r["query"]), float(r["calls"]), PG_STAT_STATEMENTS, 1, f"queryid {r['queryid']}"
            )
            for r in rows
        ], []
    path = Path(source)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _WORKLOAD_SUFFIXES)
        if not files:
            raise InputError(f"{source}: no workload files (.sql, .csv, .json, logs) in this folder")
    elif path.is_file():
        files = [path]
    else:
        raise InputError(f"{source}: no such workload file or folder (or write {PG_STAT_STATEMENTS})")
    queries: list[WorkloadQuery] = []
    skipped: list[str] = []
    for file in files:
        found, bad = _workload_file(file, engine, top)
        queries += found
        skipped += bad
    return queries, skipped


def _workload_file(file: Path, engine: Engine, top: int) -> tuple[list[WorkloadQuery], list[str]]:
    """One file: SQL text, a query list, or a log / export read like ``workload analyze`` does."""
    from dbexpert.sources.logs import detect_format, read_events

    suffix = file.suffix.lower()
    if suffix in (".csv", ".json"):
        try:
            detect_format(file)
        except InputError:  # not a log or export: a list of queries and frequencies
            text = _read(file)
            return (from_csv(text, str(file)) if suffix == ".csv" else from_json(text, str(file))), []
    elif suffix == ".sql":
        return from_sql(_read(file), engine, str(file))
    return from_events(read_events(file), top)


def _read(file: Path) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}:1:1: cannot read the workload: {exc}") from None


def _prepare(
    raw: list[WorkloadQuery], catalog: Catalog, session: Any, costing: Costing
) -> tuple[list[AdvisedQuery], list[str]]:
    """Parse, resolve tables, fill parameters and cost once with no new index; what fails is skipped."""
    known = {t.name.lower() for t in catalog.tables}
    columns: dict[str, set[str]] = {}  # bare columns of multi-table queries resolve through these
    for table in catalog.tables:
        columns.setdefault(table.name.lower(), set()).update(c.name.lower() for c in table.columns)
    skipped: list[str] = []
    parsed = []
    for query in raw:
        try:
            result = parse_queries(query.text, catalog.engine, query.path)
        except SqlSyntaxError as exc:
            skipped.append(f"{query.where}: skipped: {exc.reason}")
            continue
        if result.errors or result.skipped or len(result.queries) != 1:
            reason = (
                result.errors[0].reason
                if result.errors
                else (result.skipped[0].split(": ", 2)[-1] if result.skipped else "not a single query")
            )
            skipped.append(f"{query.where}: skipped: {reason}")
            continue
        tree = result.queries[0]
        if tree.kind != "select":
            skipped.append(f"{query.where}: skipped: only SELECT statements are advised ({tree.kind})")
            continue
        access = query_access(tree, columns)
        unknown = [t for t in access.table_names if t not in known]
        if unknown:
            skipped.append(f"{query.where}: skipped: unknown table {', '.join(unknown)}")
            continue
        parsed.append((query, tree, access))
    samples = costing.samples([t for _, _, a in parsed for t in a.table_names]) if parsed else {}
    prepared: list[AdvisedQuery] = []
    for number, (query, tree, access) in enumerate(parsed, start=1):
        text = query.text
        if tree.has_parameters and not costing.generic_plans:
            bound = bind_parameters(
                tree, lambda table, column: samples.get(((table or "").lower(), column.lower())), columns
            )
            if bound is None:
                skipped.append(
                    f"{query.where}: skipped: a parameter has no column statistics to fill it (run ANALYZE)"
                )
                continue
            text = bound
        tables = tuple(_qualified(catalog, a.table) for a in access.tables)
        try:
            costing.evaluate(text, ())
        except InputError as exc:
            skipped.append(f"{query.where}: skipped: the planner rejected it: {exc}")
            continue
        prepared.append(AdvisedQuery(number, query, text, tables, access.tables))
    return prepared, skipped


def _qualified(catalog: Catalog, name: str) -> str:
    table = catalog.table(name)
    return table.qualified_name if table else name


def _write_factors(catalog: Catalog) -> dict[str, float]:
    factors: dict[str, float] = {}
    for table in catalog.tables:
        stats = table.stats
        if stats is None:
            continue
        writes = (stats.inserts or 0) + (stats.updates or 0) + (stats.deletes or 0)
        reads = (stats.seq_scans or 0) + (stats.index_scans or 0)
        share = writes / (writes + reads) if writes + reads else 0.0
        if share >= WRITE_HEAVY_SHARE:
            factors[table.qualified_name] = 1.0 - WRITE_DISCOUNT * share
    return factors


def _scratch_url(database: DatabaseUrl, verify: str) -> DatabaseUrl:
    scratch = parse_url(verify)
    if scratch.engine is not database.engine:
        raise InputError(f"--verify {scratch.redacted()}: the scratch copy must be the same engine as --url")
    same = (
        scratch.path is not None
        and database.path is not None
        and scratch.path.resolve() == database.path.resolve()
    ) or (
        scratch.engine is not Engine.SQLITE
        and (_local(scratch.host), scratch.port or 5432, scratch.database)
        == (_local(database.host), database.port or 5432, database.database)
    )
    if same:
        raise InputError(
            f"--verify {scratch.redacted()}: refusing to build indexes in the database --url names; "
            "give a scratch copy"
        )
    return scratch


def _local(host: str | None) -> str:
    """The loopback server under any of its names: localhost and 127.0.0.1 are one database server."""
    return "localhost" if not host or host in ("127.0.0.1", "::1", "[::1]") else host.lower()


def _timed(row: dict[str, Any], side: str) -> str:
    """One side of a verified query's time: "12.34 ms", or "timed out (> 300 s)"."""
    if row[f"{side}_timed_out"]:
        return f"timed out (> {row[f'{side}_ms'] / 1000:g} s)"
    return f"{row[f'{side}_ms']:.2f} ms"


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{math.ceil(size / 1024)} kB"


__all__ = ["IndexAdvice", "index_advise"]


def _verified(advice: IndexAdvice, scratch: DatabaseUrl, timeout_s: float) -> IndexAdvice:
    """The advice with the executed check on ``scratch``: indexes no plan used or that made a query
    more than 30 % slower (the culprits among the indexes its plan used) move to the rejected list,
    and the rest is checked again — without them the planner may pick other plans — until a round
    drops nothing; the timings reported are the final set's."""
    from dbexpert.advisors.index.verify import verify

    recommended = {r.candidate.name: r.candidate for r in advice.selection.recommended}
    queries = [(q.query.where, q.text) for q in advice.queries]
    result, left_out, rounds = verify(
        scratch,
        [(n, c.sql()) for n, c in recommended.items()],
        queries,
        SLOWER_LIMIT,
        timeout_ms=max(1, round(timeout_s * 1000)),
    )
    dropped = [
        Rejected(recommended[n].table, recommended[n].sql(name=False), f"built on the scratch copy, {reason}")
        for n, reason in left_out.items()
    ]
    per_query = tuple(
        {
            "query": t.label,
            "before_ms": round(t.before_ms, 3),
            "after_ms": round(t.after_ms, 3),
            "ratio": round(t.ratio, 3),
            "indexes_used": sorted(t.indexes_used),
            "before_timed_out": t.before_timed_out,
            "after_timed_out": t.after_timed_out,
        }
        for t in result.timings
    )
    weights = {q.query.where: q.query.weight for q in advice.queries}
    settled = [t for t in result.timings if t.settled]  # a timed-out query has no time to add
    before = sum(weights[t.label] * t.before_ms for t in settled)
    after = sum(weights[t.label] * t.after_ms for t in settled)
    total = after / before if before > 0 else 1.0  # weighted like the workload
    verification = Verification(per_query, round(total, 4), tuple(dropped))
    notes = [
        *advice.notes,
        f"executed check on {scratch.redacted()}: median of 5 runs per query (at most {timeout_s:g} s a run), "
        f"{rounds} round(s) until no index was unused or made a query more than 30 % slower (a slower query "
        "blames only the indexes whose absence makes it fast again), indexes dropped after",
    ]
    if result.unexplained:
        notes.append(
            f"{', '.join(result.unexplained)}: more than 30 % slower on the scratch copy, and no faster with "
            "any recommended index hidden: not the indexes' doing (the machine's load?)"
        )
    return replace(advice, verification=verification, notes=tuple(notes))
