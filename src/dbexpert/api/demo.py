"""``dbexpert demo``: a tour of a realistic SQLite shop with real flaws, built on the spot.

In a temporary folder it builds the shop database (taking its nightly ``.backup`` copies on the way),
then:

1. audits the database live (read-only): schema design and the file's health;
2. checks the shop's application queries (``queries.sql``; each rewrite verified on the database)
   and explains the slow ones with SQLite's query plans;
3. scans the shop's application code (``app/`` in SQLAlchemy and Django, ``web/`` in TypeScript
   Prisma) for queries run once per loop item;
4. records a trace of the shop's requests by running them on a scratch copy of the database, each
   statement timed (``trace.jsonl``), and looks for N+1 queries, per-row inserts and duplicate
   queries in it;
5. verifies the nightly backups (``backups/``), each damaged a different way, against the database.

No server is needed. Locations are relative to the demo folder, so ``--save`` keeps them true.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from dbexpert.api.audit import AuditResult, audit
from dbexpert.api.backup_verify import verify_backup
from dbexpert.api.config import Config
from dbexpert.api.explain import explain
from dbexpert.api.nplusone import find_nplusone
from dbexpert.api.query import check_sql
from dbexpert.api.workload import find_nplusone_in_events
from dbexpert.demo import build_demo_database
from dbexpert.demo_backups import BACKUP_FOLDER, damage_backups, nightly_backups
from dbexpert.demo_code import FILES, write_code
from dbexpert.demo_queries import PLANS, QUERIES
from dbexpert.demo_trace import TRACE_NAME, record_trace
from dbexpert.engines import connect
from dbexpert.model import Engine, Finding
from dbexpert.model.workload import ReadProblem
from dbexpert.sources.logs import ReadOptions, traces

DEMO_NAME = "shop.db"
QUERIES_NAME = "queries.sql"
_SCRATCH_NAME = "scratch.db"  # the copy the traced requests write to; never saved

NOTES = (
    f"{TRACE_NAME}: the shop's requests run on a scratch copy of {DEMO_NAME}, every statement timed:"
    " an N+1 order history page, a cart import inserting row by row, a product page repeating its menu"
    " query, and two clean requests",
    f"{BACKUP_FOLDER}/: three nightly .backup copies taken with SQLite's online backup API, then damaged"
    " — a flipped bit in a product name (integrity_check passes, the content checksum does not),"
    " a copy taken halfway through a table rebuild, and a torn write in an index page",
)


def run_demo(config: Config | None = None, save_to: Path | None = None) -> AuditResult:
    """Build the demo shop in a temporary folder, run the tour (see the module docstring), clean up.

    With ``save_to`` the database is also copied there, and next to it the queries (queries.sql),
    the application code (app/, web/), the trace (trace.jsonl) and the backups (backups/).
    """
    config = replace(config or Config(), engine=Engine.SQLITE)
    with tempfile.TemporaryDirectory(prefix="dbexpert-demo-") as name:
        folder = Path(name)
        path = folder / DEMO_NAME
        build_demo_database(path, nightly=nightly_backups(folder / BACKUP_FOLDER))
        backups = damage_backups(folder / BACKUP_FOLDER)
        result = audit([str(path)], config)
        with connect(str(path)) as session:
            queries = check_sql(QUERIES, QUERIES_NAME, config, result.catalog, verify=session)
        plans: list[Finding] = []
        for number, sql in enumerate(PLANS, start=1):
            plans.extend(explain(str(path), sql, config, path=f"explain #{number}").findings)
        code = find_nplusone(write_code(folder), config)
        statements, trace_findings, trace_problems = _trace(folder, path, config)
        checked = [verify_backup(copy, against=str(path), config=config) for copy in backups]
        if save_to is not None:
            _save(folder, path, save_to)
    findings = _relative(
        (
            *result.findings,
            *queries.findings,
            *plans,
            *code.findings,
            *trace_findings,
            # Grouped by backup file, not with the live tables of the same name.
            *(replace(f, table=None) for c in checked for f in c.findings),
        ),
        folder,
    )
    facts = {
        **result.facts,
        "queries": queries.queries,
        "plans": len(PLANS),
        "code_files": code.files,
        "trace_statements": statements,
        "backups": len(backups),
        "backups_failed": sum(1 for c in checked if c.findings),
    }
    return replace(
        result,
        findings=findings,
        problems=(*result.problems, *queries.problems, *code.problems, *trace_problems),
        target=(
            f"demo shop database ({DEMO_NAME}, SQLite): its schema and data, {QUERIES_NAME}, {len(PLANS)} plans,"
            f" {code.files} code files, {TRACE_NAME} ({statements} statements) and {len(backups)} nightly backups"
        ),
        facts=facts,
        notes=(*result.notes, *NOTES),
    )


def _trace(folder: Path, database: Path, config: Config) -> tuple[int, tuple[Finding, ...], tuple[str, ...]]:
    """Record the requests on a scratch copy (they write), then read the trace back like
    ``workload analyze`` does and run the request rules over it."""
    scratch = folder / _SCRATCH_NAME
    shutil.copyfile(database, scratch)
    trace = folder / TRACE_NAME
    statements = record_trace(scratch, trace)
    scratch.unlink()
    lines = trace.read_text(encoding="utf-8").splitlines()
    events = list(traces.read(lines, TRACE_NAME, ReadOptions()))
    problems = tuple(
        f"{e.place.path}:{e.place.line}:1: {e.reason}" for e in events if isinstance(e, ReadProblem)
    )
    return statements, tuple(find_nplusone_in_events(events, _small_data(config))), problems


def _small_data(config: Config) -> Config:
    """The demo's tables are small, so its N+1 storm lasts a few milliseconds, near the rule's time
    floor on a fast machine: the demo counts repeats whatever their time, unless configured."""
    if "n-plus-one-queries" in config.thresholds:
        return config
    return replace(config, thresholds={**config.thresholds, "n-plus-one-queries": {"min_total_ms": 0}})


def _relative(findings: Iterable[Finding], folder: Path) -> tuple[Finding, ...]:
    """Findings located by their path inside the demo folder, which is gone after the run."""
    out = []
    for finding in findings:
        path = finding.location.path
        if path is not None and Path(path).is_relative_to(folder):
            finding = replace(
                finding, location=replace(finding.location, path=Path(path).relative_to(folder).as_posix())
            )
        out.append(finding)
    return tuple(out)


def _save(folder: Path, database: Path, save_to: Path) -> None:
    """The database at ``save_to``; beside it what the tour read, under the names the report uses."""
    beside = save_to.parent
    beside.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(database, save_to)
    (beside / QUERIES_NAME).write_text(QUERIES, encoding="utf-8")
    for relative in FILES:
        target = beside / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / relative, target)
    shutil.copyfile(folder / TRACE_NAME, beside / TRACE_NAME)
    shutil.copytree(folder / BACKUP_FOLDER, beside / BACKUP_FOLDER, dirs_exist_ok=True)
