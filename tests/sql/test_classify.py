"""Which statements ``explain`` may run, and whether running them would write."""

from __future__ import annotations

import pytest

from dbexpert.model import Engine, InputError
from dbexpert.sql.classify import explainable_statement


@pytest.mark.parametrize(
    ("sql", "verb", "writes"),
    [
        ("SELECT * FROM t WHERE a = 1;", "SELECT", False),
        ("VALUES (1), (2)", "VALUES", False),
        ("TABLE t", "TABLE", False),
        ("WITH x AS (SELECT 1) SELECT * FROM x", "WITH", False),
        ("SELECT * FROM t FOR UPDATE", "SELECT", True),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "WITH", True),
        ("SELECT * FROM (SELECT 1) s, LATERAL (SELECT 2) l", "SELECT", False),
        ("INSERT INTO t VALUES (1)", "INSERT", True),
        ("UPDATE t SET a = 1", "UPDATE", True),
        ("DELETE FROM t WHERE a = 1", "DELETE", True),
        ("MERGE INTO t USING u ON t.a = u.a WHEN MATCHED THEN DELETE", "MERGE", True),
    ],
)
def test_postgres_reads_and_writes(sql: str, verb: str, writes: bool):
    statement = explainable_statement(sql, Engine.POSTGRES)
    assert (statement.verb, statement.writes) == (verb, writes)
    assert not statement.text.endswith(";")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("CREATE TABLE x (a int)", "<sql>:1:1: expected one SELECT"),
        ("DROP TABLE t", "got DROP TABLE"),
        ("SELECT 1 INTO x", "got SELECT INTO"),
        ("EXPLAIN SELECT 1", "got EXPLAIN SELECT"),
        ("BEGIN", "got BEGIN"),
        (
            "SELECT 1;\n  SELECT 2",
            "<sql>:2:3: expected one SELECT, WITH, VALUES, TABLE, INSERT, UPDATE, DELETE or MERGE statement, got a second statement",
        ),
        ("  -- nothing", "got no statement"),
        ("SELECT * FROM", "<sql>:1:"),
    ],
)
def test_postgres_refusals_name_the_place(sql: str, message: str):
    with pytest.raises(InputError) as caught:
        explainable_statement(sql, Engine.POSTGRES)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("engine", [Engine.MYSQL, Engine.SQLITE])
def test_glot_dialects(engine: Engine):
    read = explainable_statement("SELECT * FROM db.t JOIN u ON u.a = t.a", engine)
    assert (read.verb, read.writes, read.tables) == ("SELECT", False, ("db.t", "u"))
    delete = explainable_statement("DELETE FROM t WHERE a = 1", engine)
    assert (delete.verb, delete.writes, delete.tables) == ("DELETE", True, ("t",))
    assert explainable_statement("SELECT * FROM t FOR UPDATE", engine).writes
    with pytest.raises(InputError, match="got CREATE INDEX"):
        explainable_statement("CREATE INDEX i ON t (a)", engine)


def test_mysql_table_statement_is_a_read():
    statement = explainable_statement("TABLE t", Engine.MYSQL)
    assert (statement.verb, statement.writes) == ("TABLE", False)


def test_where_maps_offsets_to_the_users_text():
    statement = explainable_statement("\n  SELECT *\n  FROM t", Engine.POSTGRES, "q.sql")
    assert statement.where() == "q.sql:2:3"
    assert statement.where(statement.text.index("t")) == "q.sql:3:8"
    assert statement.where(10_000) == statement.where(len(statement.text))
