"""Check and load a Redis backup artifact: ``redis-check-rdb`` / ``redis-check-aof`` first, then a
private throw-away redis-server loads it (``engines/redis/server``) and its databases are counted and
checksummed (``engines/redis/checksum``) for ``backup verify``.

RDB files end with a CRC64 of their content (when written with ``rdbchecksum yes``, the default):
``redis-check-rdb`` verifies it (``RDB CRC error``), so a flipped byte anywhere is caught even when
the value still parses; a cut file fails with ``Unexpected EOF``. AOF files have no checksum:
``redis-check-aof`` proves only the command format, so a changed value inside a command is caught
by the content comparison alone.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbexpert.engines.base import SessionOptions
from dbexpert.engines.redis.checksum import read_sums
from dbexpert.engines.redis.connect import RedisSession
from dbexpert.engines.redis.server import ServerFailed, find_program, private_server


@dataclass(frozen=True, slots=True)
class ToolCheck:
    program: str
    ok: bool
    messages: tuple[str, ...]  # the error lines it printed


@dataclass(frozen=True, slots=True)
class Loaded:
    ok: bool
    seconds: float  # process start to the data set loaded
    error: str = ""
    sums: dict[str, Any] | None = None


def aof_manifest(folder: Path) -> Path | None:
    return next(iter(sorted(folder.glob("*.manifest"))), None)


def check_file(artifact: Path, is_aof: bool) -> ToolCheck:
    """Run redis-check-rdb or redis-check-aof (on an AOF directory: its manifest) and keep its errors."""
    program = "redis-check-aof" if is_aof else "redis-check-rdb"
    target = aof_manifest(artifact) if artifact.is_dir() else artifact
    run = subprocess.run(
        [find_program(program), str(target)], capture_output=True, text=True, errors="replace", timeout=3600
    )
    lines = [line.strip() for line in (run.stdout + run.stderr).splitlines() if line.strip()]
    bad = [line for line in lines if _is_error(line) and not line.startswith("---")]
    ok = run.returncode == 0 and not bad
    return ToolCheck(program, ok, tuple(bad or lines[-3:]) if not ok else ())


def _is_error(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in ("error", "unexpected eof", "bad file format", "not valid", "crc"))


def load(artifact: Path, is_aof: bool) -> Loaded:
    """Load the artifact into a private server and read every database's key count and checksum."""
    if is_aof:
        files = {"appendonlydir": artifact} if artifact.is_dir() else {"appendonly.aof": artifact}
        config = {"appendonly": "yes", "appenddirname": "appendonlydir", "appendfilename": "appendonly.aof",
                  "appendfsync": "no", "aof-load-truncated": "no"}  # fmt: skip
    else:
        files, config = {"dump.rdb": artifact}, {}
    try:
        with private_server(files, config) as server:
            with RedisSession.open(server.url, SessionOptions()) as session:
                return Loaded(True, server.seconds_to_ready, sums=read_sums(session))
    except ServerFailed as exc:
        return Loaded(False, 0.0, error=str(exc).removeprefix("redis-server stopped while loading: "))
