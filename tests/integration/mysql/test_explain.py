"""``explain`` on the local MariaDB: EXPLAIN/ANALYZE FORMAT=JSON, writes refused or rolled back.

MySQL 8's EXPLAIN ANALYZE (TREE) has no server here; its choice is tested as a pure function of
the version in tests/engines/mysql/test_explain_command.py.
"""

from __future__ import annotations

import json

import pymysql
import pytest

from dbexpert.api.explain import explain
from dbexpert.model import InputError
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import mysql_connect_args, mysql_execute

pytestmark = pytest.mark.mysql

SETUP = """
CREATE TABLE orders (id INT PRIMARY KEY, status VARCHAR(10) NOT NULL, n INT) ENGINE=InnoDB;
INSERT INTO orders SELECT seq, IF(seq % 100 = 0, 'refunded', 'paid'), seq FROM seq_1_to_20000;
CREATE TABLE legacy (id INT PRIMARY KEY) ENGINE=MyISAM;
INSERT INTO legacy VALUES (1);
"""
SELECTIVE = "SELECT * FROM orders WHERE status = 'refunded'"


@pytest.fixture
def orders_url(mysql_url: str) -> str:
    mysql_execute(mysql_url, SETUP)
    return mysql_url


def _count(url: str, sql: str) -> int:
    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
        assert row is not None
        return int(row[0])


def test_plain_explain_is_interpreted(orders_url: str):
    result = explain(orders_url, SELECTIVE)
    assert result.analysis.plan.engine.value == "mysql" and not result.analysis.plan.analyzed
    assert '"query_block"' in result.plan_text


def test_analyze_format_json_gives_actual_rows_and_findings(orders_url: str):
    result = explain(orders_url, SELECTIVE, analyze=True)
    assert result.analysis.plan.analyzed
    assert '"r_rows"' in result.plan_text
    finding = next(f for f in result.findings if f.rule == "mysql-full-table-scan")
    assert finding.evidence["rows_examined"] == 20_000
    assert (finding.location.path, finding.location.line) == ("<sql>", 1)
    assert any("read-only transaction" in note for note in result.notes)


def test_delete_refused_without_opt_in_and_rolled_back_with_it(orders_url: str):
    delete = "DELETE FROM orders WHERE status = 'refunded'"
    with pytest.raises(InputError, match="--analyze-writes"):
        explain(orders_url, delete, analyze=True)
    with pytest.raises(InputError, match="--analyze-writes"):
        explain(orders_url, delete)  # MariaDB refuses even a plain EXPLAIN of a write when read-only
    result = explain(orders_url, delete, analyze=True, analyze_writes=True)
    assert '"r_rows"' in result.plan_text
    assert any("rolled back" in note for note in result.notes)
    assert _count(orders_url, "SELECT count(*) FROM orders WHERE status = 'refunded'") == 200


def test_write_to_a_table_rollback_cannot_restore_is_refused(orders_url: str):
    with pytest.raises(InputError, match=r"ROLLBACK cannot undo writes to legacy \(MyISAM\)"):
        explain(orders_url, "DELETE FROM legacy", analyze=True, analyze_writes=True)
    assert _count(orders_url, "SELECT count(*) FROM legacy") == 1


def test_cli(orders_url: str):
    result = run("explain", "--url", orders_url, "--analyze", "-f", "json", SELECTIVE)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["summary"]["command"] == "explain" and document["summary"]["mode"] == "live"
    assert "mysql-full-table-scan" in {f["rule"] for f in document["findings"]}
    line = assert_one_line_error(run("explain", "--url", orders_url, "SELECT nope FROM orders"), 2)
    assert "<sql>:1:1: Unknown column 'nope'" in line
    assert "got CREATE INDEX" in assert_one_line_error(
        run("explain", "--url", orders_url, "CREATE INDEX i ON orders (status)"), 2
    )
