"""What checking a base backup's files costs: every member or file read and its CRC32C compared.

Starts a private PostgreSQL cluster (initdb in a temporary folder, its own port, replication allowed:
the shared local server's pg_hba.conf has no replication entry), fills a table of about
``--size-mb`` MB with ``generate_series`` (the same table as ``backup_verify_cost.py``), takes
``pg_basebackup -Ft``, ``-Ft -z`` and ``-Fp`` backups of it (the manifest's default checksum,
CRC32C), then times, in this process:

1. the artifact-level check of ``dbexpert.engines.postgres.restore_basebackup``: ``check_tar_files``
   (every archive streamed with ``tarfile``, gzip inflated by ISA-L, every member's size and CRC32C
   compared with ``backup_manifest``), or for ``-Fp`` ``check_files`` (every file read and compared:
   what runs when ``pg_verifybackup`` is not installed);
2. ``verify_backup`` (what ``dbexpert backup verify BACKUP`` runs) of the tar backups: the same, plus
   the manifest read, the WAL segments the backup needs looked up in ``pg_wal.tar``, and the backup
   extracted, started and read by a private server (whose CPU is not counted).

CPU is this process's user + system time (``getrusage(RUSAGE_SELF)``), per GB of the files the
manifest lists. The cluster and every file are removed at the end.

    python benchmarks/basebackup_tar_check.py [--size-mb 1024]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

from backup_verify_cost import build  # same directory: the same table, filled the same way

from dbexpert.api.backup_verify import verify_backup
from dbexpert.engines.postgres.restore import find_program
from dbexpert.engines.postgres.restore_basebackup import check_files, check_tar_files, read_manifest

GB = 1024**3
T = TypeVar("T")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def measure(work: Callable[[], T]) -> tuple[float, float, T]:
    cpu, wall = _cpu(), time.perf_counter()
    result = work()
    return time.perf_counter() - wall, _cpu() - cpu, result


def _as_server_user(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres account then."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser") or "runuser"
    return [runuser, "-u", "postgres", "--", *command]


@contextmanager
def private_cluster(home: Path) -> Iterator[int]:
    """A fresh PostgreSQL cluster under ``home`` accepting replication over 127.0.0.1; its port."""
    data = home / "data"
    subprocess.run(
        _as_server_user([find_program("initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off -c max_wal_size=4GB"
    pg_ctl = find_program("pg_ctl")
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield port
    finally:
        stop = [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]
        subprocess.run(_as_server_user(stop), check=False, capture_output=True)


def base_backup(port: int, target: Path, *options: str) -> None:
    command = [find_program("pg_basebackup"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    form = [] if "-Fp" in options else ["-Ft"]
    subprocess.run([*command, "-D", str(target), *form, "-X", "fetch", "--no-sync", *options], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dbx_bench_cluster_"))  # not private to root: the server user writes here
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    try:
        with private_cluster(home) as port:
            url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
            started = time.perf_counter()
            size = build(url, args.size_mb)
            print(f"built the events table: {size / 1024**2:.0f} MB database in {time.perf_counter() - started:.1f} s")
            backups = {"tar": home / "tar", "tar.gz (-z)": home / "targz", "plain (-Fp)": home / "plain"}
            base_backup(port, backups["tar"])
            base_backup(port, backups["tar.gz (-z)"], "-z")
            base_backup(port, backups["plain (-Fp)"], "-Fp")
        print(f"{'backup':12} {'archives':>10} {'files':>8} {'artifact check':>22} {'verify_backup':>22}")
        for label, path in backups.items():
            manifest = read_manifest(path)
            files = sum(int(entry["Size"]) for entry in manifest["Files"])
            plain = label.startswith("plain")
            archives = sum(p.stat().st_size for p in path.iterdir() if ".tar" in p.name)
            wall, cpu, problems = measure(partial(check_files if plain else check_tar_files, path, manifest))
            assert problems == [], problems
            line = (
                f"{label:12} {archives / 1024**2:8.0f}MB {files / 1024**2:6.0f}MB"
                f" {wall:6.2f}s {cpu:5.2f} CPU-s {cpu / (files / GB):4.2f}/GB"
            )
            if not plain:
                verify_wall, verify_cpu, result = measure(partial(verify_backup, path))
                assert result.passed, result.problems
                line += f" {verify_wall:6.2f}s {verify_cpu:5.2f} CPU-s {verify_cpu / (files / GB):4.2f}/GB"
            print(line)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print("removed", home)


if __name__ == "__main__":
    main()
