"""``dbexpert index advise``: the best index set for a workload under a storage budget."""

from __future__ import annotations

from pathlib import Path

import click

from dbexpert.cli.options import emit, output_options
from dbexpert.rules.registry import registry


@click.group("index")
def index_group() -> None:
    """Index advice for a whole workload."""


@index_group.command("advise")
@click.option("--url", required=True, help="The database: postgresql:// (needs hypopg), sqlite:///path, or mysql:// (costed on a sampled scratch copy).")
@click.option(
    "--workload",
    required=True,
    metavar="SOURCE",
    help="A .sql file or folder (one query per statement, optional '-- weight: N' comments), a CSV or "
    "JSON of query and frequency, pg_stat_statements[:N] (top N by total time, weighted by calls), or a "
    "log or export 'workload analyze' reads (query shapes weighted by calls).",
)
@click.option("--budget-mb", type=click.FloatRange(min=0), default=500.0, show_default=True,
              help="Storage budget for the new indexes, in real (modelled) megabytes.")
@click.option("--max-indexes", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--max-width", type=click.IntRange(min=1, max=32), default=3, show_default=True,
              help="Most key columns per index.")
@click.option("--verify", metavar="URL",
              help="A scratch copy of the database: build the chosen set there, run the workload before and "
              "after (median of 5 runs), and drop indexes no plan uses or that slow a query by > 30 %.")
@click.option("--verify-timeout", type=click.FloatRange(min=0.001), default=300.0, show_default=True,
              metavar="SECONDS", help="With --verify: the longest a query may run; past it, it counts as timed out.")
@click.option("--create-hypopg", is_flag=True, help="PostgreSQL: CREATE EXTENSION hypopg if it is missing.")
@output_options
def advise_command(
    url: str,
    workload: str,
    budget_mb: float,
    max_indexes: int,
    max_width: int,
    verify: str | None,
    verify_timeout: float,
    create_hypopg: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Recommend CREATE INDEX statements for a whole workload, costed with what-if indexes."""
    from dbexpert.api.index_advise import index_advise  # loaded late: --help stays fast

    advice = index_advise(
        url,
        workload,
        budget_mb=budget_mb,
        max_indexes=max_indexes,
        max_width=max_width,
        verify=verify,
        create_hypopg=create_hypopg,
        verify_timeout_s=verify_timeout,
    )
    if fmt == "text":
        text = advice.text()
        if output is not None:
            output.write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
        return
    emit(advice.report(), fmt, output, registry())
