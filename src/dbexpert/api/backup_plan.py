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
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dbexpert.api.backup_check import BackupCheckResult, backup_check
from dbexpert.api.config import Config
from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.url import DatabaseUrl, parse_url, redact
from dbexpert.model import DbexpertError, Engine, Finding, InputError
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.ops._backup import archive_command, archive_library, archiving_problems, backup_tool

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
class Step:
    title: str
    commands: tuple[str, ...] = ()
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "commands": list(self.commands), "why": self.why}


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
    facts = read_plan_facts(url)
    return build_plan(url, check, facts, reports)


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
        protection, backup, restore = _postgres(url, snapshot, facts, database)
    elif url.engine is Engine.MYSQL:
        protection, backup, restore = _mysql(url, snapshot, facts, database, check.rpo)
    else:
        protection, backup, restore = _sqlite(url, snapshot)
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
        verify_steps=tuple(_verify_steps(url, database)),
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


# ------------------------------------------------------------------------------------------ engines


def _pg_env(url: DatabaseUrl, database: str) -> Step:
    env = [f"export PGHOST={shlex.quote(url.host or 'localhost')}", f"export PGPORT={url.port or 5432}"]
    if url.user:
        env.append(f"export PGUSER={shlex.quote(url.user)}")
    env.append(f"export PGDATABASE={shlex.quote(database)}")
    return Step(
        "Connection settings for every command below.",
        tuple(env),
        "The password is never written here: put it in ~/.pgpass (host:port:database:user:password, "
        "chmod 600) or export PGPASSWORD in the shell that runs the commands.",
    )


def _postgres(
    url: DatabaseUrl, snapshot: HealthSnapshot, facts: Mapping[str, Any], database: str
) -> tuple[list[str], list[Step], list[Step]]:
    tool = backup_tool(snapshot)
    problems = archiving_problems(snapshot)
    archiver = dict(snapshot.rows("archiver")[0]) if snapshot.rows("archiver") else {}
    command, library = archive_command(snapshot), archive_library(snapshot)
    pgdata = str(facts.get("data_directory") or "$PGDATA")
    standbys = list(facts.get("standbys") or [])
    target = f"{facts.get('now_utc', '')}"
    db = shlex.quote(database)
    protection = [
        f"WAL archiving: {'OFF — ' + '; '.join(problems) if problems else 'on'} "
        f"(wal_level = {snapshot.setting('wal_level')}, archive_mode = {snapshot.setting('archive_mode')}, "
        f"archive_command = {_shown(command)}, archive_library = {_shown(library)}, "
        f"archive_timeout = {snapshot.setting('archive_timeout')}).",
        f"Backup tool named by the archiving settings: {tool or 'none'}.",
        "pg_stat_archiver: "
        + (
            f"{archiver.get('archived_count')} segments archived (last {archiver.get('last_archived_wal')} "
            f"at {archiver.get('last_archived_time')}), {archiver.get('failed_count')} failures"
            if archiver and archiver.get("last_archived_wal")
            else f"no segment archived yet, {archiver.get('failed_count')} failures"
            if archiver
            else "not read"
        )
        + ".",
        f"Standbys streaming now (pg_stat_replication): {len(standbys)}"
        + (
            ": " + ", ".join(f"{s['application_name']} ({s['sync_state']}, {s['state']})" for s in standbys)
            if standbys
            else ""
        )
        + ("; not read" if "standbys" in dict(facts.get("unavailable", {})) else "")
        + ". A standby protects against losing the server, not against a bad DELETE: it replays it.",
        f"Replication slots: {', '.join(str(s['slot_name']) for s in snapshot.rows('replication_slots')) or 'none'}.",
        "Base backups and dumps: when the last one ran is not visible from the server; "
        f"{len(snapshot.rows('backups_in_progress'))} base backup(s) running now.",
    ]
    backup = [_pg_env(url, database)]
    restore = [_pg_env(url, database)]
    logical_dump = f"pg_dump -Fc -f {database}-$(date +%F).dump {db}"
    backup.append(Step("Logical backup (every night, and before risky changes).", (
        f"dbexpert backup manifest {shlex.quote(url.redacted())} -o {database}-$(date +%F).manifest.json",
        logical_dump,
    ), "The manifest lets `backup verify` compare the restore with the data as it was at backup time."))  # fmt: skip
    if problems:
        backup.append(Step(
            "Turn on WAL archiving first (see Gaps; needs a restart), then take a base backup.",
            ("pg_basebackup -D /backups/base/$(date +%F) -Fp -Xs -c fast --manifest-checksums=CRC32C",),
            "Until archiving runs, no point-in-time recovery is possible: a restore lands on the last dump.",
        ))  # fmt: skip
    elif tool == "pgbackrest":
        stanza = _stanza(command) or "main"
        backup.append(Step("Full and incremental backups.", (
            f"pgbackrest --stanza={stanza} --type=full backup",
            f"pgbackrest --stanza={stanza} --type=incr backup",
            f"pgbackrest --stanza={stanza} info",
        )))  # fmt: skip
    elif tool == "wal-g":
        backup.append(Step("Base backups (WAL is pushed by archive_command).", (
            f"wal-g backup-push {pgdata}", "wal-g backup-list",
        )))  # fmt: skip
    elif tool in ("barman", "pgbarman"):
        server = _barman_server(command) or "SERVER_NAME_IN_BARMAN_CONF"
        backup.append(Step("Base backups, on the Barman host.", (
            f"barman backup {server}", f"barman list-backup {server}",
        )))  # fmt: skip
    else:
        backup.append(Step("Base backups (WAL is archived by archive_command).", (
            "pg_basebackup -D /backups/base/$(date +%F) -Fp -Xs -c fast --manifest-checksums=CRC32C",
        )))  # fmt: skip

    restore.append(Step("Logical restore (whole database, to the time of the dump).", (
        f"createdb -T template0 {database}_restored",
        f"pg_restore --exit-on-error -j 4 -d {database}_restored {database}-YYYY-MM-DD.dump",
        f"dbexpert backup verify {database}-YYYY-MM-DD.dump --manifest {database}-YYYY-MM-DD.manifest.json",
        f"# when it passes: stop the application, then  ALTER DATABASE {database} RENAME TO {database}_broken;"
        f"  ALTER DATABASE {database}_restored RENAME TO {database};",
    ), "Restore next to the damaged database, never over it."))  # fmt: skip
    if problems:
        restore.append(Step(
            "Point-in-time recovery: not possible today (WAL is not archived).",
            (), "Fix the WAL archiving gap; after the first base backup the steps below apply.",
        ))  # fmt: skip
    restore += _pitr_steps(tool, command, pgdata, target)
    if standbys:
        restore.append(Step("Losing the primary server (not the data): promote a standby.", (
            "psql -h STANDBY_HOST -c 'SELECT pg_promote()'",
        ), "Then point the application at it. A standby has the bad change too: use point-in-time recovery for that."))  # fmt: skip
    return protection, backup, restore


def _pitr_steps(tool: str | None, command: str, pgdata: str, target: str) -> list[Step]:
    target_time = f"TARGET_TIME='{target}'  # just before the damage, in UTC"
    stop = Step("Stop the server and keep the damaged data directory.", (
        f"pg_ctl -D {pgdata} stop -m fast", f"mv {pgdata} {pgdata}.damaged",
    ))  # fmt: skip
    inspect = Step("Check the data while recovery is paused at the target, then promote.", (
        "psql -c 'SELECT pg_is_in_recovery(), pg_last_xact_replay_timestamp()'",
        "psql -c 'SELECT pg_promote()'  # ends recovery: the server accepts writes on a new timeline",
    ), "recovery_target_action = 'pause' lets you look before you commit to this point; "
       "if it is too early, stop, restore again with a later target.")  # fmt: skip
    if tool == "pgbackrest":
        stanza = _stanza(command) or "main"
        return [stop, Step("Restore the backup and replay WAL to the target time.", (
            target_time,
            f"mkdir -m 700 {pgdata}",
            f'pgbackrest --stanza={stanza} --type=time "--target=$TARGET_TIME" --target-action=pause restore',
            f"pg_ctl -D {pgdata} start",
        ), "pgBackRest writes restore_command, recovery_target_time and recovery.signal itself."), inspect]  # fmt: skip
    if tool == "wal-g":
        fetch = "wal-g wal-fetch %f %p"
        base = [f"wal-g backup-fetch {pgdata} LATEST"]
    elif tool in ("barman", "pgbarman"):
        server = _barman_server(command) or "SERVER_NAME_IN_BARMAN_CONF"
        return [stop, Step("Restore the backup and replay WAL to the target time (run on the Barman host).", (
            target_time,
            f'barman recover --remote-ssh-command "ssh postgres@DB_HOST" --target-time "$TARGET_TIME" '
            f"--target-action pause {server} latest {pgdata}",
            f"pg_ctl -D {pgdata} start  # on the database host",
        ), "Barman writes restore_command, the target and recovery.signal itself."), inspect]  # fmt: skip
    else:
        fetch = _restore_command(command) or "cp /path/to/wal-archive/%f %p"
        base = [f"cp -a /backups/base/YYYY-MM-DD {pgdata}  # the newest base backup taken before TARGET_TIME"]
    return [stop, Step("Restore the base backup and configure recovery to the target time.", (
        target_time, *base,
        f"chmod 700 {pgdata}",
        f"cat >> {pgdata}/postgresql.auto.conf <<EOF",
        f"restore_command = '{fetch}'",
        "recovery_target_time = '$TARGET_TIME'",
        "recovery_target_action = 'pause'",
        "EOF",
        f"touch {pgdata}/recovery.signal",
        f"pg_ctl -D {pgdata} start",
    ), "recovery.signal makes the server replay archived WAL up to recovery_target_time."), inspect]  # fmt: skip


def _stanza(command: str) -> str | None:
    match = re.search(r"--stanza[= ](\S+)", command)
    return match.group(1) if match else None


def _barman_server(command: str) -> str | None:
    match = re.search(r"barman-wal-archive\s+(?:-\S+\s+)*\S+\s+(\S+)\s+%p", command)
    return match.group(1) if match else None


def _restore_command(command: str) -> str | None:
    """`cp %p DIR/%f` (optionally behind `test ! -f DIR/%f &&`) archives into DIR: read it back from there."""
    match = re.search(r"\bcp\s+(?:-\S+\s+)*%p\s+(\S+)/%f", command)
    return f"cp {match.group(1)}/%f %p" if match else None


def _mysql(
    url: DatabaseUrl,
    snapshot: HealthSnapshot,
    facts: Mapping[str, Any],
    database: str,
    rpo: Mapping[str, Any],
) -> tuple[list[str], list[Step], list[Step]]:
    mariadb = snapshot.flavor == "mariadb"
    log_bin = (snapshot.setting("log_bin") or "").upper() in ("ON", "1")
    status = facts.get("binlog_status") or {}
    gtid = snapshot.setting("gtid_mode") or (
        "on (MariaDB: always, with the binary log)" if mariadb else "not read"
    )
    if not log_bin:
        gtid = "none (no binary log)"
    protection = [
        f"Binary log: {'on' if log_bin else 'OFF'} (log_bin = {snapshot.setting('log_bin')}, binlog_format = "
        f"{snapshot.setting('binlog_format')}, sync_binlog = {snapshot.setting('sync_binlog')}, "
        f"innodb_flush_log_at_trx_commit = {snapshot.setting('innodb_flush_log_at_trx_commit')}).",
        f"GTID: {gtid}"
        + (f", gtid_strict_mode = {snapshot.setting('gtid_strict_mode')}" if mariadb and log_bin else "")
        + ".",
        f"Binary log retention: {rpo.get('binlog_retention_days')} days ({rpo.get('binlog_retention_from')})."
        if log_bin
        else "Binary log retention: none (no binary log).",
        f"Current binary log position: {status.get('File')}:{status.get('Position')}."
        if status
        else "Current binary log position: none (binary log off or not readable).",
        "Dumps: when the last one ran is not visible from the server.",
    ]
    client, dump, binlog = (
        ("mariadb", "mariadb-dump", "mariadb-binlog") if mariadb else ("mysql", "mysqldump", "mysqlbinlog")
    )
    env = Step("Credentials for every command below.", (
        "cat > ~/.my.cnf <<EOF",
        "[client]", f"host={url.host or 'localhost'}", f"port={url.port or 3306}", f"user={url.user or 'root'}",
        "password=...  # typed here, never on a command line", "EOF", "chmod 600 ~/.my.cnf",
    ), "The option file keeps the password out of the process list and out of this plan.")  # fmt: skip
    coords = ("--master-data=2 --gtid" if mariadb else "--source-data=2") if log_bin else ""
    db = shlex.quote(database)
    backup = [env, Step("Consistent dump (every night, and before risky changes).", (
        f"dbexpert backup manifest {shlex.quote(url.redacted())} -o {database}-$(date +%F).manifest.json",
        f"{dump} --single-transaction --routines --triggers --events {coords} --databases {db} > {database}-$(date +%F).sql".replace("  ", " "),
    ), "With the binary log on, the dump records its binary log coordinates in a comment: point-in-time recovery starts there.")]  # fmt: skip
    if log_bin:
        basename = str(facts.get("log_bin_basename") or "binlog")
        backup.append(Step("Copy binary logs off the server as they are written.", (
            f"{binlog} --read-from-remote-server --host={url.host or 'localhost'} --raw --stop-never "
            f"--result-file=/backups/binlog/ {status.get('File') or Path(basename).name + '.000001'}",
        ), "Binary logs on the server's own disk die with it: the RPO is the last one copied."))  # fmt: skip
    restore = [env, Step("Restore the dump into a new database.", (
        f"{client} -e 'CREATE DATABASE {database}_restored'",
        f"sed -e '/^CREATE DATABASE/d' -e '/^USE /d' {database}-YYYY-MM-DD.sql | {client} {database}_restored",
        f"dbexpert backup verify {database}-YYYY-MM-DD.sql --manifest {database}-YYYY-MM-DD.manifest.json",
    ), "Restore next to the damaged database, never over it.")]  # fmt: skip
    if not log_bin:
        restore.append(Step(
            "Point-in-time recovery: not possible today (log_bin = OFF).", (),
            "Turn the binary log on (see Gaps; needs a restart); until then a restore lands on the last dump.",
        ))  # fmt: skip
        return protection, backup, restore
    first = status.get("File") or "binlog.000001"
    restore += [Step("Read the dump's binary log coordinates.", (
        f"grep -m1 -E 'CHANGE (MASTER|REPLICATION SOURCE) TO' {database}-YYYY-MM-DD.sql",
        f"# e.g. MASTER_LOG_FILE='{first}', MASTER_LOG_POS=4242: START_FILE and START_POS below",
    )), Step("Replay the binary logs from there to just before the damage.", (
        f"STOP_TIME='{facts.get('now_utc', '')}'  # just before the damage, in UTC",
        f"FILES=$(ls /backups/binlog/{Path(first).stem}.[0-9]* | sort | sed -n '/START_FILE/,$p')"
        "  # START_FILE and every later file, in order",
        f"TZ=UTC {binlog} --start-position=START_POS --stop-datetime=\"$STOP_TIME\" --database={db} "
        f"--rewrite-db='{database}->{database}_restored' $FILES | {client} {database}_restored",
    ), "--start-position applies to the first file only; the files after it are replayed from their start.")]  # fmt: skip
    return protection, backup, restore


def _sqlite(url: DatabaseUrl, snapshot: HealthSnapshot) -> tuple[list[str], list[Step], list[Step]]:
    path = shlex.quote(str(url.path))
    mode = (snapshot.setting("journal_mode") or "").lower()
    copy = _sqlite_copy(url, "$(date +%F)")
    protection = [
        f"Journal mode: {mode} ({'a backup can run beside writers' if mode == 'wal' else 'readers and a backup block writers'}).",
        f"Integrity check ({snapshot.facts.get('integrity_check')}): "
        + ("ok" if [dict(r) for r in snapshot.rows("integrity_check")] == [{"message": "ok"}] else "see Gaps")
        + ".",
        "No log of its own: there is no point-in-time recovery, only the last copy.",
    ]
    backup = [Step("Copy it safely (never cp while the application writes).", (
        f"sqlite3 {path} \".backup '{copy}'\"",
        f"sqlite3 {path} \"VACUUM INTO '{copy}'\"  # the same, compacted",
    ), "Both read a consistent snapshot through SQLite itself (the online backup API / VACUUM INTO).")]  # fmt: skip
    restore = [Step("Stop the application, set the damaged file aside with its -wal and -shm, put the copy in place.", (
        f"mv {path} {path}.damaged; mv {path}-wal {path}-wal.damaged 2>/dev/null; rm -f {path}-shm",
        f"cp {_sqlite_copy(url, 'YYYY-MM-DD')} {path}",
        f"sqlite3 {path} 'PRAGMA integrity_check'",
    ), "A -wal file left beside the restored copy would be replayed onto it.")]  # fmt: skip
    return protection, backup, restore


def _sqlite_copy(url: DatabaseUrl, date: str) -> str:
    path = url.path or Path("app.db")
    return f"/backups/{path.stem}-{date}{path.suffix}"


def _verify_steps(url: DatabaseUrl, database: str) -> list[Step]:
    shown = shlex.quote(url.redacted())
    artifact = {
        Engine.POSTGRES: f"{database}-YYYY-MM-DD.dump",
        Engine.MYSQL: f"{database}-YYYY-MM-DD.sql",
    }.get(url.engine) or _sqlite_copy(url, "YYYY-MM-DD")
    steps = [
        Step(
            "Prove each backup restores, and measure the restore time.",
            (f"dbexpert backup verify {artifact} --against {shown} --format json -o verify.json",),
            "Restores into a scratch database, compares every table's rows and checksum, times it.",
        ),  # fmt: skip
        Step(
            "Refresh this plan with the measured restore speed (the RTO).",
            (f"dbexpert backup plan {shown} --verified verify.json -o disaster-recovery.md",),
        ),  # fmt: skip
        Step(
            "After a real restore, check recovery readiness of the restored database again.",
            (f"dbexpert backup check {shown}",),
        ),  # fmt: skip
    ]
    if url.engine is Engine.POSTGRES:
        steps.insert(1, Step("Check base backups and the WAL they need.", (
            "dbexpert backup verify /backups/base/YYYY-MM-DD --wal-dir /path/to/wal-archive",
        )))  # fmt: skip
    return steps


def _shown(setting: str) -> str:
    return repr(setting) if setting else "empty"


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
