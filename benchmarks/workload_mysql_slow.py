"""Analyze a generated MySQL slow log with `dbexpert workload analyze`; pt-query-digest on the same log.

    apt-get install -y percona-toolkit       # the peer: pt-query-digest (Debian's package)
    python benchmarks/workload_mysql_slow.py [--size 200MiB] [--no-peer] [--dir /tmp]

The generator is deterministic (seeded): 1,000 real shapes in six families (point lookups, IN lists
of any length with booleans, UPDATEs with strings holding '' and backslash escapes, multi-row
INSERTs with NULLs, multi-line GROUP BY reports, DELETEs with negative decimals), Zipf popularity,
200 connections interleaved in short request bursts (as a pooled application runs them), one burst
in 150 an N+1 storm, MySQL 8 entries with and without ``log_slow_extra`` fields. Beside the log it
writes the true shape of every entry (line, shape number), so grouping is checked event by event.

Goals on 200 MiB: exactly 1,000 groups, at most 14 CPU-s for dbexpert; pt-query-digest runs on
the same file in the same run and the CPU ratio is printed. CPU time (user + system) and peak RSS
come from the kernel's accounting of each child process (wait4).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from bisect import bisect
from itertools import accumulate
from pathlib import Path

from _measure import dbexpert_program, measure  # same directory: one way to time a child process

SHAPES = 1000  # at most len(_ADJECTIVES) * len(_NOUNS) distinct field names
SESSIONS = 200
_TABLES = ("orders", "customers", "products", "invoices", "payments", "shipments", "refunds", "carts",
           "sessions", "users", "accounts", "addresses", "reviews", "coupons", "vendors", "stock", "events",
           "audits", "tickets", "messages", "teams", "projects", "tasks", "comments", "tags", "files", "plans",
           "regions", "prices", "rates", "batches", "jobs", "alerts", "devices", "tokens", "notes", "logins")
_ADJECTIVES = ("last", "first", "next", "prev", "main", "alt", "home", "work", "billing", "legal", "public",
               "private", "total", "net", "gross", "min", "max", "avg", "raw", "clean", "old", "new", "hot",
               "cold", "open", "closed", "paid", "due", "late", "early", "daily", "weekly", "yearly", "local",
               "remote", "base", "extra", "spare", "final", "draft")
_NOUNS = ("name", "code", "amount", "status", "label", "email", "phone", "city", "country", "score", "count",
          "price", "weight", "height", "note", "title", "kind", "level", "rank", "color", "size", "mode",
          "flag", "owner", "source")
_WORDS = ("alpha", "O\\'Brien", "it''s", "naïve", "x", "Zürich", "a\\\\b", "50%", "")


def _size(text: str) -> int:
    units = {"GIB": 2**30, "MIB": 2**20, "KIB": 2**10}
    for unit, factor in units.items():
        if text.upper().endswith(unit):
            return int(float(text[: -len(unit)]) * factor)
    return int(text)


def _literal(rng: random.Random, kind: str) -> str:
    if kind == "int":
        return str(rng.randint(1, 10**6))
    if kind == "str":
        return f"'{rng.choice(_WORDS)}{rng.randint(0, 999)}'"
    if kind == "num":
        return f"-{rng.randint(0, 999)}.{rng.randint(0, 99):02d}"
    if kind == "bool":
        return rng.choice(("TRUE", "FALSE", "true", "0"))
    return rng.choice(("NULL", f"'{rng.choice(_WORDS)}'"))


def statement(shape: int, rng: random.Random) -> str:
    """One statement of ``shape`` with fresh literals (the family is shape % 6)."""
    # Names without digits: pt-query-digest folds digits in names (t17 and t18 are one "t?").
    table = _TABLES[shape % len(_TABLES)]
    field = f"{_ADJECTIVES[shape // len(_NOUNS) % len(_ADJECTIVES)]}_{_NOUNS[shape % len(_NOUNS)]}"
    family = shape % 6
    if family == 0:
        return f"SELECT id, {field} FROM {table} WHERE id = {_literal(rng, 'int')}"
    if family == 1:
        ids = ", ".join(_literal(rng, "int") for _ in range(rng.randint(1, 30)))
        return f"SELECT * FROM {table} WHERE {field} IN ({ids}) AND active = {_literal(rng, 'bool')}"
    if family == 2:
        return (f"UPDATE {table} SET {field} = {_literal(rng, 'str')}, score = {_literal(rng, 'num')} "
                f"WHERE id = {_literal(rng, 'int')}")  # fmt: skip
    if family == 3:
        rows = ", ".join(
            f"({_literal(rng, 'int')}, {_literal(rng, 'str')}, {_literal(rng, 'null')})" for _ in range(rng.randint(1, 8))
        )
        return f"INSERT INTO {table} (id, {field}, note) VALUES {rows}"
    if family == 4:
        return (f"SELECT {field}, COUNT(*)\n  FROM {table}\n WHERE created_at > {_literal(rng, 'str')}\n"
                f" GROUP BY {field}\n ORDER BY 2 DESC\n LIMIT {rng.randint(1, 100)}")  # fmt: skip
    return f"DELETE FROM {table} WHERE {field} < {_literal(rng, 'num')}"


def generate(path: Path, size: int, seed: int = 20240115) -> tuple[int, int]:
    """Write the log and ``path.truth`` (line TAB shape); return (entries, lines)."""
    rng = random.Random(seed)
    weights = list(accumulate(1.0 / (rank + 1) ** 1.1 for rank in range(SHAPES)))
    order = list(range(SHAPES))
    rng.shuffle(order)
    every = list(range(SHAPES))  # each shape appears at least once, early
    clock = 1705312800.0
    last_seen = [0.0] * SESSIONS
    entries = line = 0
    with path.open("w", encoding="utf-8") as log, Path(f"{path}.truth").open("w") as truth:
        log.write("/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started with:\n"
                  "Tcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
                  "Time                 Id Command    Argument\n")  # fmt: skip
        line = 3
        while log.tell() < size:
            session = rng.randrange(SESSIONS)
            clock = max(clock, last_seen[session] + 0.3) + rng.random() * 0.002
            if rng.randrange(150) == 0:  # an N+1 storm: a list, then one lookup per item
                lookup = 6 * rng.randrange(SHAPES // 6)  # family 0: a point lookup by id
                burst = [lookup + 1] + [lookup] * 12
            else:
                burst = [every.pop() if every else order[bisect(weights, rng.random() * weights[-1])]
                         for _ in range(rng.randint(1, 6))]  # fmt: skip
            for shape in burst:
                clock += 0.0005 + rng.random() * 0.001
                sql = statement(shape, rng)
                stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(clock)) + f".{int(clock % 1 * 1e6):06d}Z"
                extra = f" Thread_id: {session} Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: 56" if shape % 5 == 0 else ""
                header = (f"# Time: {stamp}\n# User@Host: app[app] @ web{session % 8} [10.0.0.{session % 250}]  Id: {session:5d}\n"
                          f"# Query_time: {rng.random() * 0.01:.6f}  Lock_time: 0.000001 Rows_sent: {rng.randint(0, 50)}  "
                          f"Rows_examined: {rng.randint(0, 5000)}{extra}\nSET timestamp={int(clock)};\n")  # fmt: skip
                truth.write(f"{line + 1}\t{shape}\n")
                text = header + sql + ";\n"
                log.write(text)
                line += text.count("\n")
                entries += 1
            last_seen[session] = clock
    return entries, line


def check_grouping(log: Path, truth: Path) -> dict[str, int | bool]:
    """Read ``log`` as dbexpert does and compare every entry's shape with the truth file."""
    from dbexpert.model import Engine
    from dbexpert.model.workload import QueryEvent, ReadProblem
    from dbexpert.sources.logs import ReadOptions, read_events
    from dbexpert.sql.fingerprint import fingerprint

    expected: dict[int, int] = {}
    with truth.open() as handle:
        for row in handle:
            number, shape = row.split("\t")
            expected[int(number)] = int(shape)
    ids_of: dict[int, set[str]] = {}
    shapes_of: dict[str, set[int]] = {}
    events = unexpected = problems = 0
    for event in read_events(log, ReadOptions(format="mysql-slow")):
        if isinstance(event, ReadProblem):
            problems += 1
            continue
        if not isinstance(event, QueryEvent):
            continue
        events += 1
        shape = expected.pop(event.place.line, None)
        if shape is None:
            unexpected += 1
            continue
        shape_id = fingerprint(event.sql, Engine.MYSQL).id
        ids_of.setdefault(shape, set()).add(shape_id)
        shapes_of.setdefault(shape_id, set()).add(shape)
    split = sum(1 for ids in ids_of.values() if len(ids) > 1)
    merged = sum(1 for shapes in shapes_of.values() if len(shapes) > 1)
    return {
        "events": events,
        "groups": len(shapes_of),
        "split_shapes": split,
        "merged_groups": merged,
        "missing_events": len(expected),
        "unexpected_events": unexpected,
        "problems": problems,
        "exact": split == 0 and merged == 0 and not expected and unexpected == 0 and len(shapes_of) == SHAPES,
    }


def reader_seconds(log: Path) -> tuple[float, int]:
    """CPU seconds of the MySQL slow log reader alone (its fast path, as ``workload analyze`` takes
    it: queries as plain rows), and the number of items it gave."""
    from dbexpert.sources.logs import ReadOptions, open_text
    from dbexpert.sources.logs.mysql_slow import read_items

    started = time.process_time()
    with open_text(log) as text:
        items = sum(1 for _ in read_items(text, str(log), ReadOptions()))
    return time.process_time() - started, items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="200MiB")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--no-peer", action="store_true", help="skip pt-query-digest")
    parser.add_argument("--no-check", action="store_true", help="skip the event-by-event grouping check")
    args = parser.parse_args()
    log = args.dir / f"dbexpert_bench_mysql_slow_{args.size}.log"
    truth = Path(f"{log}.truth")
    if not (log.exists() and truth.exists()):
        started = time.perf_counter()
        entries, lines = generate(log, _size(args.size))
        print(f"generated {log}: {entries} entries, {lines} lines in {time.perf_counter() - started:.0f} s")
    print(f"log: {log} ({log.stat().st_size / 2**20:.0f} MiB, {SHAPES} real shapes)")
    if not args.no_check:
        started = time.perf_counter()
        print(f"grouping vs truth: {json.dumps(check_grouping(log, truth))} ({time.perf_counter() - started:.0f} s)")

    cpu, items = reader_seconds(log)
    print(f"{'reader alone (in-process)':28} cpu {cpu:6.1f} s  {items} items")

    out = args.dir / "dbexpert_bench_mysql_report.json"
    command = [dbexpert_program(), "workload", "analyze", str(log), "--format", "json",
               "--output", str(out)]  # fmt: skip
    wall, cpu, rss, code = measure(command, show_errors=True)
    groups = ""
    if out.exists() and code in (0, 1):
        report = json.loads(out.read_text())
        summary = report["summary"]
        n_plus_one = sum(1 for f in report.get("findings", []) if f.get("rule") == "n-plus-one-queries")
        groups = f", {summary.get('shapes')} groups, {n_plus_one} N+1 findings"
    print(f"{'dbexpert workload analyze':28} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak {rss:5.0f} MB  exit {code}{groups}")
    if args.no_peer:
        return
    digest = shutil.which("pt-query-digest")
    if digest is None:
        print("pt-query-digest not installed (apt-get install -y percona-toolkit): no comparison")
        return
    peer_out = args.dir / "dbexpert_bench_pt_query_digest.txt"
    peer = [digest, "--limit", "100%", "--output", "report", str(log)]
    with peer_out.open("w") as sink:
        peer_wall, peer_cpu, peer_rss, peer_code = measure(peer, stdout=sink)
    classes = sum(1 for text in peer_out.open(errors="replace") if text.startswith("# Query ") and "ID 0x" in text)
    print(f"{'pt-query-digest':28} wall {peer_wall:6.1f} s  cpu {peer_cpu:6.1f} s  "
          f"peak {peer_rss:5.0f} MB  exit {peer_code}, {classes} groups")  # fmt: skip
    print(f"CPU ratio pt-query-digest / dbexpert: {peer_cpu / cpu:.1f}x")
    # The machine's speed drifts: dbexpert once more after the peer, and the ratio to the mean of both.
    after = measure(command, show_errors=True)[1]
    print(f"{'dbexpert (after)':28} cpu {after:6.1f} s")
    print(f"CPU ratio pt-query-digest / dbexpert, the runs either side: {peer_cpu / ((cpu + after) / 2):.1f}x")


if __name__ == "__main__":
    main()
