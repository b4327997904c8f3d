"""How the benchmarks time a child process: wall time, CPU time (user + system) and peak RSS from the
kernel's accounting of that process (wait4; on Linux its own reaped children count too, so the
workers of ``-j`` are included)."""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

Figures = tuple[float, float, float, int]  # wall s, cpu s, peak MB, exit code


def dbexpert_program() -> str:
    """The installed ``dbexpert`` command: the benchmarks time it as users run it, its modules
    byte-compiled as ``pip install .`` leaves them (an editable install compiles each module when it
    is first imported, or on every run where ``PYTHONDONTWRITEBYTECODE`` is set: a third of a short
    run's CPU)."""
    program = shutil.which("dbexpert")
    if program is None:
        raise SystemExit("the dbexpert command is not on PATH: pip install -e .")
    import dbexpert

    compileall.compile_dir(os.path.dirname(dbexpert.__file__), quiet=1)
    return program


def measure(command: list[str], *, stdout: IO[Any] | int = subprocess.DEVNULL, show_errors: bool = False) -> Figures:
    """(wall s, cpu s, peak MB, exit code) of one run of ``command`` as a child process. With
    ``show_errors``, the end of its stderr is printed when it exits with a code other than 0 or 1
    (dbexpert's "no findings" and "findings")."""
    # stderr goes to a file, not a pipe: a child writing more than a pipe holds would never exit.
    with tempfile.TemporaryFile() if show_errors else open(os.devnull, "wb") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if show_errors and code not in (0, 1):
            errors.seek(0)
            print(errors.read().decode(errors="replace")[-2000:], file=sys.stderr)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code


def best_of(command: list[str], runs: int) -> Figures:
    """Median wall and CPU time of ``runs`` runs, their largest peak RSS and the last exit code."""
    results = [measure(command) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        statistics.median(r[1] for r in results),
        max(r[2] for r in results),
        results[-1][3],
    )
