"""Flags every command shares (DESIGN § 8), and writing the report where it was asked for."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from dbexpert.api.config import Config, load_config, with_overrides
from dbexpert.model import Finding, Severity
from dbexpert.model.migration import TOOLS, TRANSACTION_MODES
from dbexpert.report import FORMATS, ReportData, render
from dbexpert.rules.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


def output_options(func: F) -> F:
    func = click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE."
    )(func)
    func = click.option(
        "--format",
        "-f",
        "fmt",
        type=click.Choice(list(FORMATS)),
        default="text",
        show_default=True,
        help="Report format.",
    )(func)
    return func


def layout_options(func: F) -> F:
    """How migrations are found and run: the tool's layout, and whether each runs in a transaction."""
    func = click.option(
        "--transaction",
        type=click.Choice(TRANSACTION_MODES),
        default="auto",
        show_default=True,
        help="Whether each migration runs in a transaction: as its tool does, or always, or never.",
    )(func)
    func = click.option(
        "--tool",
        type=click.Choice(TOOLS),
        help="The migration tool (default: recognised from file names and folders).",
    )(func)
    return func


def rule_options(func: F) -> F:
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: nearest dbexpert.toml or pyproject.toml).",
    )(func)
    func = click.option("--mysql-version", help="MySQL/MariaDB version rules assume for files (e.g. 8.0).")(
        func
    )
    func = click.option("--pg-version", help="PostgreSQL major version rules assume for files (default 15).")(
        func
    )
    func = click.option("--engine", help="Dialect of DDL files: postgres, mysql or sqlite.")(func)
    func = click.option(
        "--fail-on",
        type=click.Choice(["error", "warning", "info", "never"]),
        help="Exit 1 when a finding is at least this severe (default: error).",
    )(func)
    func = click.option(
        "--ignore", multiple=True, help="Rules or categories to skip (repeatable, comma-separated)."
    )(func)
    func = click.option(
        "--select", multiple=True, help="Only these rules or categories (repeatable, comma-separated; ALL)."
    )(func)
    return func


def build_config(params: dict[str, Any]) -> Config:
    config = load_config(params.get("config_path"))
    return with_overrides(
        config,
        select=params.get("select") or (),
        ignore=params.get("ignore") or (),
        fail_on=params.get("fail_on"),
        engine=params.get("engine"),
        pg_version=params.get("pg_version"),
        mysql_version=params.get("mysql_version"),
    )


def emit(data: ReportData, fmt: str, output: Path | None, registry: Registry) -> None:
    """Print or write the report; colour only on a terminal."""
    if output is not None:
        output.write_text(render(data, fmt, registry), encoding="utf-8")
        return
    color = fmt == "text" and sys.stdout.isatty()
    click.echo(render(data, fmt, registry, color=color), nl=False)


def exit_code(findings: tuple[Finding, ...] | list[Finding], fail_on: Severity | None) -> int:
    if fail_on is None:
        return 0
    return 1 if any(f.severity.rank >= fail_on.rank for f in findings) else 0
