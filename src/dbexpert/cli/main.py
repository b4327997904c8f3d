"""``dbexpert``: the command group, and the one place errors become exit codes (DESIGN § 8).

0 clean · 1 findings at or above --fail-on · 2 usage or input error · 3 cannot connect.
Errors print one line on stderr, never a traceback (set DBEXPERT_DEBUG=1 to see one).
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

import click

from dbexpert import __version__
from dbexpert.cli.backup import backup_group
from dbexpert.cli.explain import explain_command
from dbexpert.cli.index import index_group
from dbexpert.cli.migrations import migrations_group
from dbexpert.cli.nplusone import nplusone_command
from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.cli.plan import plan_command
from dbexpert.cli.query import query_group
from dbexpert.cli.workload import workload_group
from dbexpert.engines.url import redact
from dbexpert.model import DbexpertError
from dbexpert.report import ReportData
from dbexpert.rules.registry import registry


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dbexpert")
def cli() -> None:
    """A database architect in a command: audits schemas and says exactly what to fix."""


@cli.command("audit")
@click.argument("targets", nargs=-1, required=True)
@output_options
@rule_options
def audit_command(targets: tuple[str, ...], fmt: str, output: Path | None, **params: Any) -> None:
    """Audit a live database (postgresql://, mysql://, sqlite:///path or a .db file) or DDL files/folders."""
    from dbexpert.api.audit import audit

    config = build_config(params)
    result = audit(list(targets), config)
    emit(result.report(), fmt, output, registry())
    for problem in result.problems:  # the report carries them too; stderr tells the shell
        click.echo(f"dbexpert: error: {problem}", err=True)
    sys.exit(2 if result.problems else exit_code(result.findings, config.fail_on))


@cli.command("demo")
@click.option(
    "--save", type=click.Path(dir_okay=False, path_type=Path), help="Also keep the demo database here."
)
@output_options
@rule_options
def demo_command(save: Path | None, fmt: str, output: Path | None, **params: Any) -> None:
    """Build a realistic SQLite shop database with real flaws in a temporary folder, and audit it."""
    from dbexpert.api.demo import run_demo

    config = build_config(params)
    result = run_demo(config, save_to=save)
    emit(result.report(), fmt, output, registry())


@cli.command("rules")
@output_options
def rules_command(fmt: str, output: Path | None) -> None:
    """List every rule: name, category, default severity, engines."""
    rules = registry()
    if fmt == "text":
        width = max(len(rule.name) for rule in rules)
        lines = [f"{'rule'.ljust(width)}  {'category':<12} {'severity':<8} engines"]
        for rule in rules:
            engines = ",".join(sorted(e.value for e in rule.engines))
            flag = "" if rule.enabled else "  (off by default)"
            lines.append(
                f"{rule.name.ljust(width)}  {rule.category.value:<12} {rule.default_severity.value:<8} {engines}{flag}"
            )
        text = "\n".join(lines) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            click.echo(text, nl=False)
        return
    catalog = [
        {
            "rule": rule.name,
            "category": rule.category.value,
            "severity": rule.default_severity.value,
            "engines": sorted(e.value for e in rule.engines),
            "enabled": rule.enabled,
            "summary": rule.one_line,
            "docs": f"docs/rules/{rule.name}.md",
        }
        for rule in rules
    ]
    emit(ReportData(command="rules", findings=(), extra={"rules": catalog}), fmt, output, rules)


@cli.command("rule")
@click.argument("name")
def rule_command(name: str) -> None:
    """Print the documentation of one rule."""
    from dbexpert.api.docs import rule_markdown

    click.echo(rule_markdown(registry().get(name)), nl=False)


cli.add_command(migrations_group)
cli.add_command(backup_group)
cli.add_command(plan_command)
cli.add_command(nplusone_command)
cli.add_command(explain_command)
cli.add_command(query_group)
cli.add_command(workload_group)
cli.add_command(index_group)


@cli.command("check-config", hidden=True)
@rule_options
def check_config_command(**params: Any) -> None:
    """Validate the configuration file and flags."""
    from dbexpert.api.config import validate

    validate(build_config(params), registry())
    click.echo("configuration ok")


def main(argv: list[str] | None = None) -> None:
    # Imports are done: keep their objects out of every collection, and collect the young generation
    # less often, since a lint builds many small immutable objects that never form cycles.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        cli.main(args=argv, prog_name="dbexpert", standalone_mode=False)
    except DbexpertError as exc:
        _fail(redact(str(exc)), exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _fail(redact(exc.format_message()), 2)
    except click.exceptions.Abort:
        _fail("aborted", 2)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: still one line, unless debugging
        if os.environ.get("DBEXPERT_DEBUG"):
            raise
        _fail(
            f"internal error: {type(exc).__name__}: {redact(str(exc))} (set DBEXPERT_DEBUG=1 for details)", 2
        )


def _fail(message: str, code: int) -> None:
    click.echo(f"dbexpert: error: {message.splitlines()[0] if message else 'failed'}", err=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
