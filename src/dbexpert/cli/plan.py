"""``dbexpert plan FILE|-``: interpret a saved PostgreSQL query plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.rules.registry import registry


@click.command("plan")
@click.argument("source", metavar="FILE|-")
@output_options
@rule_options
def plan_command(source: str, fmt: str, output: Path | None, **params: Any) -> None:
    """Explain what is slow in a saved query plan, from FILE or stdin (-).

    Reads PostgreSQL EXPLAIN (text or FORMAT JSON), MySQL/MariaDB EXPLAIN FORMAT=JSON and TREE,
    SQLite EXPLAIN QUERY PLAN and MongoDB explain() JSON; the engine is told from the text unless
    --engine names it. Capture plans with ANALYZE where the engine has it, for actual rows.
    """
    from dbexpert.api.config import parse_engine
    from dbexpert.api.plan import analyze_plan, analyze_plan_file  # loaded late: --help stays fast

    config = build_config(params)
    engine = parse_engine(params["engine"], "--engine") if params.get("engine") else None
    if source == "-":
        result = analyze_plan(sys.stdin.read(), "<stdin>", config, engine=engine)
    else:
        result = analyze_plan_file(Path(source), config, engine=engine)
    emit(result.report(), fmt, output, registry())
    sys.exit(exit_code(result.findings, config.fail_on))
