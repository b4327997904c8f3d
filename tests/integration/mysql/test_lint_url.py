"""`migrations lint --url` against a real MySQL/MariaDB server: its flavor, version and tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.api.migrations import lint_paths_live
from dbexpert.model import Engine
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import mysql_execute

pytestmark = pytest.mark.mysql


def test_server_version_and_live_columns_decide_the_algorithm(mysql_url: str, tmp_path: Path):
    mysql_execute(
        mysql_url,
        "CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, code VARCHAR(50)) DEFAULT CHARSET=utf8mb4;"
        "INSERT INTO orders (code) VALUES ('a'), ('b'), ('c'); ANALYZE TABLE orders;",
    )
    # utf8mb4 VARCHAR(50) -> VARCHAR(100): the length prefix grows from 1 to 2 bytes, a table copy.
    (tmp_path / "001_widen.sql").write_text("ALTER TABLE orders MODIFY code VARCHAR(100);\n")
    result = lint_paths_live([tmp_path], mysql_url)
    assert result.engine is Engine.MYSQL
    [finding] = [f for f in result.findings if f.rule == "mysql-alter-copies-table"]
    assert finding.evidence["row_estimate"] == 3
    assert result.verdicts[0].unsafe
    assert result.facts["live_tables"] == 1


def test_a_rename_table_of_a_live_table_is_named(mysql_url: str, tmp_path: Path):
    mysql_execute(mysql_url, "CREATE TABLE orders (id INT PRIMARY KEY);")
    (tmp_path / "001_rename.sql").write_text("RENAME TABLE orders TO purchases;\n")
    result = lint_paths_live([tmp_path], mysql_url)
    assert "rename-table" in result.verdicts[0].rules and result.verdicts[0].unsafe


def test_an_unreachable_server_exits_3_with_one_line(tmp_path: Path):
    (tmp_path / "001.sql").write_text("SELECT 1;\n")
    result = run("migrations", "lint", str(tmp_path), "--url", "mysql://root:secret@127.0.0.1:1/db")
    assert_one_line_error(result, 3)
    assert "secret" not in result.stderr
