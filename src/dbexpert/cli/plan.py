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
    """Explain what is slow in a PostgreSQL plan: EXPLAIN text or FORMAT JSON, from FILE or stdin (-).

    Capture one with EXPLAIN (ANALYZE, BUFFERS) for actual rows, loops and sorts.
    """
    from dbexpert.api.plan import analyze_plan, analyze_plan_file  # loaded late: --help stays fast

    config = build_config(params)
    if source == "-":
        result = analyze_plan(sys.stdin.read(), "<stdin>", config)
    else:
        result = analyze_plan_file(Path(source), config)
    emit(result.report(), fmt, output, registry())
    sys.exit(exit_code(result.findings, config.fail_on))
