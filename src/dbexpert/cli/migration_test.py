"""``dbexpert migrations test``: run migrations on a throwaway database (exact mode)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, layout_options, output_options, rule_options
from dbexpert.rules.registry import registry


@click.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--url",
    "scratch_url",
    required=True,
    envvar="DBEXPERT_SCRATCH_URL",
    help="PostgreSQL, MySQL or MariaDB server to test on: a scratch database is created there and dropped afterwards; "
    "the URL's own database is never written to.",
)
@click.option(
    "--rows",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    help="Synthetic rows per table before each migration; with --source, the most rows per table "
    "(a table gets the source's row estimate, up to this cap).",
)
@click.option(
    "--source",
    "source_url",
    default=None,
    envvar="DBEXPERT_SOURCE_URL",
    help="Production-like database to imitate, read once through a read-only session: tables and columns "
    "found there get its row counts, NULL fractions, distinct counts and most common values.",
)
@layout_options
@output_options
@rule_options
def test_command(
    paths: tuple[Path, ...],
    scratch_url: str,
    rows: int,
    source_url: str | None,
    tool: str | None,
    transaction: str,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """Apply each migration up, down and up again on a scratch PostgreSQL/MySQL/MariaDB database filled with
    synthetic rows; report irreversible migrations, lost data, and the locks each statement took."""
    from dbexpert.api.migration_test import test_paths

    config = build_config(params)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a killed run still drops its scratch database
    try:
        result = test_paths(
            list(paths), scratch_url, rows, config, tool=tool, transaction=transaction, source_url=source_url
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    emit(result.report(), fmt, output, registry())
    for problem in result.problems:
        click.echo(f"dbexpert: error: {problem}", err=True)
    sys.exit(2 if result.problems else exit_code(result.findings, config.fail_on))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
