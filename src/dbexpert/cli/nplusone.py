"""``dbexpert nplusone PATH...``: N+1 queries in application code (Prisma, TypeORM, Drizzle,
SQLAlchemy, Django)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.cli.progress import progress
from dbexpert.rules.registry import registry


@click.command("nplusone")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@output_options
@rule_options
def nplusone_command(paths: tuple[Path, ...], fmt: str, output: Path | None, **params: Any) -> None:
    """Find queries run once per item of a loop in Python and TypeScript code, with the ORM fix.

    Files that do not parse are reported with their location and skipped (exit 2); the rest is
    still analysed. Exits 1 when a finding is at least --fail-on (default: error). On a terminal a
    progress bar on stderr counts the files scanned (text format only).
    """
    from dbexpert.api.nplusone import find_nplusone  # loaded late: --help stays fast

    config = build_config(params)
    # Machine formats are often read from a terminal too (piped later, or copied): keep stderr quiet.
    with progress(unit="items", enabled=fmt == "text") as update:
        counted = (lambda _file, done, total: update("Scanning files", done, total)) if update else None
        result = find_nplusone(list(paths), config, progress=counted)
    emit(result.report(), fmt, output, registry())
    for problem in result.problems:
        click.echo(f"dbexpert: error: {problem}", err=True)
    sys.exit(2 if result.problems else exit_code(result.findings, config.fail_on))
