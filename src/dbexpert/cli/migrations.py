"""``dbexpert migrations ...``: lint migrations before they reach production."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, layout_options, output_options, rule_options
from dbexpert.rules.registry import registry


@click.group("migrations")
def migrations_group() -> None:
    """Check migrations: lock safety, rewrites, data loss, backward compatibility."""


@migrations_group.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--url",
    help="Database the migrations will run on (read-only): its server version is the version the "
    "rules assume, and its tables as they are now are the schema the migrations start from.",
)
@layout_options
@output_options
@rule_options
def lint_command(
    paths: tuple[Path, ...],
    url: str | None,
    tool: str | None,
    transaction: str,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """Lint migration files and folders (raw SQL, Flyway, golang-migrate, dbmate, Prisma, Drizzle).

    Exits 1 when a migration is unsafe (a safety or correctness finding at warning or above), or,
    with --fail-on, when a finding is at least that severe.
    """
    from dbexpert.api.migrations import lint_paths, lint_paths_live  # loaded late: --help stays fast

    config = build_config(params)
    if url is not None:
        result = lint_paths_live(list(paths), url, config, tool=tool, transaction=transaction)
    else:
        result = lint_paths(list(paths), config, tool=tool, transaction=transaction)
    emit(result.report(), fmt, output, registry())
    for problem in result.problems:
        click.echo(f"dbexpert: error: {problem}", err=True)
    if result.problems:
        sys.exit(2)
    # Without an explicit --fail-on, CI fails exactly when a migration is unsafe to deploy.
    unsafe = any(verdict.unsafe for verdict in result.verdicts)
    sys.exit(exit_code(result.findings, config.fail_on) if config.fail_on_given else int(unsafe))


def _attach_exact_mode() -> None:
    from dbexpert.cli.migration_test import test_command

    migrations_group.add_command(test_command)


_attach_exact_mode()
