"""`migrations lint --url` against a real PostgreSQL server: its version and its live tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbexpert.api.migrations import lint_paths_live
from dbexpert.model import Version
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import pg_execute

pytestmark = pytest.mark.postgres


def _migration(tmp_path: Path, sql: str) -> Path:
    (tmp_path / "001_change.sql").write_text(sql)
    return tmp_path


def test_live_column_types_and_row_estimates_reach_the_rules(pg_url: str, tmp_path: Path):
    pg_execute(
        pg_url,
        "CREATE TABLE orders (id bigint PRIMARY KEY, code varchar(50));"
        "INSERT INTO orders SELECT g, 'x' FROM generate_series(1, 3000) g; ANALYZE orders;",
    )
    root = _migration(tmp_path, "ALTER TABLE orders ALTER COLUMN code TYPE varchar(20);\n")
    result = lint_paths_live([root], pg_url)
    assert result.version is not None and result.version >= Version(12)
    [finding] = [f for f in result.findings if f.rule == "alter-column-type-rewrite"]
    assert finding.evidence["old_type"] == "character varying(50)"
    assert finding.evidence["row_estimate"] == 3000
    assert result.verdicts[0].unsafe
    assert result.facts["server"].startswith("postgres ")


def test_widening_a_live_varchar_is_safe_and_the_verdict_ignores_table_size(pg_url: str, tmp_path: Path):
    pg_execute(pg_url, "CREATE TABLE tiny (id int PRIMARY KEY, code varchar(50)); ANALYZE tiny;")
    safe = lint_paths_live(
        [_migration(tmp_path, "ALTER TABLE tiny ALTER COLUMN code TYPE varchar(80);\n")], pg_url
    )
    assert not safe.verdicts[0].unsafe
    # An index built without CONCURRENTLY is unsafe however small the table is today.
    (tmp_path / "002_index.sql").write_text("CREATE INDEX tiny_code ON tiny (code);\n")
    result = lint_paths_live([tmp_path], pg_url)
    assert [v.unsafe for v in result.verdicts] == [False, True]


def test_the_version_given_wins_over_the_server(pg_url: str, tmp_path: Path):
    root = _migration(tmp_path, "ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT 0;\n")
    result = run("migrations", "lint", str(root), "--url", pg_url, "--pg-version", "10", "-f", "json")
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["engine"] == "postgres 10.0.0"
    live = run("migrations", "lint", str(root), "--url", pg_url, "-f", "json")
    assert live.returncode == 0, live.stdout + live.stderr


def test_an_unreachable_server_exits_3_with_one_line(tmp_path: Path):
    root = _migration(tmp_path, "SELECT 1;\n")
    result = run("migrations", "lint", str(root), "--url", "postgresql://u:secret@127.0.0.1:1/db")
    assert_one_line_error(result, 3)
    assert "secret" not in result.stderr
