"""``migrations test`` on a real MySQL/MariaDB server: the fixture's database only names the server;
every run creates its own scratch database next to it and drops it."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import pymysql
import pytest
from click.testing import CliRunner

from dbexpert.api import migration_test as api
from dbexpert.api.migration_test import test_paths as run_test
from dbexpert.cli.migration_test import test_command as migration_test_command
from dbexpert.engines.mysql import scratch
from dbexpert.engines.url import parse_url
from tests.conftest import mysql_connect_args
from tests.factories import findings_by_rule
from tests.files import write_tree

TABLE = (
    "CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, c INT NOT NULL, email VARCHAR(100) NOT NULL,"
    " UNIQUE KEY t_email (email));\n"
)


def _databases(url: str) -> set[str]:
    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cur:
        cur.execute("SHOW DATABASES")
        return {row[0] for row in cur.fetchall()}


@pytest.fixture
def named_scratch(monkeypatch: pytest.MonkeyPatch) -> str:
    """Give the next scratch database a known name, so a test can check that it is gone."""
    name = scratch.scratch_name()
    monkeypatch.setattr(scratch, "scratch_name", lambda: name)
    return name


def test_reversible_migrations_pass_and_the_scratch_database_is_dropped(mysql_url, tmp_path, named_scratch):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE + "CREATE TABLE child (id INT PRIMARY KEY, t_id BIGINT NOT NULL, note TEXT,"
            " CONSTRAINT child_t FOREIGN KEY (t_id) REFERENCES t (id));\n",
            "1_t.down.sql": "DROP TABLE child;\nDROP TABLE t;\n",
            "2_index.up.sql": "CREATE INDEX t_c ON t (c);\n",
            "2_index.down.sql": "DROP INDEX t_c ON t;\n",
        },
    )
    result = run_test([folder], mysql_url, rows=300)
    assert not result.problems
    rules = findings_by_rule(result.findings)
    for rule in ("migration-down-missing", "migration-down-not-restoring", "migration-up-not-repeatable"):
        assert rule not in rules
    report = result.report()
    assert report.summary["engine"] == "mysql"
    assert report.summary["mode"] == "exact"
    migrations = report.extra["migrations"]
    assert [(m["id"], m["reversible"], m["up_repeatable"]) for m in migrations] == [
        ("1_t", True, True),
        ("2_index", True, True),
    ]
    assert migrations[1]["rows_before"] == {"t": 300, "child": 300}
    assert named_scratch not in _databases(mysql_url)
    assert urlsplit(mysql_url).path.lstrip("/") in _databases(mysql_url)  # the URL's database is untouched


def test_a_down_that_forgets_an_index_is_reported(mysql_url, tmp_path):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE,
            "1_t.down.sql": "DROP TABLE t;\n",
            "2_index.up.sql": "ALTER TABLE t ADD COLUMN d INT NULL, ADD INDEX t_d (d);\n",
            "2_index.down.sql": "ALTER TABLE t DROP COLUMN d;\nCREATE INDEX t_c ON t (c);\n",
        },
    )
    result = run_test([folder], mysql_url, rows=50)
    messages = " ".join(findings_by_rule(result.findings)["migration-down-not-restoring"])
    assert "t_c" in messages
    assert result.migrations[1].reversible is False


def test_a_missing_down_is_reported(mysql_url, tmp_path):
    folder = write_tree(tmp_path / "m", {"1_t.up.sql": TABLE})
    result = run_test([folder], mysql_url, rows=10)
    assert "migration-down-missing" in findings_by_rule(result.findings)
    assert result.migrations[0].reversible is False


def test_a_down_dropping_a_populated_column_reports_data_loss(mysql_url, tmp_path):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE,
            "1_t.down.sql": "DROP TABLE t;\n",
            "2_col.up.sql": "ALTER TABLE t ADD COLUMN nickname VARCHAR(40) NOT NULL DEFAULT 'x';\n",
            "2_col.down.sql": "ALTER TABLE t DROP COLUMN nickname;\n",
        },
    )
    result = run_test([folder], mysql_url, rows=40)
    lost = " ".join(findings_by_rule(result.findings)["migration-down-loses-data"])
    assert "t.nickname" in lost
    assert "dbexpert_scratch_" not in lost


def test_a_column_type_change_copies_the_table_and_blocks_writes(mysql_url, tmp_path):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE,
            "1_t.down.sql": "DROP TABLE t;\n",
            "2_big.up.sql": "ALTER TABLE t MODIFY c BIGINT NOT NULL;\n",
            "2_big.down.sql": "ALTER TABLE t MODIFY c INT NOT NULL;\n",
        },
    )
    result = run_test([folder], mysql_url, rows=30_000)
    assert not result.problems
    (trace,) = result.migrations[1].statements
    assert trace.rewritten == ("t",)
    assert trace.blocks_writes and not trace.blocks_reads and trace.how == "state"
    assert result.migrations[1].reversible is True


def test_adding_an_index_blocks_no_writes(mysql_url, tmp_path):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE,
            "1_t.down.sql": "DROP TABLE t;\n",
            "2_index.up.sql": "ALTER TABLE t ADD INDEX t_c (c);\n",
            "2_index.down.sql": "ALTER TABLE t DROP INDEX t_c;\n",
        },
    )
    result = run_test([folder], mysql_url, rows=30_000)
    assert not result.problems
    (trace,) = result.migrations[1].statements
    assert not trace.rewrite
    assert not trace.blocks_writes and not trace.blocks_reads


def test_the_scratch_database_is_dropped_when_a_migration_fails(mysql_url, tmp_path, named_scratch):
    folder = write_tree(
        tmp_path / "m",
        {
            "1_t.up.sql": TABLE + "ALTER TABLE missing_table ADD COLUMN x INT;\n",
            "1_t.down.sql": "DROP TABLE t;\n",
        },
    )
    result = run_test([folder], mysql_url, rows=10)
    assert any("up failed" in problem for problem in result.problems)
    assert named_scratch not in _databases(mysql_url)


def test_the_scratch_database_is_dropped_on_an_interrupt(mysql_url, tmp_path, named_scratch, monkeypatch):
    folder = write_tree(tmp_path / "m", {"1_t.up.sql": TABLE, "1_t.down.sql": "DROP TABLE t;\n"})

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api._Exercise, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_test([folder], mysql_url, rows=10)
    assert named_scratch not in _databases(mysql_url)


def test_the_urls_own_database_is_never_the_scratch_one(mysql_url):
    parsed = parse_url(mysql_url)
    with pytest.raises(api.InputError):
        scratch.check_target(parsed, parsed.database or "")


def test_passwords_are_never_printed(mysql_url, tmp_path):
    parts = urlsplit(mysql_url)
    secret = "s3cr3t-Pa55"
    url = urlunsplit(parts._replace(netloc=f"nobody:{secret}@{parts.hostname}:{parts.port or 3306}"))
    folder = write_tree(tmp_path / "m", {"1_t.up.sql": TABLE})
    result = CliRunner().invoke(migration_test_command, [str(folder), "--url", url, "--format", "json"])
    assert result.exit_code != 0
    assert secret not in result.output
    assert secret not in str(result.exception or "")


def test_the_cli_reports_json(mysql_url, tmp_path):
    folder = write_tree(tmp_path / "m", {"1_t.up.sql": TABLE, "1_t.down.sql": "DROP TABLE t;\n"})
    result = CliRunner().invoke(
        migration_test_command, [str(folder), "--url", mysql_url, "--rows", "5", "--format", "json"]
    )
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["summary"]["engine"] == "mysql"
    assert "dbexpert_scratch_" not in result.stdout
