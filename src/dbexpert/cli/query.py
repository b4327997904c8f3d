"""``dbexpert query ...``: application SQL checked for anti-patterns, with rewrites."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.rules.registry import registry


@click.group("query")
def query_group() -> None:
    """Check application queries: correctness traps, slow shapes, and the rewrite for each."""


@query_group.command("check")
@click.argument("sources", nargs=-1, required=True, metavar="FILE|DIR|-...")
@click.option(
    "--schema",
    help="Where the tables are described: a database URL (read-only) or DDL files/folders. "
    "Lets rules know columns, keys and nullability.",
)
@click.option(
    "--verify",
    metavar="URL",
    help="Run each SELECT rewrite next to its original on this database (read-only, with timeouts): "
    "compare the rows and time both (median of 5 runs).",
)
@output_options
@rule_options
def check_command(
    sources: tuple[str, ...],
    schema: str | None,
    verify: str | None,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """Check SQL files, folders (*.sql) or stdin (-) for query anti-patterns.

    Statements that do not parse are reported with their line and column (exit 2); the others are
    still checked. Exits 1 when a finding is at least --fail-on (default: error).
    """
    from dbexpert.api.query import check_paths  # loaded late: --help stays fast

    config = build_config(params)
    result = check_paths(list(sources), config, schema, verify)
    emit(result.report(), fmt, output, registry())
    for problem in result.problems:
        click.echo(f"dbexpert: error: {problem}", err=True)
    sys.exit(2 if result.problems else exit_code(result.findings, config.fail_on))
