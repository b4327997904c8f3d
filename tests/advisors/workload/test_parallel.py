"""-j N: a PostgreSQL log split at message boundaries, read in processes, merged in file order."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from dbexpert.advisors.workload.aggregate import WorkloadAggregate
from dbexpert.advisors.workload.parallel import complete_lines_end, read_aggregate
from dbexpert.sources.logs import ReadOptions

PREFIX = "%m [%p] %q%u@%d "


def _stderr_log(path: Path, entries: int) -> None:
    """Interleaved sessions, multi-line statements, DETAIL lines and errors: boundaries can fall anywhere."""
    lines = []
    for n in range(entries):
        head = f"2024-05-01 12:00:{n % 60:02d}.{n % 1000:03d} UTC [{100 + n % 7}] app@shop "
        if n % 5 == 0:
            lines.append(
                f"{head}LOG:  duration: {n % 13}.5 ms  statement: SELECT a,\n\t  b\n\tFROM t{n % 11}\n\tWHERE id = {n}"
            )
        elif n % 5 == 1:
            lines.append(
                f"{head}LOG:  duration: 0.{n % 9}1 ms  execute <unnamed>: SELECT * FROM u{n % 4} WHERE id = $1"
            )
            lines.append(f"{head}DETAIL:  parameters: $1 = '{n}'")
        elif n % 5 == 2:
            lines.append(f"{head}ERROR:  division by zero")
            lines.append(f"{head}STATEMENT:  SELECT {n}/0")
        else:
            lines.append(
                f"{head}LOG:  duration: 1.{n % 7} ms  statement: UPDATE v{n % 3} SET x = {n} WHERE id = {n}"
            )
    path.write_text("\n".join(lines) + "\n")


def _facts(aggregate: WorkloadAggregate) -> dict:
    groups = {
        k: (g.calls, round(g.total_ms, 6), g.example_place, g.example_parameters)
        for k, g in aggregate.groups.items()
    }
    logs = {k: (g.count, g.place) for k, g in aggregate.logs.items()}
    return {
        "groups": groups,
        "logs": logs,
        "events": aggregate.query_events,
        "problems": aggregate.problems.count,
    }


def test_processes_give_the_same_aggregate_as_one_pass(tmp_path: Path):
    log = tmp_path / "postgresql.log"
    _stderr_log(log, 6000)
    one, lines = read_aggregate(log, "postgres-stderr", ReadOptions(log_line_prefix=PREFIX))
    three, lines3 = read_aggregate(
        log, "postgres-stderr", ReadOptions(log_line_prefix=PREFIX), jobs=3, min_chunk=1
    )
    assert lines == lines3 == log.read_text().count("\n")
    assert one.problems.count == 0
    assert _facts(three) == _facts(one)
    assert len(one.groups) == 11 + 4 + 3


def test_the_prefix_is_guessed_once_for_every_process(tmp_path: Path):
    log = tmp_path / "postgresql.log"
    _stderr_log(log, 2000)
    one, _ = read_aggregate(log, "postgres-stderr", ReadOptions())
    two, _ = read_aggregate(log, "postgres-stderr", ReadOptions(), jobs=2, min_chunk=1)
    assert _facts(two) == _facts(one) and one.problems.count == 0


def test_offsets_continue_line_numbers(tmp_path: Path):
    log = tmp_path / "postgresql.log"
    _stderr_log(log, 10)
    text = log.read_bytes()
    cut = text.index(b"\n2024", len(text) // 2) + 1
    tail, lines = read_aggregate(
        log, "postgres-stderr", ReadOptions(log_line_prefix=PREFIX), start=cut, first_line=99
    )
    assert lines == text[cut:].count(b"\n")
    assert min(g.example_place.line for g in tail.groups.values()) == 99


def test_gzip_is_read_in_one_process(tmp_path: Path):
    plain = tmp_path / "postgresql.log"
    _stderr_log(plain, 500)
    packed = tmp_path / "postgresql.log.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    one, _ = read_aggregate(plain, "postgres-stderr", ReadOptions(log_line_prefix=PREFIX))
    again, _ = read_aggregate(
        packed, "postgres-stderr", ReadOptions(log_line_prefix=PREFIX), jobs=2, min_chunk=1
    )
    assert {k: g.calls for k, g in again.groups.items()} == {k: g.calls for k, g in one.groups.items()}
    with pytest.raises(ValueError, match="offset"):
        read_aggregate(packed, "postgres-stderr", ReadOptions(), start=10)


@pytest.mark.parametrize("fmt", ["postgres-csvlog", "postgres-jsonlog"])
def test_csv_and_json_logs_split_too(tmp_path: Path, fmt: str):
    log = tmp_path / "postgresql.log"
    rows = []
    for n in range(3000):
        sql = f"SELECT a FROM t{n % 9} WHERE id = {n}" + ("\n  AND b = 'x,\"y\"'" if n % 4 == 0 else "")
        if fmt == "postgres-csvlog":
            message = '"duration: 1.5 ms  statement: ' + sql.replace('"', '""') + '"'
            rows.append(
                f'2024-05-01 12:00:00.000 UTC,"app","shop",{n % 5},"h:1",s.{n % 5},1,"SELECT",,3/1,0,LOG,00000,{message},,,,,,,,,"psql","client backend",,0'
            )
        else:
            import json

            rows.append(json.dumps({"timestamp": "2024-05-01 12:00:00.000 UTC", "pid": n % 5, "error_severity": "LOG",
                                    "message": f"duration: 1.5 ms  statement: {sql}"}))  # fmt: skip
    log.write_text("\n".join(rows) + "\n")
    one, _ = read_aggregate(log, fmt, ReadOptions())
    three, _ = read_aggregate(log, fmt, ReadOptions(), jobs=3, min_chunk=1)
    assert one.problems.count == 0 and one.query_events == 3000
    assert _facts(three) == _facts(one)


def test_a_line_being_written_waits(tmp_path: Path):
    log = tmp_path / "postgresql.log"
    log.write_bytes(b"one\ntwo\nthr")
    assert complete_lines_end(log, log.stat().st_size) == 8
