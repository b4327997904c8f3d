"""Restore a mysqldump / mariadb-dump SQL file into a scratch database with the ``mysql`` client.

The client stops at the first error. Statements that would leave the scratch database — ``USE db``
and ``CREATE DATABASE`` written by ``--databases`` — are dropped from the stream, so a dump can
never be restored over the database it came from; a dump of several databases is refused. The
password goes through ``MYSQL_PWD`` in the client's environment, never on its command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import InputError

_LEAVES_DATABASE = re.compile(rb"^\s*(USE\s|CREATE\s+DATABASE\s|/\*!\d+\s+CREATE\s+DATABASE\s)", re.I)
_USE = re.compile(rb"^\s*USE\s+`?([^`;\s]+)`?", re.I)


@dataclass(frozen=True, slots=True)
class RestoreRun:
    ok: bool
    seconds: float
    error: str | None = None
    program: str = ""


def find_client() -> str:
    for name in ("mariadb", "mysql"):
        found = shutil.which(name)
        if found:
            return found
    raise InputError("neither mariadb nor mysql client found: install the MySQL or MariaDB client programs")


def scratch_lines(dump: Path) -> Iterator[bytes]:
    """The dump's lines without the statements that would switch to or create another database."""
    used: set[bytes] = set()
    with dump.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if _LEAVES_DATABASE.match(line):
                use = _USE.match(line)
                if use:
                    used.add(use.group(1))
                    if len(used) > 1:
                        raise InputError(
                            f"{dump}:{number}:1: expected a dump of one database; this one switches to a second"
                            " (USE): dump each database on its own"
                        )
                continue
            yield line


def restore_dump(dump: Path, scratch: DatabaseUrl) -> RestoreRun:
    """Feed ``dump`` to the client, connected to the scratch database; stop at the first error."""
    program = find_client()
    command = [program, "--batch", "--default-character-set=utf8mb4", f"--database={scratch.database}"]
    command += [f"--host={scratch.host or '127.0.0.1'}", f"--port={scratch.port or 3306}"]
    if scratch.user:
        command.append(f"--user={scratch.user}")
    env = dict(os.environ)
    env.pop("MYSQL_PWD", None)
    if scratch.password:
        env["MYSQL_PWD"] = scratch.password
    started = time.perf_counter()
    lines = scratch_lines(dump)
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
    )
    assert process.stdin is not None and process.stderr is not None
    try:
        try:
            for line in lines:
                process.stdin.write(line)
        except BrokenPipeError:
            pass  # the client stopped at an error: its status and stderr say which
        finally:
            try:
                process.stdin.close()
            except BrokenPipeError:
                pass
        stderr = process.stderr.read().decode("utf-8", "replace")
        code = process.wait()
    except BaseException:
        process.kill()  # Ctrl-C or a refused dump: never leave the client writing
        process.wait()
        raise
    seconds = time.perf_counter() - started
    if code == 0:
        return RestoreRun(ok=True, seconds=seconds, program=Path(program).name)
    return RestoreRun(
        ok=False,
        seconds=seconds,
        error=_first_line(stderr, scratch) or f"exit status {code}",
        program=Path(program).name,
    )


def _first_line(stderr: str, url: DatabaseUrl) -> str | None:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if "error" in line.lower()), lines[0] if lines else None)
    if chosen is None:
        return None
    if url.password:
        chosen = chosen.replace(url.password, "***")
    return redact(chosen)
