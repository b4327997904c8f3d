"""Start a PostgreSQL base backup as a throw-away server: the restore drill of ``backup verify``.

The backup is copied (plain format) or extracted (tar, gzip too; ``<oid>.tar`` tablespaces beside it,
``tablespace_map`` pointed at them) into a private temporary folder, never touched in place. The WAL
segments it needs (the manifest's ``WAL-Ranges``) are copied from ``--wal-dir``, the backup's
``pg_wal`` or its ``pg_wal.tar`` into a folder that ``restore_command`` reads; the copy's own
``pg_wal`` starts empty, so every record replayed came through that command. ``recovery.signal``
with ``recovery_target = 'immediate'`` stops replay at the first consistent point and promotes.

The server reads a configuration of our own instead of the backup's (whose paths, preloaded
libraries, archiving and TLS files belong to the source machine; ``postgresql.auto.conf`` is set
aside for the same reason): a unix socket in the private folder and no TCP, trust authentication on
that socket only, 16MB of shared_buffers, no archiving, no fsync, autovacuum off, messages in
English so the log can be read back. Replay checks every WAL record's CRC: when it stops, the log
says where, and :func:`replay_failure` names the segment.
"""

from __future__ import annotations

import getpass
import re
import shutil
import tarfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from dbexpert.engines.postgres import cluster as pg_cluster
from dbexpert.engines.postgres import restore_basebackup as bb
from dbexpert.engines.postgres.scratch import connect
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import DbexpertError, InputError

DRILL_PREFIX = "dbexpert-restore-"
START_TIMEOUT = 3600.0  # seconds for replay to reach consistency: large backups replay a lot of WAL
_LSN = r"([0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8})"
# Messages of PostgreSQL's WAL reader when a record or page does not read (xlogreader.c).
_BAD_RECORD = re.compile(
    r"(?:invalid|incorrect|unexpected|contrecord|too long|out-of-sequence|prev-link).*?\bat " + _LSN
)
_BAD_PAGE = re.compile(r"in log segment ([0-9A-F]{24})")
_NO_CHECKPOINT = re.compile(r"could not locate (?:required|a valid) checkpoint record")
_LEVEL = re.compile(r"^(LOG|FATAL|PANIC|ERROR|WARNING):\s+(.*)$")
PROGRAM = "postgres (WAL replay)"  # what restored the backup, as findings name it


@dataclass(frozen=True, slots=True)
class ReplayFailure:
    """Why the started backup did not reach a consistent state."""

    message: str  # the server's own line
    segment: str | None = None  # the WAL segment it stopped in, when the log says
    missing: bool = False  # that segment was not there to be read


@dataclass(frozen=True, slots=True)
class Drill:
    """A started base backup: ready (``cluster``, ``user``) or failed (``failure``)."""

    seconds: float  # copy or extraction, then replay up to consistency
    cluster: pg_cluster.Cluster | None = None
    user: str = ""  # a superuser of the restored cluster
    failure: ReplayFailure | None = None

    @property
    def ready(self) -> bool:
        return self.cluster is not None and self.failure is None

    def url(self, database: str) -> DatabaseUrl:
        assert self.cluster is not None
        return self.cluster.url(database, self.user)


@contextmanager
def started_backup(
    backup: Path,
    manifest: dict[str, Any],
    wal_dir: Path | None,
    *,
    users: Sequence[str] = (),
    timeout: float = START_TIMEOUT,
) -> Iterator[Drill]:
    """Start ``backup`` in a private folder and yield the :class:`Drill`; the server is always stopped
    and the folder removed (errors and Ctrl-C too). ``users`` are role names to try first when looking
    for a superuser to connect as. InputError when no server of the backup's major version is installed."""
    if (backup / "PG_VERSION").is_file():  # plain format: refuse before copying anything
        pg_cluster.server_bin_dir(pg_cluster.data_major(backup))
    account = pg_cluster.server_account(backup)
    with private_copy(backup, manifest, wal_dir, account) as (home, started):
        data, wal = home / "data", home / "wal"
        bin_dir = pg_cluster.server_bin_dir(pg_cluster.data_major(data))
        settings = drill_settings(home, wal)
        with ExitStack() as stack:
            failure: ReplayFailure | None = None
            ready: pg_cluster.Cluster | None = None
            try:
                ready = stack.enter_context(
                    pg_cluster.running(
                        data, home, settings=settings, account=account, bin_dir=bin_dir,
                        config_file=home / "postgresql.conf", timeout=timeout,
                    )
                )  # fmt: skip
            except pg_cluster.ClusterError as exc:
                failure = replay_failure(exc.log or str(exc), data, wal, manifest)
            if ready is not None and not pg_cluster.wait_ready(ready, timeout):
                failure = replay_failure(ready.log_text(), data, wal, manifest, timeout=timeout)
            seconds = time.perf_counter() - started
            if failure is not None or ready is None:
                yield Drill(seconds, failure=failure or ReplayFailure("the server did not start"))
                return
            yield Drill(
                seconds, ready, superuser(ready, [*users, ready.account or getpass.getuser(), "postgres"])
            )


@contextmanager
def private_copy(
    backup: Path, manifest: dict[str, Any], wal_dir: Path | None, account: str | None
) -> Iterator[tuple[Path, float]]:
    """The backup unpacked into ``home/data`` with its WAL in ``home/wal``, set up for recovery and
    owned by ``account``; yields ``home`` and the ``perf_counter`` when copying began."""
    with pg_cluster.private_home(account, DRILL_PREFIX) as home:
        started = time.perf_counter()
        data = home / "data"
        archives = bb.tar_archives(backup)
        if archives:
            _extract(archives, data, home / "tablespaces")
        else:
            _copy(backup, data)
        collect_wal(backup, data, manifest, wal_dir, home / "wal")
        _prepare(data)
        (home / "pg_hba.conf").write_text("local all all trust\n", encoding="utf-8")
        (home / "pg_ident.conf").write_text("", encoding="utf-8")
        pg_cluster.hand_over(home, account)
        yield home, started


def drill_settings(home: Path, wal: Path) -> dict[str, str]:
    return {
        "hba_file": str(home / "pg_hba.conf"),
        "ident_file": str(home / "pg_ident.conf"),
        "log_line_prefix": "",
        "shared_buffers": "16MB",
        "hot_standby": "off",  # no connections before consistency; the standby parameter checks stay off
        "archive_mode": "off",
        "restore_command": f'cp "{wal}/%f" "%p"',
        "recovery_target": "immediate",
        "recovery_target_action": "promote",
        "recovery_target_timeline": "current",
        "fsync": "off",
        "synchronous_commit": "off",
        "autovacuum": "off",
        "ssl": "off",
        "shared_preload_libraries": "",
        "cluster_name": "dbexpert-restore-drill",
    }


def _copy(backup: Path, data: Path) -> None:
    """Copy a plain-format backup; its ``pg_wal`` stays empty (WAL comes through ``restore_command``).
    Tablespace links are followed: their files land in ``pg_tblspc/<oid>``, an in-place tablespace."""
    skipped = backup / "pg_wal"

    def ignore(folder: str, names: list[str]) -> list[str]:
        return names if Path(folder) == skipped else []

    try:  # a tablespace whose folder is not on this machine is left out: its tables then fail to read
        shutil.copytree(backup, data, symlinks=False, ignore=ignore, ignore_dangling_symlinks=True)
    except (OSError, shutil.Error) as exc:
        raise InputError(f"{backup}: cannot be copied for the restore: {exc}") from None


def _extract(archives: list[Path], data: Path, tablespaces: Path) -> None:
    """Extract ``base.tar`` into ``data`` (without its ``pg_wal`` files) and each ``<oid>.tar`` into
    ``tablespaces/<oid>``, then point ``tablespace_map`` at them."""
    data.mkdir(mode=0o700)
    moved: dict[str, Path] = {}
    for archive in archives:
        stem = archive.name.split(".tar", 1)[0]
        if stem == "pg_wal":
            continue
        target = data if stem == "base" else tablespaces / stem
        target.mkdir(parents=True, exist_ok=True)
        if stem != "base":
            moved[stem] = target
        try:
            with bb.open_tar(archive) as tar:
                tar.extractall(target, members=_without_wal(tar, stem), filter="data")
        except bb.TAR_ERRORS as exc:
            raise InputError(f"{archive}: cannot be extracted to its end: {exc}") from None
    mapping = data / "tablespace_map"
    if (
        mapping.is_file()
    ):  # every tablespace inside the private folder: replay must never write to the source's
        lines = []
        for line in mapping.read_text(encoding="utf-8").splitlines():
            oid = line.split(" ", 1)[0]
            if oid:
                target = moved.get(oid) or tablespaces / oid  # without its archive: an empty folder
                target.mkdir(parents=True, exist_ok=True)
                lines.append(f"{oid} {target}")
        mapping.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _without_wal(tar: tarfile.TarFile, stem: str) -> Iterator[tarfile.TarInfo]:
    for member in tar:
        if stem == "base" and member.isfile() and member.name.removeprefix("./").startswith("pg_wal/"):
            continue
        yield member


def collect_wal(
    backup: Path, data: Path, manifest: dict[str, Any], wal_dir: Path | None, target: Path
) -> None:
    """Copy the WAL segments the backup needs, and timeline history files, into ``target``."""
    target.mkdir()
    needed = set(bb.needed_segments(manifest, bb.segment_bytes(data)))

    def wanted(name: str) -> bool:
        return name in needed or name.endswith(".history")

    archive = bb.wal_tar(backup) if wal_dir is None else None
    if archive is not None:
        try:
            with bb.open_tar(archive) as tar:
                for member in tar:
                    name = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and wanted(name):
                        with (target / name).open("wb") as out:
                            for chunk in bb.member_chunks(tar, member):
                                out.write(chunk)
        except bb.TAR_ERRORS:
            return  # what was read is there; replay says what is missing
        return
    folder = wal_dir if wal_dir is not None else backup / "pg_wal"
    for path in sorted(folder.glob("*")) if folder.is_dir() else ():
        if path.is_file() and wanted(path.name):
            shutil.copyfile(path, target / path.name)


def _prepare(data: Path) -> None:
    """Recovery from the backup, with nothing of the source's server setup."""
    (data / "pg_wal" / "archive_status").mkdir(parents=True, exist_ok=True)
    for name in ("postmaster.pid", "postmaster.opts", "standby.signal", "postgresql.auto.conf"):
        (data / name).unlink(missing_ok=True)
    (data / "recovery.signal").write_text("", encoding="utf-8")
    data.chmod(0o700)


# ----------------------------------------------------------------------------------------- connecting


def superuser(cluster: pg_cluster.Cluster, candidates: Sequence[str]) -> str:
    """A superuser of the started cluster: the bootstrap superuser, found by connecting as the first
    role among ``candidates`` that exists (trust on the private socket)."""
    for user in dict.fromkeys(c for c in candidates if c):
        try:
            conn = connect(cluster.url("postgres", user))
        except DbexpertError:
            continue
        with conn:
            row = conn.execute("SELECT rolname FROM pg_roles WHERE oid = 10").fetchone()
        return str(row["rolname"]) if row else user
    return candidates[0] if candidates else "postgres"


def databases(url: DatabaseUrl) -> list[str]:
    """The databases one can connect to (templates left out)."""
    try:
        with connect(url) as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1"
            ).fetchall()
    except psycopg.Error:
        return []
    return [str(r["datname"]) for r in rows]


# ------------------------------------------------------------------------------------------- failures


def replay_failure(
    log: str, data: Path, wal: Path, manifest: dict[str, Any], *, timeout: float | None = None
) -> ReplayFailure:
    """What stopped the server, from its log: the WAL segment replay could not read (missing, or a
    record or page that does not check) when the log says where, else its first FATAL/PANIC line."""
    messages = [m for m in (_LEVEL.match(line.strip()) for line in log.splitlines()) if m]
    fatal = next((m.group(2) for m in messages if m.group(1) in ("FATAL", "PANIC")), None)
    size = bb.segment_bytes(data)
    for match in messages:
        text = match.group(2)
        page = _BAD_PAGE.search(text)
        record = _BAD_RECORD.search(text)
        if page is not None:
            return _in_segment(page.group(1), text, wal)
        if record is not None:
            lsn = bb.parse_lsn(record.group(1))
            return _in_segment(bb.segment_name(_timeline(manifest, lsn), lsn, size), text, wal)
    if fatal is not None and _NO_CHECKPOINT.search(fatal):
        checkpoint = _label(data, "CHECKPOINT LOCATION")
        if checkpoint is not None:
            lsn = bb.parse_lsn(checkpoint)
            return _in_segment(bb.segment_name(_timeline(manifest, lsn), lsn, size), fatal, wal)
    if fatal is not None:
        return ReplayFailure(fatal)
    if timeout is not None:
        return ReplayFailure(f"no consistent state within {timeout:.0f} s")
    return ReplayFailure("the server stopped during recovery without a message")


def _in_segment(segment: str, message: str, wal: Path) -> ReplayFailure:
    return ReplayFailure(message, segment, missing=not (wal / segment).is_file())


def _timeline(manifest: dict[str, Any], lsn: int) -> int:
    ranges = list(manifest.get("WAL-Ranges", ()))
    for wal_range in ranges:
        if bb.parse_lsn(str(wal_range["Start-LSN"])) <= lsn <= bb.parse_lsn(str(wal_range["End-LSN"])):
            return int(wal_range["Timeline"])
    return int(ranges[0]["Timeline"]) if ranges else 1


def _label(data: Path, key: str) -> str | None:
    """A field of ``backup_label`` (``CHECKPOINT LOCATION: 0/2000060``); None when absent."""
    try:
        text = (data / "backup_label").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = re.search(rf"^{re.escape(key)}: {_LSN}", text, re.M)
    return match.group(1) if match else None
