"""Private, throw-away redis-server processes: to load a backup for ``backup verify``, and for tests
that plant faults. Each listens on its own free port on 127.0.0.1 only, works in a temporary
folder, and is always stopped and the folder removed — after errors and Ctrl-C too.

Its own persistence is off (no save points; AOF only when an AOF is what it loads), so it never
writes a snapshot of its own over the artifact's copy.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import DbexpertError, InputError

START_TIMEOUT_S = 600.0  # loading a large RDB takes a while; the server answers LOADING meanwhile


@dataclass(frozen=True, slots=True)
class PrivateServer:
    port: int
    folder: Path
    seconds_to_ready: float  # process start to the dataset loaded and PING answered

    @property
    def url(self) -> DatabaseUrl:
        return parse_url(f"redis://127.0.0.1:{self.port}/0")


def find_program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InputError(
            f"{name} not found on PATH: install the Redis server package (redis-server, redis-tools)"
        )
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def private_server(
    files: Mapping[str, Path] | None = None,
    config: Mapping[str, str] | None = None,
    timeout_s: float = START_TIMEOUT_S,
) -> Iterator[PrivateServer]:
    """Start redis-server in a fresh temporary folder holding copies of ``files`` (name in the
    folder -> source file or directory); ``config`` adds or overrides directives."""
    program = find_program("redis-server")
    folder = Path(tempfile.mkdtemp(prefix="dbexpert-redis-"))
    process: subprocess.Popen[bytes] | None = None
    try:
        for name, source in (files or {}).items():
            if source.is_dir():
                shutil.copytree(source, folder / name)
            else:
                shutil.copyfile(source, folder / name)
        port = free_port()
        directives = {
            "port": str(port), "bind": "127.0.0.1", "protected-mode": "yes", "dir": str(folder),
            "save": "", "appendonly": "no", "daemonize": "no", "logfile": str(folder / "redis.log"),
            "dbfilename": "dump.rdb", **(config or {}),
        }  # fmt: skip
        args = [program, *(part for key, value in directives.items() for part in (f"--{key}", value))]
        started = time.perf_counter()
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
        _wait_ready(process, port, folder, started + timeout_s)
        yield PrivateServer(port, folder, time.perf_counter() - started)
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


class ServerFailed(DbexpertError):
    """The private server exited (or never became ready): its log's last lines say why."""

    exit_code = 1


def _wait_ready(process: subprocess.Popen[bytes], port: int, folder: Path, deadline: float) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1, socket_timeout=5)
    try:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise ServerFailed(f"redis-server stopped while loading: {log_tail(folder)}")
            try:
                if client.ping():
                    return
            except redis.exceptions.BusyLoadingError:
                pass
            except redis.exceptions.ConnectionError:
                pass
            time.sleep(0.02)
        raise ServerFailed(f"redis-server did not finish loading within {deadline:.0f} s: {log_tail(folder)}")
    finally:
        client.close()


def log_tail(folder: Path, lines: int = 3) -> str:
    """The last warning lines of the private server's log (``#`` marks warnings in Redis logs)."""
    try:
        text = (folder / "redis.log").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "no log"
    warnings = [line.split(" # ", 1)[-1] for line in text if " # " in line]
    warnings = [w for w in warnings if not w.startswith("WARNING")] or text[-lines:]
    return " | ".join(warnings[-lines:]).strip() or "no log"


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM: with persistence off it exits without saving
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
