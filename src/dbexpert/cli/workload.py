"""``dbexpert workload analyze SOURCE...``: where the database's time goes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.cli.progress import progress
from dbexpert.rules.registry import registry

_SORT_KEYS = ("total", "calls", "mean", "p95", "rows")  # as dbexpert.advisors.workload.aggregate.SORT_KEYS


@click.group("workload")
def workload_group() -> None:
    """Query logs, pg_stat_statements and traces: top queries, breakdowns, errors."""


@workload_group.command("analyze")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option(
    "--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many query shapes to list."
)
@click.option(
    "--sort",
    type=click.Choice(_SORT_KEYS),
    default="total",
    show_default=True,
    help="Rank the queries by total time, calls, mean time, p95 time or rows.",
)
@click.option("--url", help="Run a plain EXPLAIN of the top queries on this database (never ANALYZE).")
@click.option("--log-line-prefix", help="The server's log_line_prefix, for PostgreSQL stderr logs.")
@click.option(
    "--input-format", help="The format of the files, instead of recognising it (e.g. postgres-stderr)."
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="An earlier pg_stat_statements export: report the work done since.",
)
@click.option("--no-checks", is_flag=True, help="Do not run the query checks on the top queries.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes per uncompressed PostgreSQL log (stderr, csvlog, jsonlog); "
    "the same report as one process, N+1 findings included.",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Incremental mode: remember what was read in FILE; unchanged logs are not read again, "
    "appended data is read once (N+1 findings still cover the whole log).",
)
@output_options
@rule_options
def analyze_command(
    sources: tuple[str, ...],
    top: int,
    sort: str,
    url: str | None,
    log_line_prefix: str | None,
    input_format: str | None,
    baseline: Path | None,
    no_checks: bool,
    jobs: int,
    state: Path | None,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """Group the statements of SOURCE... by shape and show where the time goes.

    SOURCE is a file (PostgreSQL stderr/csvlog/jsonlog, MySQL/MariaDB slow log, pg_stat_statements
    CSV/JSON export, trace JSON lines, OpenTelemetry spans; gzip too) or a postgresql:// URL, whose
    pg_stat_statements is read live (read-only). Two pg_stat_statements snapshots, or one with
    --baseline, report the work done between them.
    """
    from dbexpert.api.workload import WorkloadOptions, analyze_workload  # loaded late: --help stays fast

    config = build_config(params)
    options = WorkloadOptions(
        top=top,
        sort=sort,
        url=url,
        log_line_prefix=log_line_prefix,
        input_format=input_format,
        baseline=baseline,
        check_queries=not no_checks,
        jobs=jobs,
        state=state,
    )
    with progress() as update:
        result = analyze_workload(list(sources), options, config, registry(), update)
    emit(result.report(), fmt, output, registry())
    sys.exit(exit_code(result.findings, config.fail_on))
