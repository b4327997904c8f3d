"""`dbexpert workload analyze -j 2` and `--state` report the N+1, per-row insert and duplicate findings
of one pass, on a log big enough to be split (over twice the 4 MiB a process is given at least)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dbexpert.advisors.workload import parallel
from dbexpert.sources.logs import ReadOptions
from tests.advisors.workload.test_split_requests import FMT, _storm_lines
from tests.cli.test_cli import run

PREFIX = "%m [%p] "
REQUEST_RULES = {"n-plus-one-queries", "per-row-inserts", "duplicate-queries"}


def _findings(*args: str) -> list[dict[str, Any]]:
    result = run("workload", "analyze", *args, "--log-line-prefix", PREFIX, "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    findings = json.loads(result.stdout)["findings"]
    return [f for f in findings if f["rule"] in REQUEST_RULES]


def test_jobs_and_state_report_the_request_findings_of_one_pass(tmp_path: Path) -> None:
    lines = _storm_lines(8, 150, False, pad=400)
    log, state = tmp_path / "postgresql.log", tmp_path / "workload.state"
    cut = len(lines) * 2 // 3 + 5  # the first --state run ends inside storms
    log.write_text("".join(lines[:cut]))
    first_part = _findings(str(log))
    assert _findings(str(log), "--state", str(state)) == first_part
    assert _findings(str(log), "--state", str(state)) == first_part  # unchanged: nothing read
    with log.open("a") as handle:
        handle.write("".join(lines[cut:]))
    assert log.stat().st_size > 2 * parallel._MIN_CHUNK
    whole = _findings(str(log))
    assert len([f for f in whole if f["rule"] == "n-plus-one-queries"]) == 8 * 150
    ends = [f["location"]["line"] for f in whole if f["rule"] == "n-plus-one-queries"]
    assert any(line < cut < line + 8 * 8 for line in ends)  # a storm open where the first run ended
    options = parallel.resolved_options(log, FMT, ReadOptions(log_line_prefix=PREFIX))
    ranges = parallel._ranges(log, FMT, options, 0, log.stat().st_size, 2, parallel._MIN_CHUNK)
    assert len(ranges) == 2
    split = log.read_bytes()[: ranges[1][0]].count(b"\n") + 1
    assert any(line < split < line + 8 * 8 for line in ends)  # a storm across the split point
    assert _findings(str(log), "-j", "2") == whole
    assert _findings(str(log), "--state", str(state)) == whole  # appended: read from where it ended
    assert _findings(str(log), "--state", str(state), "-j", "2") == whole
