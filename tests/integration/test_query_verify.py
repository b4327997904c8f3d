"""query check --verify on real databases: the rewrite runs next to its original, rows are compared."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from dbexpert.api.config import Config
from dbexpert.api.query import check_paths, check_sql
from dbexpert.api.query_verify import Verification, apply_verification, verify_rewrite
from dbexpert.engines import connect
from dbexpert.model import Applicability, Engine, Fix
from tests.conftest import mysql_execute, pg_execute

SETUP = """
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
CREATE TABLE bans (user_id bigint);
INSERT INTO users SELECT g, 'u' || g FROM generate_series(1, 500) g;
INSERT INTO bans SELECT g * 3 FROM generate_series(1, 50) g;
"""


def _write(tmp_path: Path, sql: str) -> str:
    path = tmp_path / "queries.sql"
    path.write_text(sql, encoding="utf-8")
    return str(path)


@pytest.mark.postgres
def test_not_exists_rewrite_returns_the_same_rows_when_no_null(pg_url: str, tmp_path: Path):
    pg_execute(pg_url, SETUP)
    sql = "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans) ORDER BY id;\n"
    result = check_paths([_write(tmp_path, sql)], Config(select=("not-in-subquery",)), pg_url, pg_url)
    [finding] = result.findings
    verified = finding.evidence["verified"]
    assert verified["same_rows"] is True and verified["same_order"] is True
    assert verified["rows"] == 450 and verified["runs_each"] == 5
    assert verified["original_ms"] > 0 and verified["rewrite_ms"] > 0
    assert not result.problems


@pytest.mark.postgres
def test_a_null_in_the_subquery_shows_the_difference(pg_url: str, tmp_path: Path):
    pg_execute(pg_url, SETUP + "INSERT INTO bans VALUES (NULL);")
    sql = "SELECT id FROM users WHERE id NOT IN (SELECT user_id FROM bans);\n"
    result = check_paths([_write(tmp_path, sql)], Config(select=("not-in-subquery",)), None, pg_url)
    [finding] = result.findings
    assert finding.evidence["verified"]["same_rows"] is False  # the bug the rule reports, measured
    assert finding.fix is not None and finding.fix.applicability is Applicability.UNSAFE


@pytest.mark.postgres
def test_a_safe_rewrite_that_changes_rows_is_downgraded_and_reported(pg_url: str):
    pg_execute(pg_url, SETUP)
    with connect(pg_url) as session:
        verification = verify_rewrite(session, "SELECT id FROM users", "SELECT id FROM users WHERE id > 1", False)
    assert verification.same_rows is False
    [finding] = check_sql("SELECT * FROM users", "q.sql", Config(select=("select-star",)), None).findings
    finding = replace(finding, fix=Fix("expand", "SELECT id FROM users WHERE id > 1", applicability=Applicability.SAFE))
    downgraded, problem = apply_verification(finding, verification)
    assert downgraded.fix is not None and downgraded.fix.applicability is Applicability.UNSAFE
    assert problem and "returned different rows" in problem


@pytest.mark.postgres
def test_queries_with_parameters_and_errors_are_not_run(pg_url: str, tmp_path: Path):
    pg_execute(pg_url, SETUP)
    sql = "SELECT id FROM users WHERE email = NULL AND id = $1;\nSELECT * FROM users WHERE email = NULL;\n"
    result = check_paths([_write(tmp_path, sql)], Config(select=("comparison-with-null",)), None, pg_url)
    first, second = result.findings
    assert "not_compared" in first.evidence["verified"]
    assert second.evidence["verified"]["same_rows"] is True  # both empty: the original matches nothing
    with connect(pg_url) as session:
        broken = verify_rewrite(session, "SELECT nope FROM users", "SELECT id FROM users", False)
        still_usable = verify_rewrite(session, "SELECT 1", "SELECT 1", False)
    assert broken.same_rows is None and broken.reason and "nope" in broken.reason
    assert still_usable.same_rows is True


@pytest.mark.mysql
def test_mysql_select_star_expansion_is_verified(mysql_url: str, tmp_path: Path):
    mysql_execute(
        mysql_url,
        "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100) NOT NULL);"
        "INSERT INTO users VALUES (1, 'a'), (2, 'b'), (3, 'b');",
    )
    sql = "SELECT * FROM users WHERE email = 'b';\n"
    config = Config(select=("select-star",), engine=Engine.MYSQL)
    result = check_paths([_write(tmp_path, sql)], config, mysql_url, mysql_url)
    [finding] = result.findings
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.evidence["verified"]["same_rows"] is True and finding.evidence["verified"]["rows"] == 2


def test_sqlite_file_verification(tmp_path: Path):
    db = tmp_path / "app.db"
    with sqlite3.connect(db) as connection:
        connection.executescript(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
            "INSERT INTO users (email) VALUES ('a'), ('b');"
        )
    connection.close()
    config = Config(select=("select-star",), engine=Engine.SQLITE)
    result = check_paths([_write(tmp_path, "SELECT * FROM users ORDER BY id;\n")], config, str(db), str(db))
    [finding] = result.findings
    assert finding.evidence["verified"]["same_rows"] is True
    assert finding.evidence["verified"]["same_order"] is True


def test_verification_evidence_without_comparison_says_why():
    assert Verification(same_rows=None, reason="x").evidence() == {"same_rows": None, "not_compared": "x"}
