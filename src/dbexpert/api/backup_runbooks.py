"""The runbooks of ``backup plan``: per engine, what protects the database and the backup, restore,
point-in-time-recovery and verification steps, with the commands filled in for this database.

Pure: every builder receives the URL and what ``backup plan`` measured (the health snapshot, the
facts read from the server) and returns steps; nothing here connects. No step holds a credential:
the commands read the password from ``PGPASSWORD`` / ``~/.pgpass`` or a MySQL option file.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Engine
from dbexpert.model.health import HealthSnapshot
from dbexpert.rules.ops._backup import archive_command, archive_library, archiving_problems, backup_tool


@dataclass(frozen=True, slots=True)
class Step:
    title: str
    commands: tuple[str, ...] = ()
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "commands": list(self.commands), "why": self.why}


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


def postgres_runbook(
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


def mysql_runbook(
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


def sqlite_runbook(url: DatabaseUrl, snapshot: HealthSnapshot) -> tuple[list[str], list[Step], list[Step]]:
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


def redis_runbook(
    url: DatabaseUrl, snapshot: HealthSnapshot, rpo: Mapping[str, Any]
) -> tuple[list[str], list[Step], list[Step]]:
    """BGSAVE and copy the RDB (or the AOF directory), restore by putting it in ``dir`` of a stopped
    server, and replicas. The password stays in REDISCLI_AUTH, never on a command line."""
    cli = f"redis-cli -h {shlex.quote(url.host or '127.0.0.1')} -p {url.port or 6379}"
    cli += f" --user {shlex.quote(url.user)}" if url.user else ""
    folder = snapshot.setting("dir") or "/var/lib/redis"
    rdb = f"{folder}/{snapshot.setting('dbfilename') or 'dump.rdb'}"
    aof_dir = f"{folder}/{snapshot.setting('appenddirname') or 'appendonlydir'}"
    aof = snapshot.setting("appendonly") == "yes"
    replicas = [
        f"{r.get('ip')}:{r.get('port')} ({r.get('state')}, lag {r.get('lag')} s)"
        for r in snapshot.rows("replicas")
    ]
    protection = [
        f"RDB snapshots: save = {_shown(snapshot.setting('save') or '')}, last save "
        f"{rpo.get('measured', {}).get('seconds_since_last_save')} s ago, status {snapshot.facts.get('rdb_last_bgsave_status')}.",
        f"Append-only file: {'on, appendfsync ' + str(snapshot.setting('appendfsync')) if aof else 'off'}.",
        f"Replicas: {', '.join(replicas) if replicas else 'none'} (a replica is a live copy, not a backup: "
        "a FLUSHALL or a bad write replicates to it).",
        "When the last copy left the machine is not visible from the server.",
    ]
    env = Step("Connection settings for every command below.", ("export REDISCLI_AUTH=...  # the password, never on the command line",),
               "redis-cli reads the password from REDISCLI_AUTH; --user names an ACL user.")  # fmt: skip
    backup = [env, Step("Take a snapshot and copy it off the machine once it is written.", (
        f"{cli} BGSAVE",
        f"until [ \"$({cli} INFO persistence | grep -o 'rdb_bgsave_in_progress:0')\" ]; do sleep 1; done",
        f"{cli} INFO persistence | grep rdb_last_bgsave_status  # must say ok",
        f"cp {rdb} /backups/redis-$(date +%F).rdb",
    ), "Copying dump.rdb while a save writes it gives a cut file; BGSAVE forks, so it needs free memory.")]  # fmt: skip
    if aof:
        backup.append(Step("With the AOF on: copy the whole append-only directory, no rewrite running.", (
            f"{cli} CONFIG SET auto-aof-rewrite-percentage 0  # no rewrite during the copy",
            f"cp -r {aof_dir} /backups/appendonlydir-$(date +%F)",
            f"{cli} CONFIG SET auto-aof-rewrite-percentage 100",
        ), "The manifest names the base and incr files: they belong together."))  # fmt: skip
    restore = [Step("Stop the server, set the damaged files aside, put the copy in its dir, start it.", (
        "systemctl stop redis-server",
        f"mv {rdb} {rdb}.damaged; mv {aof_dir} {aof_dir}.damaged 2>/dev/null",
        f"cp /backups/redis-YYYY-MM-DD.rdb {rdb}",
        "# with appendonly yes, Redis loads the AOF and ignores dump.rdb: restore appendonlydir instead, or",
        "# start once with appendonly no, then CONFIG SET appendonly yes (it rewrites the AOF from memory)",
        "systemctl start redis-server",
        f"{cli} INFO keyspace",
    ), "Redis loads the data set at start; the load time is the RTO measured by backup verify.")]  # fmt: skip
    if replicas:
        restore.append(Step("Or fail over to a healthy replica (when the primary, not the data, is lost).", (
            "redis-cli -h REPLICA_HOST -p REPLICA_PORT REPLICAOF NO ONE",
            "# point the application (or Sentinel: SENTINEL FAILOVER mymaster) at it",
        ), "A replica holds every write up to its lag, but also every bad write."))  # fmt: skip
    return protection, backup, restore


def _sqlite_copy(url: DatabaseUrl, date: str) -> str:
    path = url.path or Path("app.db")
    return f"/backups/{path.stem}-{date}{path.suffix}"


def verify_steps(url: DatabaseUrl, database: str) -> list[Step]:
    shown = shlex.quote(url.redacted())
    artifact = {
        Engine.POSTGRES: f"{database}-YYYY-MM-DD.dump",
        Engine.MYSQL: f"{database}-YYYY-MM-DD.sql",
        Engine.REDIS: "/backups/redis-YYYY-MM-DD.rdb",
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
