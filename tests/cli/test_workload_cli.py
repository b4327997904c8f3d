"""`dbexpert workload analyze`: end to end on a real PostgreSQL log and pg_stat_statements exports.

data/workload/postgres-stderr.log was written by a PostgreSQL 15 server (log_min_duration_statement
= 0, log_line_prefix '%m [%p] %q%u@%d/%a ') while two applications queried a small shop database.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import psycopg

from tests.cli.test_cli import assert_one_line_error, run

DATA = Path(__file__).parent / "data" / "workload"
LOG = DATA / "postgres-stderr.log"
PREFIX = "%m [%p] %q%u@%d/%a "
PGSS = Path(__file__).parents[1] / "sources" / "logs" / "data" / "pg_stat_statements"


def analyze_json(*args: str) -> dict[str, Any]:
    result = run("workload", "analyze", *args, "-f", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def query(document: dict[str, Any], shape: str) -> dict[str, Any]:
    return next(q for q in document["queries"] if q["shape"] == shape)


def test_postgres_log_top_queries_breakdowns_and_errors() -> None:
    document = analyze_json(str(LOG), "--log-line-prefix", PREFIX)
    summary = document["summary"]
    assert summary["command"] == "workload analyze" and summary["shapes"] == 6 and summary["calls"] == 11
    orders = query(document, "select * from orders where customer_id = ?")
    assert orders["calls"] == 6 and orders["total_ms"] == round(
        1.422 + 0.669 + 0.575 + 0.594 + 0.971 + 0.602, 3
    )
    assert orders["min_ms"] == 0.575 and orders["max_ms"] == 1.422
    assert abs(orders["p50_ms"] - 0.602) <= 0.01 * 0.602 and abs(orders["p99_ms"] - 0.971) <= 0.01 * 0.971
    assert orders["example"] == "select * from orders where customer_id = 1;"
    assert orders["example_location"]["line"] == 1
    assert [f["rule"] for f in orders["checks"]["findings"]] == ["select-star"]
    multi = query(
        document, "select o.id, o.total from orders o where o.status = ? order by o.total desc limit ?"
    )
    assert multi["calls"] == 1 and multi["example_location"]["line"] == 7
    totals = [q["total_ms"] for q in document["queries"]]
    assert totals == sorted(totals, reverse=True)
    workload = document["workload"]
    apps = {row["name"]: row["calls"] for row in workload["applications"]}
    assert apps == {"shop-web": 7, "report-job": 2, "psql": 2}
    assert {row["name"] for row in workload["databases"]} == {"shop", "postgres"}
    assert sum(b["calls"] for b in workload["histogram"]) == 11
    error = next(g for g in workload["logs"] if g["kind"] == "error")
    assert (
        error["message"].startswith('relation "missing_table" does not exist')
        and error["location"]["line"] == 15
    )
    finding = next(f for f in document["findings"] if f["rule"] == "select-star")
    assert finding["location"] == {**finding["location"], "path": str(LOG), "line": 1}
    assert finding["evidence"]["calls"] == 6 and finding["evidence"]["fingerprint"] == orders["fingerprint"]


def test_text_and_markdown_reports(tmp_path: Path) -> None:
    text = run("workload", "analyze", str(LOG), "--log-line-prefix", PREFIX, "--top", "3")
    assert text.returncode == 0, text.stderr
    assert "Top queries by total time" in text.stdout and "p95" in text.stdout
    assert "select * from orders where" in text.stdout and "By application" in text.stdout
    assert 'relation "missing_table" does not exist' in text.stdout
    out = tmp_path / "report.md"
    markdown = run(
        "workload", "analyze", str(LOG), "--log-line-prefix", PREFIX, "-f", "markdown", "-o", str(out)
    )
    assert markdown.returncode == 0, markdown.stderr
    body = out.read_text()
    assert (
        "## Top queries" in body and "| 2 |" in body and "`select-star`" in body and "## Log events" in body
    )


def test_sort_top_gzip_and_lines_not_understood(tmp_path: Path) -> None:
    broken = tmp_path / "postgres.log.gz"
    broken.write_bytes(gzip.compress(LOG.read_bytes() + b"\x00\x01\xff\xfe binary garbage\n"))
    document = analyze_json(str(broken), "--log-line-prefix", PREFIX, "--sort", "calls", "--top", "2")
    assert [q["calls"] for q in document["queries"]] == [6, 1]
    (problem,) = document["summary"]["problems"]
    assert re.fullmatch(r"1 line not understood, first at line 21 of .*postgres\.log\.gz: .+", problem)
    assert document["summary"]["lines_not_understood"] == 1


def test_two_pg_stat_statements_exports_give_the_work_in_between() -> None:
    document = analyze_json(str(PGSS / "pgss_pg15_a.csv"), str(PGSS / "pgss_pg15_b.csv"))
    orders = query(document, "select * from orders where customer_id = ?")
    assert orders["calls"] == 30 and orders["p95_ms"] is None  # totals only: no single-call times
    assert any("the work between" in note for note in document["summary"]["notes"])
    baseline = analyze_json(str(PGSS / "pgss_pg15_c.csv"), "--baseline", str(PGSS / "pgss_pg15_b.csv"))
    assert any("was reset between" in note for note in baseline["summary"]["notes"])
    assert query(baseline, "select * from orders where customer_id = ?")["calls"] == 3


def test_explain_links_with_url(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as connection:
        connection.execute(
            "create table customers (id int primary key, email text not null);"
            "create table orders (id int primary key, customer_id int not null, total numeric, status text)"
        )
    document = analyze_json(str(LOG), "--log-line-prefix", PREFIX, "--url", pg_url)
    orders = query(document, "select * from orders where customer_id = ?")
    assert orders["explain"]["plan"].startswith("Seq Scan on orders")
    alter = query(document, "alter system reset log_min_duration_statement")
    assert "skipped" in alter["explain"]  # EXPLAIN takes queries only
    exported = analyze_json(str(PGSS / "pgss_pg15_c.csv"), "--url", pg_url)
    assert (
        "bind parameters"
        in query(exported, "select * from orders where customer_id = ?")["explain"]["skipped"]
    )


def test_errors_are_one_line(tmp_path: Path, pg_url: str) -> None:
    assert "cannot read" in assert_one_line_error(
        run("workload", "analyze", str(tmp_path / "missing.log")), 2
    )
    third = [str(PGSS / name) for name in ("pgss_pg15_a.csv", "pgss_pg15_b.csv", "pgss_pg15_c.csv")]
    assert "at most two" in assert_one_line_error(run("workload", "analyze", *third), 2)
    assert "pg_stat_statements is not installed" in assert_one_line_error(
        run("workload", "analyze", pg_url), 2
    )
    bad = run("workload", "analyze", str(LOG), "--input-format", "nonsense")
    assert "unknown input format" in assert_one_line_error(bad, 2)


def test_progress_is_reported_per_file(tmp_path: Path) -> None:
    from dbexpert.api.workload import WorkloadOptions, analyze_workload

    big = tmp_path / "big.log.gz"
    big.write_bytes(gzip.compress(LOG.read_bytes() * 3000))  # 33,000 statements: some reports on the way
    seen: list[tuple[str, int, int]] = []
    result = analyze_workload(
        [str(big)],
        WorkloadOptions(log_line_prefix=PREFIX, check_queries=False),
        progress=lambda path, done, total: seen.append((path, done, total)),
    )
    size = big.stat().st_size
    assert result.aggregate.calls == 33_000
    assert len(seen) >= 2 and seen[-1] == (str(big), size, size)
    assert all(0 < done <= size for _, done, _ in seen)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
