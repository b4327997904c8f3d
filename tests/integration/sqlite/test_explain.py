"""``explain`` on a SQLite file: EXPLAIN QUERY PLAN rendered as the shell's tree, never executed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dbexpert.api.explain import explain
from dbexpert.model import InputError
from tests.cli.test_cli import assert_one_line_error, run


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(
            """
            CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, n INT);
            CREATE TABLE refunds (order_id INT, reason TEXT);
            INSERT INTO orders VALUES (1, 'paid', 1), (2, 'refunded', 2);
            """
        )
    return path


def test_plan_fetched_as_the_shell_tree_and_read(shop: Path):
    sql = "SELECT * FROM orders WHERE id IN (SELECT order_id FROM refunds) ORDER BY n"
    result = explain(f"sqlite:///{shop}", sql)
    lines = result.plan_text.splitlines()
    assert lines[0] == f"sqlite> EXPLAIN QUERY PLAN {sql};" and lines[1] == "QUERY PLAN"
    assert any(line.startswith("|  `--SCAN refunds") for line in lines), result.plan_text
    assert lines[-1] == "`--USE TEMP B-TREE FOR ORDER BY"
    plan = result.analysis.plan
    assert plan.engine.value == "sqlite" and plan.attrs["query"] == sql
    assert {n.relation for n in plan.nodes() if n.relation} >= {"orders", "refunds"}
    assert result.report().summary["mode"] == "live"


def test_a_write_is_only_compiled(shop: Path):
    result = explain(str(shop), "DELETE FROM orders WHERE status = 'refunded'", analyze=True)
    assert "SCAN orders" in result.plan_text
    assert any("without running it" in note for note in result.notes)
    with sqlite3.connect(shop) as conn:
        assert conn.execute("SELECT count(*) FROM orders").fetchone() == (2,)


def test_unknown_table_is_an_input_error(shop: Path):
    with pytest.raises(InputError, match=r"^<sql>:1:1: no such table: nope$"):
        explain(str(shop), "SELECT * FROM nope")
    missing = assert_one_line_error(
        run("explain", "--url", f"sqlite:///{shop.parent / 'gone.db'}", "SELECT 1"), 3
    )
    assert "no such SQLite database" in missing


def test_cli_needs_the_statement_once(shop: Path, tmp_path: Path):
    assert "give the statement once" in assert_one_line_error(run("explain", "--url", str(shop)), 2)
    path = tmp_path / "q.sql"
    path.write_text("SELECT 1")
    both = run("explain", "--url", str(shop), "--file", str(path), "SELECT 2")
    assert "give the statement once" in assert_one_line_error(both, 2)
    ok = run("explain", "--url", str(shop), "--file", str(path))
    assert ok.returncode == 0, ok.stderr


def test_findings_use_the_filtered_columns_of_the_statement(shop: Path):
    # The prompt line carries the statement, so the SQLite plan rules see which columns it filters.
    result = explain(str(shop), "SELECT * FROM orders WHERE status = 'refunded'")
    finding = next(f for f in result.findings if f.rule == "sqlite-full-scan")
    assert finding.fix is not None and "(status)" in (finding.fix.sql or "")
    assert (finding.location.path, finding.location.line, finding.mode.value) == ("<sql>", 1, "live")
