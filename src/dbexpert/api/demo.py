"""``dbexpert demo``: a realistic SQLite shop database with real flaws, built on the spot, then
audited, its application queries checked (each rewrite verified on the database), and its slow
queries explained. Everything runs read-only on the demo file; no server is needed."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from dbexpert.api.audit import AuditResult, audit
from dbexpert.api.config import Config
from dbexpert.api.explain import explain
from dbexpert.api.query import check_sql
from dbexpert.demo import build_demo_database
from dbexpert.demo_queries import PLANS, QUERIES
from dbexpert.engines import connect
from dbexpert.model import Engine, Finding

DEMO_NAME = "shop.db"
QUERIES_NAME = "queries.sql"


def run_demo(config: Config | None = None, save_to: Path | None = None) -> AuditResult:
    """Build the demo database in a temporary folder, audit it live (read-only), check and explain
    its application queries there, clean up.

    With ``save_to`` the database is also copied there (and the queries next to it, as queries.sql).
    """
    config = replace(config or Config(), engine=Engine.SQLITE)
    with tempfile.TemporaryDirectory(prefix="dbexpert-demo-") as folder:
        path = Path(folder) / DEMO_NAME
        build_demo_database(path)
        result = audit([str(path)], config)
        with connect(str(path)) as session:
            queries = check_sql(QUERIES, QUERIES_NAME, config, result.catalog, verify=session)
        plans: list[Finding] = []
        for number, sql in enumerate(PLANS, start=1):
            plans.extend(explain(str(path), sql, config, path=f"explain #{number}").findings)
        if save_to is not None:
            shutil.copyfile(path, save_to)
            save_to.with_name(QUERIES_NAME).write_text(QUERIES, encoding="utf-8")
    facts = {**result.facts, "queries": queries.queries, "plans": len(PLANS)}
    return replace(
        result,
        findings=(*result.findings, *queries.findings, *plans),
        problems=(*result.problems, *queries.problems),
        target=f"demo shop database ({DEMO_NAME}, SQLite), its {QUERIES_NAME} and {len(PLANS)} plans",
        facts=facts,
    )
