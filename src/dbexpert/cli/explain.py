"""``dbexpert explain --url URL "SQL"``: run the engine's EXPLAIN safely and interpret the plan."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.model import InputError
from dbexpert.rules.registry import registry


@click.command("explain")
@click.argument("sql", required=False, metavar='"SQL"|-')
@click.option("--url", required=True, help="The database: postgresql://, mysql:// or sqlite:///path.")
@click.option(
    "--file",
    "sql_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the statement from FILE instead of the argument.",
)
@click.option("--analyze", is_flag=True, help="Execute the statement for actual rows and times (reads only).")
@click.option(
    "--analyze-writes",
    is_flag=True,
    help="Allow INSERT/UPDATE/DELETE/MERGE to run, in a transaction that is always rolled back.",
)
@click.option(
    "--hypothetical/--no-hypothetical",
    default=True,
    show_default=True,
    help="PostgreSQL: price suggested indexes with hypopg when it is installed (planner estimates).",
)
@click.option(
    "--create-hypopg",
    is_flag=True,
    help="PostgreSQL: CREATE EXTENSION hypopg in the database if it is missing.",
)
@output_options
@rule_options
def explain_command(
    sql: str | None,
    url: str,
    sql_file: Path | None,
    analyze: bool,
    analyze_writes: bool,
    hypothetical: bool,
    create_hypopg: bool,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """EXPLAIN one statement on a live database, read-only, and say what is slow in its plan.

    The statement comes from the argument, from stdin (-) or from --file. PostgreSQL runs
    EXPLAIN (FORMAT JSON, SETTINGS), MySQL/MariaDB EXPLAIN FORMAT=JSON, SQLite EXPLAIN QUERY PLAN;
    --analyze adds ANALYZE (it executes the statement). DDL and several statements are refused.
    """
    from dbexpert.api.explain import explain  # loaded late: --help stays fast

    text, path = _statement_text(sql, sql_file)
    config = build_config(params)
    result = explain(
        url,
        text,
        config,
        analyze=analyze,
        analyze_writes=analyze_writes,
        hypothetical=hypothetical,
        create_hypopg=create_hypopg,
        path=path,
    )
    emit(result.report(), fmt, output, registry())
    sys.exit(exit_code(result.findings, config.fail_on))


def _statement_text(sql: str | None, sql_file: Path | None) -> tuple[str, str]:
    """The SQL and the name findings cite for it."""
    if (sql is None) == (sql_file is None):
        raise InputError('give the statement once: as "SQL", as - (stdin), or with --file FILE')
    if sql_file is not None:
        try:
            return sql_file.read_text(encoding="utf-8"), str(sql_file)
        except FileNotFoundError:
            raise InputError(f"{sql_file}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{sql_file}: cannot read the statement: {exc}") from None
    if sql == "-":
        return sys.stdin.read(), "<stdin>"
    return str(sql), "<sql>"
