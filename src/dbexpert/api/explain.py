"""``explain``: run the engine's EXPLAIN on one statement over a read-only session, and interpret it.

The plan goes through the same readers and plan rules as ``plan``. Findings point at the statement
in the user's SQL (the plan's own line is kept in the evidence). On PostgreSQL, a finding whose fix
creates an index is priced with hypopg when the extension is installed: a hypothetical index, a
plain EXPLAIN before and after, reported as the planner's estimate, never as a measured speed-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from dbexpert.api.config import Config, validate
from dbexpert.api.plan import PlanAnalysis, analyze_plan
from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import DbexpertError, Engine, Finding, Location
from dbexpert.model.finding import Mode
from dbexpert.report import ReportData
from dbexpert.rules.registry import Registry, registry
from dbexpert.sql.classify import ExplainableStatement, explainable_statement

_HYPOPG_SOURCE = "planner estimate: hypopg hypothetical index, plain EXPLAIN before and after (not measured)"


@dataclass(frozen=True, slots=True)
class ExplainResult:
    analysis: PlanAnalysis
    statement: ExplainableStatement
    findings: tuple[Finding, ...]
    target: str  # the redacted URL
    plan_text: str  # what the server printed (SQLite: rendered as the shell's tree)
    notes: tuple[str, ...] = ()

    def report(self) -> ReportData:
        base = self.analysis.report()
        notes = base.notes
        if not self.analysis.plan.analyzed and self.analysis.plan.engine is not Engine.SQLITE:
            notes = (
                "the plan has estimates only: pass --analyze for actual rows (it executes the statement)",
            )
        summary = {**base.summary, "mode": "live", "statement": self.statement.verb}
        extra = {**base.extra, "plan_text": self.plan_text}
        return replace(
            base,
            command="explain",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(summary),
            extra=MappingProxyType(extra),
            notes=(*notes, *self.notes),
        )


def explain(
    url: str | DatabaseUrl,
    sql: str,
    config: Config | None = None,
    analyze: bool = False,
    analyze_writes: bool = False,
    hypothetical: bool = True,
    create_hypopg: bool = False,
    path: str = "<sql>",
    rules: Registry | None = None,
    options: SessionOptions | None = None,
) -> ExplainResult:
    """EXPLAIN ``sql`` (one statement, read from ``path``) on the database at ``url`` and run the plan rules.

    ``analyze`` executes the statement (reads in a read-only transaction); ``analyze_writes``
    allows writes, run in a READ WRITE transaction that is always rolled back.
    """
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)  # a bad --select fails before we connect
    database = url if isinstance(url, DatabaseUrl) else parse_url(url)
    options = options or SessionOptions()
    # Classified before connecting: DDL and several statements are refused without a round trip.
    statement = explainable_statement(sql, database.engine, path)
    notes: list[str] = []
    with connect(database, options) as session:
        text = _plan_text(session, statement, analyze, analyze_writes)
        notes += _run_notes(database.engine, statement, analyze, analyze_writes, options)
        analysis = analyze_plan(text, path, config, rules, database.engine)
        findings = tuple(_at_statement(f, statement) for f in analysis.findings)
        if database.engine is Engine.POSTGRES and hypothetical and _index_fixes(findings):
            findings = _with_hypothetical(session, statement, findings, create_hypopg, notes)
    return ExplainResult(analysis, statement, findings, database.redacted(), text, tuple(notes))


def _plan_text(session: Any, statement: ExplainableStatement, analyze: bool, allow_writes: bool) -> str:
    engine = session.url.engine
    if engine is Engine.POSTGRES:
        from dbexpert.engines.postgres import explain as pg

        return pg.explain_plan(session, statement, analyze, allow_writes)
    if engine is Engine.MYSQL:
        from dbexpert.engines.mysql import explain as my

        return my.explain_plan(session, statement, analyze, allow_writes)
    from dbexpert.engines.sqlite import explain as lite

    return lite.explain_plan(session, statement)


def _run_notes(
    engine: Engine,
    statement: ExplainableStatement,
    analyze: bool,
    allow_writes: bool,
    options: SessionOptions,
) -> list[str]:
    limits = f"statement timeout {options.statement_timeout_ms} ms, lock timeout {options.lock_timeout_ms} ms"
    if engine is Engine.SQLITE:
        return [
            "EXPLAIN QUERY PLAN compiled the statement without running it (SQLite has no ANALYZE with actual rows)"
        ]
    runs = analyze or (engine is Engine.MYSQL and statement.writes)
    if statement.writes and runs and allow_writes:
        what = "executed" if analyze else "explained"
        return [
            f"the {statement.verb} was {what} in a READ WRITE transaction that was rolled back ({limits}); "
            "sequences it advanced stay advanced"
        ]
    if analyze:
        return [f"ANALYZE executed the {statement.verb} in a read-only transaction ({limits})"]
    return []


def _at_statement(finding: Finding, statement: ExplainableStatement) -> Finding:
    """The finding placed at the statement in the user's SQL; the plan line moves to the evidence."""
    evidence = dict(finding.evidence)
    if finding.location.line is not None:
        evidence["plan_line"] = finding.location.line
    location = Location(
        path=statement.path, line=statement.line, column=statement.column, object=finding.location.object
    )
    return replace(finding, location=location, mode=Mode.LIVE, evidence=MappingProxyType(evidence))


def _index_fixes(findings: Iterable[Finding]) -> bool:
    return any(_creates_index(f) for f in findings)


def _creates_index(finding: Finding) -> bool:
    sql = finding.fix.sql if finding.fix else None
    return bool(sql) and " ".join(str(sql).split()[:2]).upper() == "CREATE INDEX"


def _with_hypothetical(
    session: Any,
    statement: ExplainableStatement,
    findings: tuple[Finding, ...],
    create: bool,
    notes: list[str],
) -> tuple[Finding, ...]:
    from dbexpert.engines.postgres import explain as pg
    from dbexpert.engines.postgres import hypopg

    if not hypopg.hypopg_installed(session):
        if not create:
            notes.append(
                "hypopg is not installed in this database, so the suggested indexes were not priced: "
                f"{hypopg.HYPOPG_INSTALL} (or pass --create-hypopg)"
            )
            return findings
        hypopg.create_hypopg(session)
        notes.append("created the hypopg extension in this database (--create-hypopg)")
    priced: list[Finding] = []
    for finding in findings:
        if not _creates_index(finding):
            priced.append(finding)
            continue
        assert finding.fix is not None and finding.fix.sql is not None
        evidence = dict(finding.evidence)
        try:
            result = pg.hypothetical_index(session, statement, finding.fix.sql)
        except DbexpertError as exc:
            evidence["hypothetical_index"] = {"error": str(exc), "source": _HYPOPG_SOURCE}
        else:
            evidence["hypothetical_index"] = {
                "index": result.index_name,
                "estimated_total_cost_before": result.cost_before,
                "estimated_total_cost_after": result.cost_after,
                "used_by_planner": result.used,
                "source": _HYPOPG_SOURCE,
            }
        priced.append(replace(finding, evidence=MappingProxyType(evidence)))
    return tuple(priced)
