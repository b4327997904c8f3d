"""``backup check``: can this database be recovered to a point in time, and how far back would a
restore land (the recovery point objective, RPO)?

It reads the settings and views that decide recovery, read-only, runs the backup rules over them
(the ``backup-*`` rules, plus the SQLite rules that decide whether a copy is safe and sound:
:data:`ALSO_RUN`), and states the achievable recovery point with exactly what was measured.
``audit`` runs the backup rules too, on its own health snapshot: for MySQL/MariaDB and SQLite it
holds everything they read; for PostgreSQL the archiving settings are read only here, so the
PostgreSQL backup rules report under ``backup check``.

What no server can tell: when the last full backup was taken, and whether it restores. The RPO
says so instead of guessing.
"""

from __future__ import annotations

import datetime
import decimal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from dbexpert.api.config import Config, enabled_rules, rule_options, validate
from dbexpert.engines import SessionOptions, connect, read_health
from dbexpert.engines.url import parse_url
from dbexpert.model import Catalog, DbexpertError, Engine, Finding, StatsSource, Version
from dbexpert.model.health import HealthSnapshot
from dbexpert.report import ReportData
from dbexpert.rules.context import run_health_rules
from dbexpert.rules.ops._backup import archiving_problems, backup_tool
from dbexpert.rules.ops.backup_mysql_binlog_retention_short import retention_seconds
from dbexpert.rules.ops.backup_postgres_archive_timeout_unset import timeout_seconds
from dbexpert.rules.ops.redis_backup_snapshot_old import snapshot_age
from dbexpert.rules.registry import Registry, Rule, registry

# Not named backup-*, but part of backup readiness: WAL mode lets a backup run beside writers, and
# a file that fails its integrity check restores its corruption.
ALSO_RUN = frozenset({"sqlite-journal-mode-not-wal", "sqlite-integrity-check-failed"})

# PostgreSQL's recovery settings and views, read only here (the audit's health snapshot has none).
PG_SETTINGS = ("wal_level", "archive_mode", "archive_command", "archive_library", "archive_timeout")
PG_SETTINGS_SQL = "SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY(%(names)s)"
PG_SERVER = """
SELECT current_setting('server_version') AS server_version,
       current_setting('server_version_num')::int AS server_version_num,
       pg_is_in_recovery() AS in_recovery
"""
PG_ARCHIVER = """
SELECT archived_count, last_archived_wal, last_archived_time,
       failed_count, last_failed_wal, last_failed_time,
       extract(epoch FROM now() - last_archived_time)::bigint AS seconds_since_archived
FROM pg_stat_archiver
"""
# check_postgres' archive_ready: segments written but not archived yet (pg_monitor or superuser).
PG_READY = "SELECT count(*) AS ready_files FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'"
PG_SLOTS = "SELECT slot_name, slot_type, active, database FROM pg_replication_slots ORDER BY slot_name"
PG_BASE_BACKUPS = "SELECT pid, phase, backup_total, backup_streamed FROM pg_stat_progress_basebackup"


# What the MySQL and Redis health readers say they could not read, but no backup rule needs.
_NOT_BACKUP = frozenset({"machine_memory", "performance_schema", "slowlog", "latency"})


@dataclass(frozen=True, slots=True)
class BackupCheckResult:
    findings: tuple[Finding, ...]
    target: str  # redacted
    engine: str
    rpo: Mapping[str, Any]
    seconds: float = 0.0
    notes: tuple[str, ...] = ()
    snapshot: HealthSnapshot | None = field(default=None, repr=False)

    def report(self) -> ReportData:
        return ReportData(
            command="backup check",
            findings=self.findings,
            target=self.target,
            summary=MappingProxyType(
                {"engine": self.engine, "mode": "live", "seconds": round(self.seconds, 3)}
            ),
            extra=MappingProxyType({"rpo": dict(self.rpo)}),
            notes=(f"recovery point: {self.rpo['recovery_point']}", *self.notes),
        )


def is_backup_rule(rule: Rule) -> bool:
    return rule.name.startswith("backup-") or rule.name in ALSO_RUN


def backup_check(
    target: str,
    config: Config | None = None,
    rules: Registry | None = None,
    integrity: Literal["quick", "full"] = "quick",
) -> BackupCheckResult:
    """Read what decides recovery on ``target`` (read-only), run the backup rules, state the RPO."""
    config = config or Config()
    rules = rules or registry()
    validate(config, rules)
    started = time.perf_counter()
    url = parse_url(target)
    with connect(url, SessionOptions()) as session:
        snapshot = read_backup_snapshot(session, integrity)
    catalog = Catalog(
        engine=snapshot.engine, version=snapshot.version, flavor=snapshot.flavor, source=StatsSource.LIVE
    )
    chosen = [rule for rule in enabled_rules(config, rules) if is_backup_rule(rule)]
    findings = run_health_rules(snapshot, catalog, chosen, rule_options(config, rules))
    label = f"{snapshot.flavor or snapshot.engine.value} {snapshot.version or ''}".strip()
    notes = tuple(
        f"not read: {name}: {why}" for name, why in snapshot.unavailable.items() if name not in _NOT_BACKUP
    )
    return BackupCheckResult(
        findings=tuple(findings),
        target=url.redacted(),
        engine=label,
        rpo=recovery_point(snapshot),
        seconds=time.perf_counter() - started,
        notes=notes,
        snapshot=snapshot,
    )


def read_backup_snapshot(session: Any, integrity: Literal["quick", "full"] = "quick") -> HealthSnapshot:
    engine = session.url.engine
    if engine is Engine.POSTGRES:
        return read_postgres(session)
    if engine is Engine.SQLITE:
        from dbexpert.engines.sqlite.health import read_health as read_sqlite

        return read_sqlite(session, integrity)
    return read_health(session)


def read_postgres(session: Any) -> HealthSnapshot:
    """Archiving settings, pg_stat_archiver (+ .ready files), slots and running base backups."""
    server = session.fetch("backup server", PG_SERVER)[0]
    settings = session.fetch("backup settings", PG_SETTINGS_SQL, {"names": list(PG_SETTINGS)})
    results: dict[str, list[dict[str, Any]]] = {}
    unavailable: dict[str, str] = {}
    queries = {"archiver": PG_ARCHIVER, "ready": PG_READY, "replication_slots": PG_SLOTS}
    if int(server["server_version_num"]) >= 130000:  # the progress view is new in 13
        queries["backups_in_progress"] = PG_BASE_BACKUPS
    for name, sql in queries.items():
        try:
            results[name] = session.fetch(f"backup {name}", sql)
        except DbexpertError as exc:  # e.g. pg_ls_archive_statusdir() without pg_monitor
            unavailable[name] = str(exc)
    return build_postgres_snapshot(server, settings, results, unavailable, session.url.redacted())


def build_postgres_snapshot(
    server: Mapping[str, Any],
    settings: Sequence[Mapping[str, Any]],
    results: Mapping[str, Sequence[Mapping[str, Any]]],
    unavailable: Mapping[str, str],
    source: str = "",
) -> HealthSnapshot:
    """Rows -> snapshot (pure). The ``.ready`` count joins the archiver row as ``ready_files``."""
    archiver = [_plain_row(r) for r in results.get("archiver", ())]
    ready = results.get("ready")
    if archiver and ready:
        archiver[0]["ready_files"] = int(ready[0]["ready_files"])
    kept = {name: rows for name, rows in results.items() if name not in ("archiver", "ready")}
    named = {"archiver": archiver, **{k: [_plain_row(r) for r in v] for k, v in kept.items()}}
    return HealthSnapshot(
        engine=Engine.POSTGRES,
        version=Version.parse(str(server["server_version"]).split()[0]),
        settings=MappingProxyType({str(r["name"]): str(r["value"]) for r in settings}),
        results=MappingProxyType({k: tuple(MappingProxyType(r) for r in v) for k, v in named.items()}),
        facts=MappingProxyType({"in_recovery": bool(server["in_recovery"])}),
        unavailable=MappingProxyType(dict(unavailable)),
        source=source,
    )


def _plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): _plain(v) for k, v in row.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return value


def recovery_point(snapshot: HealthSnapshot) -> dict[str, Any]:
    """The achievable recovery point, and exactly what it rests on (pure)."""
    if snapshot.engine is Engine.POSTGRES:
        return _postgres_rpo(snapshot)
    if snapshot.engine is Engine.MYSQL:
        return _mysql_rpo(snapshot)
    if snapshot.engine is Engine.REDIS:
        return _redis_rpo(snapshot)
    return _sqlite_rpo(snapshot)


_LAST_FULL = "the last full backup: everything written since is lost (its age is not visible from the server)"


def _postgres_rpo(snapshot: HealthSnapshot) -> dict[str, Any]:
    measured: dict[str, Any] = {name: snapshot.setting(name) for name in PG_SETTINGS}
    archiver = dict(snapshot.rows("archiver")[0]) if snapshot.rows("archiver") else {}
    measured["pg_stat_archiver"] = archiver or None
    slots = [dict(r) for r in snapshot.rows("replication_slots")]
    measured["replication_slots"] = slots
    measured["backups_in_progress"] = len(snapshot.rows("backups_in_progress"))
    rpo: dict[str, Any] = {"engine": "postgres", "backup_tool": backup_tool(snapshot), "measured": measured}
    problems = archiving_problems(snapshot)
    if problems:
        return rpo | {"continuous": False, "seconds": None, "recovery_point": f"{_LAST_FULL}; {problems[0]}"}
    age = archiver.get("seconds_since_archived")
    failing = bool(archiver.get("last_failed_time")) and str(archiver.get("last_failed_time")) > str(
        archiver.get("last_archived_time") or ""
    )
    if failing:
        text = f"the last archived WAL segment, {age} s ago, and falling behind: archiving is failing"
        return rpo | {"continuous": True, "seconds": age, "recovery_point": text}
    timeout = timeout_seconds(snapshot.setting("archive_timeout")) or 0
    last = f"last segment archived {age} s ago" if age is not None else "no segment archived yet"
    streaming = [s["slot_name"] for s in slots if s.get("slot_type") == "physical" and s.get("active")]
    also = (
        f"; WAL also streams to slot(s) {', '.join(streaming)} (near zero if that is a WAL receiver)"
        if streaming
        else ""
    )
    if timeout:
        text = f"about {int(timeout)} s (archive_timeout) of WAL: continuous archiving, {last}{also}"
        return rpo | {"continuous": True, "seconds": int(timeout), "recovery_point": text}
    text = (
        f"unbounded on a quiet server: a partial WAL segment is archived only when full "
        f"(archive_timeout = 0); {last}{also}"
    )
    return rpo | {"continuous": True, "seconds": None, "recovery_point": text}


def _mysql_rpo(snapshot: HealthSnapshot) -> dict[str, Any]:
    names = ("log_bin", "binlog_format", "sync_binlog", "innodb_flush_log_at_trx_commit", "gtid_mode",
             "gtid_strict_mode", "binlog_expire_logs_seconds", "expire_logs_days")  # fmt: skip
    measured = {name: snapshot.setting(name) for name in names if snapshot.setting(name) is not None}
    rpo: dict[str, Any] = {"engine": snapshot.flavor or "mysql", "measured": measured}
    if (snapshot.setting("log_bin") or "").upper() not in ("ON", "1"):
        return rpo | {"continuous": False, "seconds": None, "recovery_point": f"{_LAST_FULL}; log_bin = OFF"}
    retention, variable = retention_seconds(snapshot)
    crash_safe = (
        snapshot.setting("sync_binlog") == "1" and snapshot.setting("innodb_flush_log_at_trx_commit") == "1"
    )
    text = (
        "the last binary log copied off this server (binary logs on its own disk are lost with it: "
        "stream them with mysqlbinlog --read-from-remote-server --raw --stop-never for seconds); "
        + ("a crash of the server itself loses no committed transaction (sync_binlog = 1, "
           "innodb_flush_log_at_trx_commit = 1)" if crash_safe
           else "a crash can lose the last second of commits (sync_binlog or innodb_flush_log_at_trx_commit is not 1)")
    )  # fmt: skip
    retention_days = round(retention / 86400, 2) if retention else None
    return rpo | {
        "continuous": True,
        "seconds": None,
        "crash_safe": crash_safe,
        "binlog_retention_days": retention_days,
        "binlog_retention_from": variable,
        "recovery_point": text,
    }


def _redis_rpo(snapshot: HealthSnapshot) -> dict[str, Any]:
    """AOF: about a second (everysec), nothing (always) or the kernel's flush (no); RDB alone: the
    age of the last snapshot now, and up to the longest save interval; neither: everything."""
    names = ("save", "appendonly", "appendfsync", "dir", "dbfilename", "appenddirname")
    measured: dict[str, Any] = {name: snapshot.setting(name) for name in names}
    for name in ("rdb_last_save_time", "rdb_changes_since_last_save", "rdb_last_bgsave_status",
                 "aof_last_write_status", "aof_last_bgrewrite_status", "role", "connected_slaves"):  # fmt: skip
        measured[name] = snapshot.facts.get(name)
    age = snapshot_age(snapshot)
    measured["seconds_since_last_save"] = int(age) if age is not None else None
    replicas = [f"{r.get('ip')}:{r.get('port')}" for r in snapshot.rows("replicas")]
    also = (
        f"; replicas {', '.join(replicas)} hold a live copy (not a backup: deletes replicate too)"
        if replicas
        else ""
    )
    rpo: dict[str, Any] = {"engine": "redis", "measured": measured}
    failing = [
        n for n in ("rdb_last_bgsave_status", "aof_last_write_status") if snapshot.facts.get(n) == "err"
    ]
    if snapshot.setting("appendonly") == "yes":
        fsync = snapshot.setting("appendfsync") or "everysec"
        seconds = {"always": 0, "everysec": 1, "no": 30}.get(fsync)
        text = {"always": "no acknowledged write (appendfsync always)",
                "everysec": "about 1 s of writes (appendonly yes, appendfsync everysec)",
                "no": "up to ~30 s of writes on a power loss (appendfsync no: the kernel flushes)"}.get(fsync, fsync)  # fmt: skip
        text += " — on this machine; copies taken off it are as recent as the last copy of the AOF directory"
        if failing:
            text += f"; but persistence is failing ({', '.join(failing)})"
        return rpo | {"continuous": True, "seconds": seconds, "recovery_point": text + also}
    save = (snapshot.setting("save") or "").split()
    if save:
        longest = max(int(x) for x in save[0::2])
        state = f"the last snapshot is {int(age)} s old" if age is not None else "snapshot age unknown"
        changes = snapshot.facts.get("rdb_changes_since_last_save")
        text = (f"the last RDB snapshot: {state} with {changes} writes since; save points allow up to "
                f"{longest} s between snapshots on a quiet server")  # fmt: skip
        if failing:
            text += f"; snapshots are failing ({', '.join(failing)}): the window keeps growing"
        return rpo | {"continuous": False, "seconds": int(age) if age is not None else None,
                      "recovery_point": text + also}  # fmt: skip
    text = "everything: persistence is off (no save points, no AOF); a restart empties the server" + also
    return rpo | {"continuous": False, "seconds": None, "recovery_point": text}


def _sqlite_rpo(snapshot: HealthSnapshot) -> dict[str, Any]:
    mode = (snapshot.setting("journal_mode") or "").lower()
    return {
        "engine": "sqlite",
        "continuous": False,
        "seconds": None,
        "recovery_point": "the last copy taken with the online backup API or VACUUM INTO (SQLite ships no "
        "log of its own; Litestream-like tools replicate the WAL)",
        "how_to_back_up": "sqlite3 app.db \".backup 'backup.db'\" or VACUUM INTO 'backup.db'; never copy "
        "the file while it is written"
        + (
            " (in WAL mode the -wal file holds committed transactions the main file does not)"
            if mode == "wal"
            else ""
        ),
        "measured": {
            "journal_mode": mode,
            "integrity_check": snapshot.facts.get("integrity_check"),
            "file_bytes": snapshot.facts.get("file_bytes"),
        },
    }
