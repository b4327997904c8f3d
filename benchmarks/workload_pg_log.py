"""Analyze a generated PostgreSQL log with `dbexpert workload analyze`; pgBadger on the same log.

    apt-get install -y pgbadger            # the peer (Debian's package)
    python benchmarks/workload_pg_log.py [--size 1GiB] [--jobs 2] [--no-pgbadger] [--dir /tmp]

Goals on a 1 GiB log (benchmarks/generate_pg_log.py, 2,000 shapes): exactly 2,000 groups, event by
event equal to the generator's truth; at most 45 CPU-s in one process; peak RSS at most 200 MB;
`-j N` spreads the work over N processes; an incremental re-run (`--state`) on the unchanged file
costs at most 2 % of the first run. pgBadger runs with `-j 1` on the same file in the same run and
the CPU ratio is printed. Each command runs as its own process; CPU time (user + system, children
included) and peak RSS come from the kernel's accounting (wait4).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import sys
import tempfile
import time
from array import array
from pathlib import Path

HERE = Path(__file__).resolve().parent
REQUEST_RULES = ("n-plus-one-queries", "per-row-inserts", "duplicate-queries")


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_pg_log", HERE / "generate_pg_log.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate_pg_log"] = module
    spec.loader.exec_module(module)
    return module


def check_grouping(log: Path, truth: Path, prefix: str | None = None) -> dict[str, int | bool]:
    """Read ``log`` as dbexpert does and compare every query event's shape with the truth file."""
    from dbexpert.model.workload import QueryEvent, ReadProblem
    from dbexpert.sources.logs import ReadOptions, read_events
    from dbexpert.sql.fingerprint import fingerprint

    lines = 0
    with truth.open() as handle:
        for row in handle:
            lines = int(row.split("\t", 1)[0])
    expected = array("h", [-1]) * (lines + 1)
    with truth.open() as handle:
        for row in handle:
            line, shape = row.split("\t")
            expected[int(line)] = int(shape)
    ids_of: dict[int, set[str]] = {}
    shapes_of: dict[str, set[int]] = {}
    events = unexpected = problems = 0
    options = ReadOptions(log_line_prefix=prefix, format="postgres-stderr")
    for event in read_events(log, options):
        if isinstance(event, ReadProblem):
            problems += 1
            continue
        if not isinstance(event, QueryEvent):
            continue
        events += 1
        line = event.place.line
        shape = expected[line] if line < len(expected) else -1
        if shape < 0:
            unexpected += 1
            continue
        expected[line] = -2  # seen
        shape_id = fingerprint(event.sql).id
        ids_of.setdefault(shape, set()).add(shape_id)
        shapes_of.setdefault(shape_id, set()).add(shape)
    missing = sum(1 for value in expected if value >= 0)
    split = sum(1 for ids in ids_of.values() if len(ids) > 1)
    merged = sum(1 for shapes in shapes_of.values() if len(shapes) > 1)
    return {
        "events": events,
        "groups": len(shapes_of),
        "templates": len(ids_of),
        "split_templates": split,
        "merged_groups": merged,
        "missing_events": missing,
        "unexpected_events": unexpected,
        "problems": problems,
        "exact": split == 0 and merged == 0 and missing == 0 and unexpected == 0,
    }


def main() -> None:
    # Imported here: the tests load this file by path (for check_grouping), without this folder on sys.path.
    from _measure import dbexpert_program, measure  # same directory: one way to time a child process

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1GiB")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--no-pgbadger", action="store_true")
    parser.add_argument("--no-check", action="store_true", help="skip the event-by-event grouping check")
    args = parser.parse_args()
    generator = _generator()
    log = args.dir / f"dbexpert_bench_pg_{args.size}.log"
    truth = Path(f"{log}.truth")
    if not (log.exists() and truth.exists()):
        started = time.perf_counter()
        events, lines = generator.generate(log, generator._size(args.size))
        print(
            f"generated {log}: {events} query events, {lines} lines in {time.perf_counter() - started:.0f} s"
        )
    size_mb = log.stat().st_size / 2**20
    print(f"log: {log} ({size_mb:.0f} MiB, prefix {generator.PREFIX!r})")

    if not args.no_check:
        started = time.perf_counter()
        result = check_grouping(log, truth, generator.PREFIX)
        print(f"grouping vs truth: {json.dumps(result)} ({time.perf_counter() - started:.0f} s)")

    dbexpert = dbexpert_program()
    out = args.dir / "dbexpert_bench_pg_report.json"
    state = args.dir / "dbexpert_bench_pg.state"
    state.unlink(missing_ok=True)
    base = [dbexpert, "workload", "analyze", str(log), "--format", "json", "--output", str(out),
            "--log-line-prefix", generator.PREFIX]  # fmt: skip
    for accelerator in ("dbexpert.sql._skeleton", "dbexpert.sources.logs._rows"):
        built = importlib.util.find_spec(accelerator) is not None
        print(f"C accelerator {accelerator}: {'built' if built else 'not built (no compiler at install)'}")
    runs = {
        "dbexpert (1 process)": base,
        # the same without the C accelerator (what an install without a compiler runs)
        "dbexpert (1 process, Python only)": ["env", "DBEXPERT_PURE_PYTHON=1", *base],
        f"dbexpert -j {args.jobs}": [*base, "-j", str(args.jobs)],
        "dbexpert --state (first run)": [*base, "--state", str(state)],
        "dbexpert --state (unchanged)": [*base, "--state", str(state)],
    }
    figures: dict[str, tuple[float, float, float, int]] = {}
    request_findings: list[object] | None = None  # the 1-process run's: every other run must equal them
    for name, command in runs.items():
        out.unlink(missing_ok=True)
        figures[name] = measure(command, show_errors=True)
        wall, cpu, rss, code = figures[name]
        groups = ""
        if out.exists() and code in (0, 1):
            report = json.loads(out.read_text())
            summary = report["summary"]
            groups = f", {summary.get('shapes')} groups, {summary.get('lines_not_understood')} lines not understood"
            found = [f for f in report["findings"] if f["rule"] in REQUEST_RULES]
            request_findings = found if request_findings is None else request_findings
            groups += f", {len(found)} request findings ({'same as' if found == request_findings else 'DIFFER from'} 1 process)"
        print(f"{name:32} wall {wall:7.1f} s  cpu {cpu:7.1f} s  peak {rss:6.0f} MB  exit {code}{groups}")
    first, again = figures["dbexpert --state (first run)"][1], figures["dbexpert --state (unchanged)"][1]
    print(f"incremental re-run: {100 * again / first:.1f} % of the first run")

    if args.no_pgbadger:
        return
    pgbadger = shutil.which("pgbadger")
    if pgbadger is None:
        print("pgbadger not installed (apt-get install -y pgbadger): no comparison")
        return
    badger_out = args.dir / "dbexpert_bench_pgbadger.json"
    command = [
        pgbadger,
        "-j",
        "1",
        "--prefix",
        generator.PREFIX,
        "-f",
        "stderr",
        "-o",
        str(badger_out),
        str(log),
    ]
    wall, cpu, rss, code = measure(command, show_errors=True)
    print(f"{'pgbadger -j 1':32} wall {wall:7.1f} s  cpu {cpu:7.1f} s  peak {rss:6.0f} MB  exit {code}")
    ours = figures["dbexpert (1 process)"][1]
    print(f"CPU ratio pgbadger / dbexpert: {cpu / ours:.1f}x")
    # The machine's speed drifts over the minutes pgBadger takes: dbexpert once more after it, and
    # the ratio to the mean of the runs before and after it.
    out.unlink(missing_ok=True)
    after = measure(base, show_errors=True)[1]
    print(f"{'dbexpert (1 process, after)':32} cpu {after:7.1f} s")
    print(f"CPU ratio pgbadger / dbexpert, the runs either side: {cpu / ((ours + after) / 2):.1f}x")
    if badger_out.exists():
        try:
            report = json.loads(badger_out.read_text())
            # Its shapes sit per database-type key ("postgres"): count them all.
            normalized = report.get("normalyzed_info") or {}
            shapes = sum(len(v) for v in normalized.values() if isinstance(v, dict))
            print(f"pgbadger groups: {shapes} (for {generator.SHAPES} real shapes)")
        except ValueError:
            pass


if __name__ == "__main__":
    main()
