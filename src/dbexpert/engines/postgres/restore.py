"""Restore a pg_dump artifact into a scratch database with the PostgreSQL client programs.

Custom (``-Fc``) and directory (``-Fd``) archives go through ``pg_restore``, plain SQL through
``psql``; both stop at the first error, so a damaged compressed block or a truncated archive fails
the restore instead of leaving a half-filled database that looks fine. The programs get the
connection through ``PG*`` environment variables: the password never appears on a command line,
and whatever they print is scrubbed before it is shown.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from dbexpert.engines.url import DatabaseUrl, redact
from dbexpert.model import InputError

_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)  # Debian/Ubuntu layout


@dataclass(frozen=True, slots=True)
class RestoreRun:
    ok: bool
    seconds: float
    error: str | None = None  # the program's first error line, credentials removed
    program: str = ""


def find_program(name: str) -> str:
    """``name`` on PATH, else in the newest ``/usr/lib/postgresql/*/bin``; InputError when absent."""
    found = shutil.which(name)
    if found:
        return found
    for folder in _BIN_DIRS:
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    raise InputError(f"{name} not found: install the PostgreSQL client programs (postgresql-client)")


def client_env(url: DatabaseUrl) -> dict[str, str]:
    """The environment that points the client programs at ``url`` (the password included, off the command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.user,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
        "PGSSLMODE": url.params.get("sslmode"),
        "PGAPPNAME": "dbexpert-backup-verify",
        "PGCONNECT_TIMEOUT": "10",
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def restore_archive(artifact: Path, scratch: DatabaseUrl, *, plain: bool) -> RestoreRun:
    """Restore ``artifact`` (a plain SQL dump when ``plain``, else a custom or directory archive) into ``scratch``."""
    database = scratch.database or ""
    if plain:
        program = find_program("psql")
        command = [program, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d", database]
        command += ["-f", str(artifact)]
    else:
        program = find_program("pg_restore")
        command = [program, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        command += ["-d", database, str(artifact)]
    return run_program(command, scratch)


def run_program(command: list[str], url: DatabaseUrl) -> RestoreRun:
    """Run a client program against ``url``; its exit status and first error line."""
    started = time.perf_counter()
    try:
        completed = subprocess.run(
            command,
            env=client_env(url),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as exc:
        raise InputError(f"cannot run {command[0]}: {exc.strerror}") from None
    seconds = time.perf_counter() - started
    if completed.returncode == 0:
        return RestoreRun(ok=True, seconds=seconds, program=Path(command[0]).name)
    return RestoreRun(
        ok=False,
        seconds=seconds,
        error=first_error(completed.stderr, url) or f"exit status {completed.returncode}",
        program=Path(command[0]).name,
    )


def first_error(stderr: str, url: DatabaseUrl) -> str | None:
    """The first line that says what went wrong, with no password in it."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    chosen = next((line for line in lines if "error" in line.lower() or "fatal" in line.lower()), None)
    chosen = chosen or (lines[0] if lines else None)
    if chosen is None:
        return None
    if url.password:
        chosen = chosen.replace(url.password, "***")
    return redact(chosen)
