"""Private PostgreSQL servers: a data directory in a temporary folder, started with ``pg_ctl`` and
always stopped and removed.

``backup verify`` starts a copy of a base backup this way (a restore drill), and the tests start
their own clusters with it. The server programs come from the bin folder of the data directory's
major version (``PG_VERSION``): a server of another major version cannot read it. PostgreSQL
refuses to run as root, so under root every server program runs as the data directory's owner (the
``postgres`` account when root owns it) through ``runuser``; the temporary folder is handed to that
account. The server listens on a unix socket in that private folder only, unless told otherwise.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Engine, InputError

SERVER_PROGRAMS = ("pg_ctl", "postgres")
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")
# Where packages put the server programs of one major version, besides PATH.
_BIN_LAYOUTS = (
    "/usr/lib/postgresql/{major}/bin",  # Debian, Ubuntu
    "/usr/pgsql-{major}/bin",  # PGDG RPMs
    "/opt/homebrew/opt/postgresql@{major}/bin",  # Homebrew
    "/usr/local/opt/postgresql@{major}/bin",
    "/usr/local/pgsql/bin",  # built from source
)


class ClusterError(Exception):
    """The server did not start or did not become ready; ``log`` holds what it wrote."""

    def __init__(self, message: str, log: str = "") -> None:
        super().__init__(message)
        self.log = log


@dataclass(frozen=True, slots=True)
class Cluster:
    """A running private server."""

    data: Path
    socket_dir: Path
    port: int
    bin_dir: Path
    account: str | None  # the OS account it runs as when started by root; None: the current user
    log: Path
    listen: str = ""  # TCP addresses besides the socket ("" = socket only)

    def url(self, database: str = "postgres", user: str = "postgres") -> DatabaseUrl:
        """A URL for ``database`` through the private socket (or TCP when it listens there)."""
        host = self.listen.split(",")[0].strip() if self.listen else str(self.socket_dir)
        return DatabaseUrl(
            Engine.POSTGRES, "postgresql", host=host, port=self.port, user=user, database=database
        )

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""


# ------------------------------------------------------------------------------------------- programs


def data_major(data: Path) -> int:
    """The major version a data directory (or base backup) was written by, from ``PG_VERSION``."""
    path = data / "PG_VERSION"
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{path}:1:1: expected the PostgreSQL version of the data directory") from None
    if not text.isdigit():
        raise InputError(f"{path}:1:1: expected a PostgreSQL major version, found {text[:20]!r}")
    return int(text)


def server_bin_dir(major: int) -> Path:
    """The folder holding ``pg_ctl`` and ``postgres`` of PostgreSQL ``major``: the one on PATH when it is
    that version, else the packages' usual places; InputError naming what to install when none is."""
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    candidates += [Path(layout.format(major=major)) for layout in _BIN_LAYOUTS]
    for folder in candidates:
        if (
            all((folder / name).is_file() for name in SERVER_PROGRAMS)
            and program_major(folder / "postgres") == major
        ):
            return folder
    raise InputError(
        f"PostgreSQL {major} server programs (pg_ctl, postgres) not found: install the PostgreSQL {major}"
        f" server (Debian/Ubuntu: postgresql-{major}) to start this backup"
    )


def program_major(program: Path) -> int | None:
    """The major version a PostgreSQL program reports (``postgres --version``)."""
    try:
        completed = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return None
    match = _VERSION.search(completed.stdout)
    return int(match.group(1)) if match else None


# -------------------------------------------------------------------------------------------- account


def server_account(owner_of: Path) -> str | None:
    """The OS account to run the server as: None (the current user) unless we are root; then the owner
    of ``owner_of``, or ``postgres`` when root owns it."""
    if os.geteuid() != 0:
        return None
    try:
        owner = owner_of.owner()
    except (OSError, KeyError):
        owner = "root"
    account = owner if owner != "root" else "postgres"
    try:
        pwd.getpwnam(account)
    except KeyError:
        raise InputError(
            "PostgreSQL does not run as root and there is no postgres account: run as the user that owns"
            f" {owner_of}, or create a postgres account"
        ) from None
    if shutil.which("runuser") is None:
        raise InputError(
            f"running as root needs runuser to start PostgreSQL as {account}: install util-linux"
        )
    return account


def as_account(command: Sequence[str], account: str | None) -> list[str]:
    """``command`` run as ``account`` (through runuser) or, for None, as the current user."""
    if account is None:
        return list(command)
    return [shutil.which("runuser") or "runuser", "-u", account, "--", *command]


def hand_over(path: Path, account: str | None) -> None:
    """Give ``path`` and everything under it to ``account`` (nothing to do when it is None)."""
    if account is None:
        return
    entry = pwd.getpwnam(account)
    os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
    for root, folders, files in os.walk(path):
        for name in (*folders, *files):
            os.chown(os.path.join(root, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)


@contextmanager
def private_home(account: str | None, prefix: str = "dbexpert-cluster-") -> Iterator[Path]:
    """A new folder in the system's temporary folder, owned by ``account`` and private to it; always
    removed, after errors and Ctrl-C too. Not under a user's private folder: the account must reach it."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        hand_over(home, account)
        yield home
    finally:
        try:
            shutil.rmtree(home, ignore_errors=True)
        except KeyboardInterrupt:
            shutil.rmtree(home, ignore_errors=True)
            raise


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ------------------------------------------------------------------------------------------ lifecycle


def initdb(data: Path, bin_dir: Path, account: str | None, *, options: Sequence[str] = ()) -> None:
    """A new cluster in ``data`` (superuser ``postgres``, trust authentication: it listens privately)."""
    command = [
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
        *options,
    ]
    completed = subprocess.run(as_account(command, account), capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise ClusterError(f"initdb failed: {_last_line(completed.stderr)}", completed.stderr)


def server_settings(home: Path, port: int, listen: str) -> dict[str, str]:
    """Where a private server listens: on ``port``, through a socket in ``home``, on TCP only if asked."""
    return {
        "port": str(port),
        "listen_addresses": listen,
        "unix_socket_directories": str(home),
        "logging_collector": "off",
        "log_destination": "stderr",
        "lc_messages": "C",  # the log is read back: its messages in English
    }


def write_config(path: Path, settings: Mapping[str, str]) -> None:
    """A ``postgresql.conf`` holding exactly ``settings``."""
    lines = [f"{name} = '{_quote(value)}'" for name, value in settings.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@contextmanager
def running(
    data: Path,
    home: Path,
    *,
    settings: Mapping[str, str],
    account: str | None,
    bin_dir: Path,
    listen: str = "",
    config_file: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[Cluster]:
    """Start the server of ``data`` with ``settings`` (socket in ``home``), yield it, always stop it.

    With ``config_file`` the server reads that file instead of the data directory's
    ``postgresql.conf`` (``settings`` are written into it); otherwise ``settings`` are appended to
    the data directory's own file. ``pg_ctl -w`` waits up to ``timeout`` seconds."""
    port = free_port()
    wanted = {**server_settings(home, port, listen), **settings}
    log = home / "server.log"
    options = ""
    if config_file is not None:
        write_config(config_file, wanted)
        hand_over(config_file, account)
        options = f"-c config_file={config_file}"
    else:
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{name} = '{_quote(value)}'\n" for name, value in wanted.items())
    cluster = Cluster(data, home, port, bin_dir, account, log, listen)
    pg_ctl = str(bin_dir / "pg_ctl")
    start = [pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", str(max(1, int(timeout))), "start"]
    if options:
        start[1:1] = ["-o", options]
    try:
        completed = subprocess.run(as_account(start, account), capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise ClusterError(f"pg_ctl start failed: {_last_line(completed.stderr)}", cluster.log_text())
        yield cluster
    finally:
        stop(cluster)


def stop(cluster: Cluster) -> None:
    """Stop the server if it runs (fast shutdown, then immediate); retried when Ctrl-C hits the first try."""
    try:
        _stop(cluster)
    except KeyboardInterrupt:
        _stop(cluster)
        raise


def _stop(cluster: Cluster) -> None:
    if not (cluster.data / "postmaster.pid").exists():
        return
    pg_ctl = str(cluster.bin_dir / "pg_ctl")
    for mode in ("fast", "immediate"):
        command = [pg_ctl, "-D", str(cluster.data), "-m", mode, "-w", "-t", "30", "stop"]
        completed = subprocess.run(as_account(command, cluster.account), capture_output=True, check=False)
        if completed.returncode == 0 or not (cluster.data / "postmaster.pid").exists():
            return


def is_running(cluster: Cluster) -> bool:
    """Whether the postmaster of ``cluster`` is alive (``pg_ctl status``)."""
    command = [str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data), "status"]
    return (
        subprocess.run(as_account(command, cluster.account), capture_output=True, check=False).returncode == 0
    )


def wait_ready(cluster: Cluster, timeout: float) -> bool:
    """Wait until the server accepts connections (recovery finished): True; False when it stopped or
    the time ran out (``pg_isready``: 0 accepting, 1 rejecting while it starts, 2 no answer)."""
    isready = cluster.bin_dir / "pg_isready"
    if not isready.is_file():  # packaged with the client programs: may live elsewhere
        from dbexpert.engines.postgres.restore import find_program

        isready = Path(find_program("pg_isready"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        command = [str(isready), "-q", "-h", str(cluster.socket_dir), "-p", str(cluster.port), "-t", "2"]
        status = subprocess.run(command, capture_output=True, check=False).returncode
        if status == 0:
            return True
        if status == 2 and not is_running(cluster):
            return False
        time.sleep(0.1)
    return False


@contextmanager
def private_cluster(
    settings: Mapping[str, str] | None = None,
    *,
    major: int | None = None,
    initdb_options: Sequence[str] = (),
    listen: str = "",
) -> Iterator[Cluster]:
    """A new cluster (initdb) in a private temporary folder, started with ``settings``; always stopped
    and removed. ``major`` defaults to the newest installed server."""
    bin_dir = server_bin_dir(major) if major is not None else _newest_bin_dir()
    account = server_account(Path(tempfile.gettempdir()))
    with private_home(account) as home:
        data = home / "data"
        initdb(data, bin_dir, account, options=initdb_options)  # its pg_hba.conf trusts local replication too
        with running(
            data, home, settings=settings or {}, account=account, bin_dir=bin_dir, listen=listen
        ) as cluster:
            yield cluster


def _newest_bin_dir() -> Path:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if folder.parent.name.isdigit():
            return server_bin_dir(int(folder.parent.name))
    on_path = shutil.which("postgres")
    major = program_major(Path(on_path)) if on_path else None
    if major is None:
        raise InputError(
            "PostgreSQL server programs (pg_ctl, postgres) not found: install the PostgreSQL server"
        )
    return server_bin_dir(major)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "''")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no message"
