"""`dbexpert plan FILE|-`: findings at the plan's lines, common flags, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.cli.test_cli import assert_one_line_error, run
from tests.sources.plans.fixtures import FIXTURES, fixture_text


def test_text_plan_file_gives_findings_at_the_node_line():
    result = run("plan", str(FIXTURES / "nl_seq.txt"), "-f", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    located = {(f["rule"], f["location"]["line"]) for f in document["findings"]}
    assert located == {("nested-loop-large-outer", 3), ("seq-scan-large-filter", 7)}
    assert document["plan"]["analyzed"] and document["plan"]["nodes"] == 3
    assert document["summary"]["command"] == "plan"


def test_json_plan_from_stdin_and_fail_on():
    result = subprocess.run(
        [sys.executable, "-m", "dbexpert", "plan", "-", "--fail-on", "warning"],
        input=fixture_text("sort_disk.json"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "sort-spills-to-disk" in result.stdout and "<stdin>:4" in result.stdout


def test_select_ignore_and_clean_plans():
    assert run("plan", str(FIXTURES / "seq_indexed.txt"), "--fail-on", "info").returncode == 0
    ignored = run("plan", str(FIXTURES / "seq_text.txt"), "--ignore", "seq-scan-large-filter", "-f", "json")
    assert json.loads(ignored.stdout)["findings"] == []
    sarif = run("plan", str(FIXTURES / "seq_text.txt"), "-f", "sarif")
    assert sarif.returncode == 0 and "seq-scan-large-filter" in sarif.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "/nonexistent/plan.txt"), "no such file"),
        (("plan", str(FIXTURES / "seq_text.txt"), "--select", "no-such-rule"), "unknown rule"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str):
    assert message in assert_one_line_error(run(*args), 2)


def test_truncated_plan_is_one_line_error_with_position(tmp_path):
    path = tmp_path / "cut.txt"
    text = fixture_text("estimate_bad.txt")
    path.write_text(text[: text.index("(cost=", text.index("Nested Loop")) + 12])  # cut inside a node
    line = assert_one_line_error(run("plan", str(path)), 2)
    assert f"{path}:" in line and "truncated" in line


def test_findings_ranked_by_time_share_and_tree_in_json():
    result = run("plan", str(FIXTURES / "pg_hash_batches.txt"), "-f", "json")
    document = json.loads(result.stdout)
    shares = [f["evidence"]["time_share"] for f in document["findings"]]
    assert [f["rule"] for f in document["findings"]] == ["seq-scan-large-filter", "hash-spills-to-disk"]
    assert shares == sorted(shares, reverse=True) and 0 < shares[-1] < shares[0] <= 1
    assert document["findings"][0]["evidence"]["time_share_measured_by"] == "exclusive actual time"
    tree = document["plan"]["tree"]
    assert tree["label"] == "Hash Join" and [c["label"] for c in tree["children"]] == ["Seq Scan on orders o", "Hash"]
    scan, hash_node = tree["children"]
    assert scan["findings"] == ["seq-scan-large-filter"] and hash_node["findings"] == ["hash-spills-to-disk"]
    assert hash_node["buffers"] == {"shared_hit": 128, "temp_written": 87} and scan["actual_rows"] == 25263
    assert abs(sum(_shares(tree)) - 1) < 0.01


def _shares(node: dict) -> list[float]:
    return [node["time_share"], *(s for child in node["children"] for s in _shares(child))]


def test_text_report_draws_the_tree_with_markers():
    result = run("plan", str(FIXTURES / "pg_cache_miss.txt"))
    out = result.stdout
    assert "Problems, by the share of the plan they account for" in out
    assert "Plan (share of exclusive actual time per node)" in out
    assert "└── Bitmap Heap Scan on readings  84%  <- low-cache-hit-ratio  rows 90,000 (est 88,964) x1 loops" in out
    assert "Bitmap Index Scan using readings_sensor_idx  4%" in out
    estimates = run("plan", str(FIXTURES / "noanalyze.txt")).stdout
    assert "Plan (share of exclusive estimated cost per node)" in estimates and "est rows 200,000" in estimates
