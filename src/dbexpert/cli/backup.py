"""``dbexpert backup ...``: backup and recovery readiness of a live database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from dbexpert.cli.options import build_config, emit, exit_code, output_options, rule_options
from dbexpert.rules.registry import registry


@click.group("backup")
def backup_group() -> None:
    """Backup and point-in-time recovery readiness."""


@backup_group.command("check")
@click.argument("target", metavar="URL")
@click.option(
    "--full-integrity-check",
    is_flag=True,
    help="SQLite: run the full PRAGMA integrity_check (reads every page) instead of quick_check.",
)
@output_options
@rule_options
def check_command(
    target: str, full_integrity_check: bool, fmt: str, output: Path | None, **params: Any
) -> None:
    """Can URL be recovered to a point in time, and how far back would a restore land (RPO)?

    Reads, read-only, what decides recovery (PostgreSQL WAL archiving, MySQL/MariaDB binary log and
    durability settings, SQLite journal mode and integrity, Redis RDB snapshots, AOF and replicas), runs the backup-* rules and states the
    achievable recovery point with what was measured (JSON: "rpo").
    """
    from dbexpert.api.backup_check import backup_check  # loaded late: --help stays fast

    config = build_config(params)
    result = backup_check(target, config, integrity="full" if full_integrity_check else "quick")
    emit(result.report(), fmt, output, registry())
    sys.exit(exit_code(result.findings, config.fail_on))


@backup_group.command("plan")
@click.argument("target", metavar="URL")
@click.option(
    "--verified",
    "verified",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON report of `backup verify --format json` (repeatable): its restore speed gives the RTO.",
)
@click.option(
    "--format", "-f", "fmt", type=click.Choice(["markdown", "json"]), default="markdown", show_default=True
)
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the plan to FILE."
)
def plan_command(target: str, verified: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write a disaster-recovery plan for URL from what is measured on it (read-only): backups and
    log archiving found, the RPO, the RTO (from --verified reports), the gaps with their fixes, and
    the restore and point-in-time-recovery runbook with this database's commands filled in."""
    from dbexpert.api.backup_plan import backup_plan

    plan = backup_plan(target, verified)
    text = plan.to_json() if fmt == "json" else plan.markdown()
    if output is None:
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}: {len(plan.gaps)} gap(s), RTO {plan.rto['seconds'] or 'unknown'} s")


@backup_group.command("manifest")
@click.argument("target", metavar="URL")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the manifest to FILE (default: print it).",
)
def manifest_command(target: str, output: Path | None) -> None:
    """Record, read-only, each table's row count and content checksum (Redis: each database's keys) and
    the schema's indexes and constraints, for `backup verify --manifest` to compare a restored backup with later."""
    from dbexpert.api.backup_manifest import create_manifest, write_manifest

    manifest = create_manifest(target)
    text = write_manifest(manifest, output)
    if output is None:
        click.echo(text, nl=False)
        return
    rows = sum(t.rows for t in manifest.tables)
    if manifest.engine.value == "redis":
        click.echo(f"wrote {output}: {len(manifest.tables)} databases, {rows} keys")
        return
    click.echo(
        f"wrote {output}: {len(manifest.tables)} tables, {rows} rows, {len(manifest.objects)} indexes/constraints"
    )


@backup_group.command("verify")
@click.argument("artifact", type=click.Path(path_type=Path))
@click.option("--against", "against", default=None, help="Source database to compare with, read-only.")
@click.option(
    "--manifest",
    "manifest",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Manifest written by `backup manifest` at backup time, to compare with.",
)
@click.option(
    "--scratch",
    "scratch",
    default=None,
    envvar="DBEXPERT_SCRATCH_URL",
    help="Server to restore on (a scratch database is created there and dropped); default: the --against server.",
)
@click.option(
    "--wal-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Base backups: folder of archived WAL segments (default: the backup's pg_wal).",
)
@output_options
@rule_options
def verify_command(
    artifact: Path,
    against: str | None,
    manifest: Path | None,
    scratch: str | None,
    wal_dir: Path | None,
    fmt: str,
    output: Path | None,
    **params: Any,
) -> None:
    """Restore ARTIFACT (pg_dump -Fc/-Fd/plain, pg_basebackup directory, mysqldump, SQLite file, Redis
    dump.rdb / appendonly.aof / appendonlydir) into a scratch database (Redis: a private redis-server)
    and compare every table's rows (database's keys) and checksum with the source or a manifest.

    Exit 0 when it passes, 1 when it fails (per table in JSON "tables"), 2 on unreadable input,
    3 when a server cannot be reached.
    """
    import signal

    from dbexpert.api.backup_verify import verify_backup

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a killed run still drops its scratch database

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        result = verify_backup(
            artifact,
            against=against,
            manifest=manifest,
            scratch=scratch,
            wal_dir=wal_dir,
            config=build_config(params),
        )
    finally:
        signal.signal(signal.SIGTERM, previous)
    emit(result.report(), fmt, output, registry())
    sys.exit(0 if result.passed else 1)
