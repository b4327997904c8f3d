"""``backup plan``: a disaster-recovery plan for one database, written from what was measured on it.

It runs ``backup check`` (read-only: archiving, binary log, journal mode, the RPO and the gaps as
findings), measures the database's size now and the few facts a runbook needs (PostgreSQL: data
directory, standbys; MySQL/MariaDB: the current binary log coordinates and GTID position), reads the
JSON reports of earlier ``backup verify`` runs for the restore speed, and writes:

- what protects the database (backups and log archiving found),
- the RPO (from ``backup check``) and the RTO (restore seconds per GB measured by ``backup verify``
  × the size measured now; unknown without a verify report, with the command that measures it),
- the gaps (every ``backup check`` finding, with its fix),
- the restore and point-in-time-recovery runbook with the commands filled in for this database,
- how to verify the restore.

The plan never holds a credential: the URL is redacted and the commands read the password from
``PGPASSWORD`` / ``~/.pgpass`` or a MySQL option file.
"""

from __future__ import annotations

import datetime
import json
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbexpert.api.backup_check import BackupCheckResult, backup_check
from dbexpert.api.backup_runbooks import (
    Step,
    mysql_runbook,
    postgres_runbook,
    redis_runbook,
    sqlite_runbook,
    verify_steps,
)
from dbexpert.api.config import Config
from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.url import DatabaseUrl, parse_url, redact
from dbexpert.model import DbexpertError, Engine, Finding, InputError
from dbexpert.model.health import HealthSnapshot

GB = 1024**3

PG_FACTS = """
SELECT current_database() AS database,
       pg_database_size(current_database()) AS database_bytes,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00' AS now_utc
"""
PG_DATA_DIRECTORY = (
    "SELECT current_setting('data_directory') AS data_directory"  # superuser / pg_read_all_settings
)
PG_STANDBYS = """
SELECT application_name, client_addr::text AS client_addr, state, sync_state,
       extract(epoch FROM replay_lag)::float AS replay_lag_seconds
FROM pg_stat_replication ORDER BY application_name
"""
MYSQL_FACTS = """
SELECT DATABASE() AS `database`,
       (SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.TABLES
         WHERE table_schema = DATABASE()) AS database_bytes,
       DATE_FORMAT(UTC_TIMESTAMP(), '%Y-%m-%d %H:%i:%s') AS now_utc,
       @@log_bin_basename AS log_bin_basename
"""
# MySQL 8.4 renamed SHOW MASTER STATUS; MariaDB and older MySQL know only the old name.
MYSQL_BINLOG_STATUS = ("SHOW BINARY LOG STATUS", "SHOW MASTER STATUS")


@dataclass(frozen=True, slots=True)
class VerifiedRestore:
    """One ``backup verify --format json`` report given with ``--verified``."""

    report: str
    artifact: str
    artifact_kind: str
    engine: str
    passed: bool
    restore_seconds: float | None
    restored_bytes: int | None

    @property
    def seconds_per_gb(self) -> float | None:
        if self.restore_seconds is None or not self.restored_bytes:
            return None
        return self.restore_seconds / (self.restored_bytes / GB)

    def to_dict(self) -> dict[str, Any]:
        spg = self.seconds_per_gb
        return {
            "report": self.report,
            "artifact": self.artifact,
            "artifact_kind": self.artifact_kind,
            "engine": self.engine,
            "result": "pass" if self.passed else "fail",
            "restore_seconds": self.restore_seconds,
            "restored_bytes": self.restored_bytes,
            "restore_seconds_per_gb": round(spg, 3) if spg is not None else None,
        }


@dataclass(frozen=True, slots=True)
class BackupPlan:
    target: str  # redacted
    engine: str  # e.g. "postgres 15.4", "mariadb 10.11.6"
    database: str
    database_bytes: int | None
    measured_at: str  # UTC, from the server's clock (SQLite: this machine's)
    protection: tuple[str, ...]  # backups and log archiving found
    rpo: Mapping[str, Any]
    rto: Mapping[str, Any]
    verified: tuple[VerifiedRestore, ...]
    gaps: tuple[Finding, ...]
    backup_steps: tuple[Step, ...]
    restore_steps: tuple[Step, ...]
    verify_steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "engine": self.engine,
            "database": self.database,
            "database_bytes": self.database_bytes,
            "measured_at": self.measured_at,
            "protection": list(self.protection),
            "rpo": dict(self.rpo),
            "rto": dict(self.rto),
            "verified": [v.to_dict() for v in self.verified],
            "gaps": [f.to_dict() for f in self.gaps],
            "backup": [s.to_dict() for s in self.backup_steps],
            "restore": [s.to_dict() for s in self.restore_steps],
            "verify": [s.to_dict() for s in self.verify_steps],
            "notes": list(self.notes),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, default=str) + "\n"

    def markdown(self) -> str:
        size = _size(self.database_bytes)
        out = [
            f"# Disaster-recovery plan: {self.database}",
            "",
            f"Target `{self.target}` ({self.engine}), {size}, measured read-only at {self.measured_at} UTC "
            "by `dbexpert backup plan`.",
            "",
            "## What protects it",
            "",
            *(f"- {line}" for line in self.protection),
            "",
            "## Recovery point (RPO)",
            "",
            f"{self.rpo['recovery_point']}.",
            "",
            "## Recovery time (RTO)",
            "",
            f"{self.rto['text']}",
            "",
        ]
        if self.verified:
            out += [
                "| report | artifact | result | restore s | restored bytes | s per GB |",
                "|---|---|---|---|---|---|",
            ]
            for v in self.verified:
                spg = f"{v.seconds_per_gb:.1f}" if v.seconds_per_gb is not None else "–"
                out.append(
                    f"| {v.report} | {v.artifact} ({v.artifact_kind}) | {'pass' if v.passed else 'FAIL'} "
                    f"| {v.restore_seconds} | {v.restored_bytes} | {spg} |"
                )
            out.append("")
        out += ["## Gaps", ""]
        if not self.gaps:
            out += ["`backup check` found none.", ""]
        for finding in self.gaps:
            out += [f"- **{finding.rule}** ({finding.severity.value}): {finding.message}"]
            if finding.fix is not None:
                out += [f"  Fix: {finding.fix.description}"]
                if finding.fix.sql:
                    out += ["", "  ```sql", *(f"  {line}" for line in finding.fix.sql.splitlines()), "  ```"]
            out.append("")
        for heading, steps in (
            ("## Taking backups", self.backup_steps),
            ("## Restore and point-in-time recovery", self.restore_steps),
            ("## Verify", self.verify_steps),
        ):
            out += [heading, ""]
            for number, step in enumerate(steps, 1):
                out += [f"{number}. **{step.title}**" + (f" {step.why}" if step.why else "")]
                if step.commands:
                    out += ["", "   ```bash", *(f"   {c}" for c in step.commands), "   ```"]
                out.append("")
        if self.notes:
            out += ["## Notes", "", *(f"- {note}" for note in self.notes), ""]
        return "\n".join(out)


# ----------------------------------------------------------------------------------------- library


def backup_plan(target: str, verified: Sequence[Path] = (), config: Config | None = None) -> BackupPlan:
    """Measure ``target`` read-only and write its disaster-recovery plan."""
    url = parse_url(target)
    reports = tuple(load_verified(path) for path in verified)  # bad input fails before connecting
    check = backup_check(target, config)
    assert check.snapshot is not None  # backup_check always keeps it
    facts = redis_plan_facts(check.snapshot) if url.engine is Engine.REDIS else read_plan_facts(url)
    return build_plan(url, check, facts, reports)


def redis_plan_facts(snapshot: HealthSnapshot) -> dict[str, Any]:
    """What ``backup check`` already read: memory used (the size a restore loads) and the server clock."""
    micros = snapshot.facts.get("server_time_usec")
    now = (
        datetime.datetime.fromtimestamp(int(micros) / 1e6, datetime.UTC)
        if micros
        else datetime.datetime.now(datetime.UTC)
    )
    return {
        "unavailable": {},
        "database": "all databases",
        "database_bytes": snapshot.facts.get("used_memory"),
        "now_utc": now.strftime("%Y-%m-%d %H:%M:%S+00"),
    }


def load_verified(path: Path) -> VerifiedRestore:
    """A ``backup verify --format json`` report; InputError ``path:line:column: ...`` otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}:1:1: cannot read the verify report: {exc}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}:{exc.colno}: expected a JSON report of backup verify: {exc.msg}"
        ) from None
    summary = document.get("summary") if isinstance(document, dict) else None
    if not isinstance(summary, dict) or summary.get("command") != "backup verify":
        raise InputError(f"{path}:1:1: expected the JSON report of `dbexpert backup verify --format json`")
    seconds, size = summary.get("restore_seconds"), summary.get("restored_bytes")
    return VerifiedRestore(
        report=str(path),
        artifact=redact(str(document.get("artifact", ""))),
        artifact_kind=str(summary.get("artifact_kind", "")),
        engine=str(summary.get("engine", "")),
        passed=summary.get("result") == "pass",
        restore_seconds=float(seconds) if isinstance(seconds, int | float) else None,
        restored_bytes=int(size) if isinstance(size, int | float) else None,
    )


def read_plan_facts(url: DatabaseUrl) -> dict[str, Any]:
    """Size now, clock, and what the runbook needs; each optional fact noted when it cannot be read."""
    facts: dict[str, Any] = {"unavailable": {}}
    if url.engine is Engine.SQLITE:
        assert url.path is not None
        wal = url.path.with_name(url.path.name + "-wal")
        facts |= {
            "database": url.path.name,
            "database_bytes": url.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0),
            "now_utc": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00"),
        }
        return facts
    with connect(url, SessionOptions()) as live:
        session: Any = live
        if url.engine is Engine.POSTGRES:
            facts |= dict(session.fetch("plan facts", PG_FACTS)[0])
            for name, sql in (("data_directory", PG_DATA_DIRECTORY), ("standbys", PG_STANDBYS)):
                try:
                    rows = session.fetch(f"plan {name}", sql)
                    facts[name] = (
                        rows[0]["data_directory"] if name == "data_directory" else [dict(r) for r in rows]
                    )
                except DbexpertError as exc:
                    facts["unavailable"][name] = str(exc)
            return facts
        facts |= dict(session.run(MYSQL_FACTS)[0])
        for sql in MYSQL_BINLOG_STATUS:
            try:
                rows = session.run(sql)
            except DbexpertError as exc:  # unknown statement (old name/new name) or no privilege
                facts["unavailable"]["binlog_status"] = str(exc)
                continue
            facts["binlog_status"] = dict(rows[0]) if rows else None
            facts["unavailable"].pop("binlog_status", None)
            break
    return facts


def build_plan(
    url: DatabaseUrl,
    check: BackupCheckResult,
    facts: Mapping[str, Any],
    verified: Sequence[VerifiedRestore],
) -> BackupPlan:
    """The plan from what was measured (pure)."""
    snapshot = check.snapshot
    assert snapshot is not None
    database = str(facts.get("database") or url.database or "")
    size = facts.get("database_bytes")
    size = int(size) if size is not None else None
    if url.engine is Engine.POSTGRES:
        protection, backup, restore = postgres_runbook(url, snapshot, facts, database)
    elif url.engine is Engine.MYSQL:
        protection, backup, restore = mysql_runbook(url, snapshot, facts, database, check.rpo)
    elif url.engine is Engine.REDIS:
        protection, backup, restore = redis_runbook(url, snapshot, check.rpo)
    else:
        protection, backup, restore = sqlite_runbook(url, snapshot)
    notes = tuple(
        f"not read: {name}: {why}" for name, why in dict(facts.get("unavailable", {})).items()
    ) + tuple(check.notes)
    return BackupPlan(
        target=url.redacted(),
        engine=check.engine,
        database=database,
        database_bytes=size,
        measured_at=str(facts.get("now_utc", "")).removesuffix("+00"),
        protection=tuple(protection),
        rpo=dict(check.rpo),
        rto=recovery_time(url, size, verified),
        verified=tuple(verified),
        gaps=check.findings,
        backup_steps=tuple(backup),
        restore_steps=tuple(restore),
        verify_steps=tuple(verify_steps(url, database)),
        notes=notes,
    )


def recovery_time(url: DatabaseUrl, size: int | None, verified: Sequence[VerifiedRestore]) -> dict[str, Any]:
    """RTO = the slowest restore speed measured by passing verify runs of this engine × size now."""
    usable = [v for v in verified if v.passed and v.engine == url.engine.value and v.seconds_per_gb]
    failed = [v.report for v in verified if not v.passed]
    if not usable or size is None:
        command = f"dbexpert backup verify BACKUP --against {shlex.quote(url.redacted())} --format json -o verify.json"
        text = f"RTO unknown: run backup verify (`{command}`), then `dbexpert backup plan ... --verified verify.json`."
        if failed:
            text += f" Reports of failed verifications do not count: {', '.join(failed)}."
        return {"seconds": None, "text": text, "command": command}
    slowest = max(usable, key=lambda v: v.seconds_per_gb or 0.0)
    spg = slowest.seconds_per_gb or 0.0
    seconds = spg * size / GB
    text = (
        f"About {_duration(seconds)} ({seconds:.1f} s) to restore: {spg:.1f} s per GB "
        f"(the slowest passing `backup verify` restore, {slowest.report}: {slowest.restore_seconds} s for "
        f"{slowest.restored_bytes} bytes) × {_size(size)} measured now. This is the restore of the backup "
        "alone: replaying archived WAL or binary logs to the target time, and moving traffic over, come on top."
    )
    if failed:
        text += f" Failed verifications (not counted, and themselves a gap): {', '.join(failed)}."
    return {
        "seconds": round(seconds, 1),
        "seconds_per_gb": round(spg, 3),
        "database_bytes": size,
        "from_report": slowest.report,
        "text": text,
    }


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size >= GB:
        return f"{size / GB:.2f} GB ({size} bytes)"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB ({size} bytes)"
    return f"{size / 1024:.1f} kB ({size} bytes)"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
