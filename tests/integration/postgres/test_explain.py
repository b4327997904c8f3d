"""``explain`` on a real PostgreSQL 15: plans fetched read-only, writes rolled back, hypopg evidence."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from dbexpert.api.explain import explain
from dbexpert.model import InputError
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import pg_execute

pytestmark = pytest.mark.postgres

ORDERS = """
CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, note text);
INSERT INTO orders
SELECT g, CASE WHEN g % 100 = 0 THEN 'refunded' ELSE 'paid' END, repeat('x', 20)
FROM generate_series(1, 200000) g;
ANALYZE orders;
"""
SELECTIVE = "SELECT * FROM orders WHERE status = 'refunded'"


@pytest.fixture
def orders_url(pg_url: str) -> str:
    pg_execute(pg_url, ORDERS)
    return pg_url


def _count(url: str, sql: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])


def test_selective_seq_scan_found_and_priced_with_hypopg(orders_url: str):
    pg_execute(orders_url, "CREATE EXTENSION hypopg")
    result = explain(orders_url, SELECTIVE, analyze=True)
    assert result.analysis.plan.analyzed
    [finding] = [f for f in result.findings if f.rule == "seq-scan-large-filter"]
    assert finding.mode.value == "live"
    assert (finding.location.path, finding.location.line, finding.location.object) == ("<sql>", 1, "orders")
    assert finding.evidence["rows_removed_by_filter"] == 198_000
    hypo = finding.evidence["hypothetical_index"]
    assert hypo["used_by_planner"] is True
    assert hypo["estimated_total_cost_after"] < hypo["estimated_total_cost_before"]
    assert "planner estimate" in hypo["source"] and "not measured" in hypo["source"]
    # hypopg_reset() ran: the session's hypothetical indexes are gone, and nothing real was created.
    assert _count(orders_url, "SELECT count(*) FROM pg_indexes WHERE tablename = 'orders'") == 1


def test_analyze_reports_actual_rows(orders_url: str):
    result = explain(orders_url, SELECTIVE + " ORDER BY id", analyze=True, hypothetical=False)
    plan = result.analysis.plan
    assert plan.analyzed and plan.execution_time is not None
    scans = [n for n in plan.nodes() if n.relation == "orders"]
    assert scans and sum((n.actual_rows or 0) * (n.actual_loops or 1) for n in scans) == 2000
    report = result.report()
    assert report.command == "explain" and report.summary["mode"] == "live"
    assert any("read-only transaction" in note for note in report.notes)


def test_without_hypopg_a_note_says_how_to_install_it(orders_url: str):
    result = explain(orders_url, SELECTIVE, analyze=True)
    finding = next(f for f in result.findings if f.rule == "seq-scan-large-filter")
    assert "hypothetical_index" not in finding.evidence
    assert any("CREATE EXTENSION hypopg;" in note for note in result.notes)
    assert _count(orders_url, "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") == 0


def test_create_hypopg_on_request(orders_url: str):
    result = explain(orders_url, SELECTIVE, analyze=True, create_hypopg=True)
    assert any("created the hypopg extension" in note for note in result.notes)
    assert _count(orders_url, "SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'") == 1


def test_plain_explain_is_estimates_only(orders_url: str):
    result = explain(orders_url, SELECTIVE, hypothetical=False)
    assert not result.analysis.plan.analyzed
    assert any("pass --analyze" in note for note in result.report().notes)


def test_delete_refused_without_opt_in_and_rolled_back_with_it(orders_url: str):
    delete = "DELETE FROM orders WHERE id = 100"
    with pytest.raises(InputError, match="refusing EXPLAIN ANALYZE of DELETE"):
        explain(orders_url, delete, analyze=True)
    with pytest.raises(InputError, match="refusing EXPLAIN ANALYZE of WITH"):
        explain(
            orders_url,
            "WITH d AS (DELETE FROM orders WHERE id = 100 RETURNING id) SELECT * FROM d",
            analyze=True,
        )
    result = explain(orders_url, delete, analyze=True, analyze_writes=True)
    assert result.analysis.plan.analyzed
    assert any("rolled back" in note for note in result.notes)
    assert _count(orders_url, "SELECT count(*) FROM orders WHERE id = 100") == 1
    # Plain EXPLAIN of a write never executes it: allowed in the read-only transaction.
    assert not explain(orders_url, delete).analysis.plan.analyzed


def test_the_session_stays_read_only_after_a_rolled_back_write(orders_url: str):
    from dbexpert.engines import connect
    from dbexpert.engines.postgres.explain import explain_plan
    from dbexpert.model import Engine
    from dbexpert.sql.classify import explainable_statement

    delete = explainable_statement("DELETE FROM orders WHERE id = 7", Engine.POSTGRES)
    with connect(orders_url) as session:
        explain_plan(session, delete, analyze=True, allow_writes=True)  # type: ignore[arg-type]
        rows = session.fetch("ro", "SHOW transaction_read_only")  # type: ignore[attr-defined]
        assert rows[0]["transaction_read_only"] == "on"
    assert _count(orders_url, "SELECT count(*) FROM orders WHERE id = 7") == 1


def test_cli_json_report(orders_url: str):
    result = run("explain", "--url", orders_url, "--analyze", "-f", "json", SELECTIVE)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["command"] == "explain"
    assert document["summary"]["target"] == orders_url
    assert [f["rule"] for f in document["findings"]] == ["seq-scan-large-filter"]
    assert document["plan"]["analyzed"] is True


def test_cli_sql_from_stdin_and_file(orders_url: str, tmp_path):
    piped = subprocess.run(
        [
            sys.executable,
            "-m",
            "dbexpert",
            "explain",
            "--url",
            orders_url,
            "--analyze",
            "--fail-on",
            "warning",
            "-",
        ],
        input=SELECTIVE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert piped.returncode == 1, piped.stderr
    assert "<stdin>:1" in piped.stdout
    path = tmp_path / "q.sql"
    path.write_text("-- the refunds\n" + SELECTIVE + ";\n")
    from_file = run("explain", "--url", orders_url, "--analyze", "--file", str(path))
    assert from_file.returncode == 0 and f"{path}:2" in from_file.stdout


def test_cli_bad_sql_ddl_and_refused_write_exit_2(orders_url: str):
    line = assert_one_line_error(run("explain", "--url", orders_url, "SELECT nope FROM orders"), 2)
    assert '<sql>:1:8: column "nope" does not exist' in line
    assert "got DROP TABLE" in assert_one_line_error(
        run("explain", "--url", orders_url, "DROP TABLE orders"), 2
    )
    refused = run("explain", "--url", orders_url, "--analyze", "UPDATE orders SET note = 'y'")
    assert "--analyze-writes" in assert_one_line_error(refused, 2)
    assert _count(orders_url, "SELECT count(*) FROM orders WHERE note = 'y'") == 0


def test_cli_unreachable_server_exit_3_without_password(pg_url: str):
    parts = urlsplit(pg_url)
    url = urlunsplit(parts._replace(netloc=f"postgres:Sup3rS3cret@{parts.hostname}:1"))
    line = assert_one_line_error(run("explain", "--url", url, "SELECT 1"), 3)
    assert "Sup3rS3cret" not in line and "***" in line
