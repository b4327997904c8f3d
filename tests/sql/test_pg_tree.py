"""The plain-data PostgreSQL trees read like pglast's node objects and print the same."""

from __future__ import annotations

import pglast
import pytest
from pglast.stream import RawStream

from dbexpert.model import Engine
from dbexpert.sql import pg_tree
from dbexpert.sql.ddl_actions import ddl_actions
from dbexpert.sql.parse import parse_statements

STATEMENTS = [
    "CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n numeric(10,2)[] NOT NULL, "
    'c varchar(20) COLLATE "C", d timestamptz DEFAULT now(), e interval hour to minute, f char(1), '
    'g "Mixed"."Type", h double precision, i bit varying(3), CHECK (n > 0))',
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t USING gin (lower(a) DESC, b text_pattern_ops) "
    "INCLUDE (c) WHERE a IS NOT NULL AND b <> ''",
    "ALTER TABLE t ALTER COLUMN c TYPE bigint USING c::bigint, ADD CONSTRAINT f FOREIGN KEY (a) "
    "REFERENCES p (id) ON DELETE CASCADE NOT VALID",
    "CREATE VIEW v AS SELECT a, count(*) FROM t LEFT JOIN u USING (id) GROUP BY a HAVING count(*) > 1",
    "INSERT INTO t (a, b) SELECT g, 'x' || g FROM generate_series(1, 10) AS g",
    "UPDATE t SET a = 1 WHERE id BETWEEN 1 AND 2 AND x IN (SELECT y FROM z LIMIT 5)",
    "CREATE SEQUENCE s AS integer START 0 INCREMENT 2 MINVALUE -5 CYCLE OWNED BY t.c",
    "SET search_path = a, 'b', 1.5, on",
    "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING gist (r WITH &&, tstzrange(a, b) WITH &&)",
    "SELECT NULL, true, false, b'101', ''::text, 'a'::\"char\", (ARRAY[1, 2])[1], $$x$$",
]


@pytest.mark.parametrize("sql", STATEMENTS)
def test_trees_convert_to_the_nodes_pglast_builds(sql: str) -> None:
    expected = pglast.parse_sql(sql)[0].stmt
    tree = pg_tree.parse_json(sql)[0]["stmt"]
    converted = pg_tree.to_ast(tree)
    assert converted == expected
    assert RawStream()(converted) == RawStream()(expected)
    assert pg_tree.sql(tree) == RawStream()(expected)


def test_type_names_print_as_pglast_prints_them() -> None:
    tree = pg_tree.parse_json(STATEMENTS[0])[0]["stmt"]
    for element in tree["CreateStmt"]["tableElts"]:
        column = pg_tree.fields(element, "ColumnDef")
        if column is None:
            continue
        expected = RawStream()(pg_tree.to_ast(column["typeName"], "TypeName"))
        assert pg_tree.type_name(column["typeName"]) == expected
        assert pg_tree.type_name(column["typeName"]) == expected  # and again, from the cache


def test_offsets_count_characters_not_bytes() -> None:
    sql = "SELECT 'é€'; CREATE TABLE t (a int DEFAULT 'ü')"
    trees = pg_tree.parse_json(sql)
    expected = pglast.parse_sql(sql)
    assert [t.get("stmt_location", 0) for t in trees] == [e.stmt_location or 0 for e in expected]
    column = trees[1]["stmt"]["CreateStmt"]["tableElts"][0]["ColumnDef"]
    assert column["location"] == expected[1].stmt.tableElts[0].location
    assert column["location"] == sql.index("a int")
    default = column["constraints"][0]["Constraint"]
    assert default["location"] == sql.index("DEFAULT")
    # A_Const records no offset of its own in pglast's nodes, so it does not count here either.
    assert pg_tree.location_span({"ColumnDef": column}) == (column["location"], default["location"])


def test_statement_ends_before_trailing_comments() -> None:
    sql = "SELECT 1 -- one\n;\nCREATE TABLE t (a text DEFAULT 'x;y' /* c */)\n/* tail */ ;\nSELECT 'é'  "
    statements = parse_statements(sql, Engine.POSTGRES).statements
    assert [s.text for s in statements] == [
        "SELECT 1",
        "CREATE TABLE t (a text DEFAULT 'x;y' /* c */)",
        "SELECT 'é'",
    ]
    (action,) = ddl_actions(statements[1])
    assert action.columns[0].default == "'x;y'"  # type: ignore[attr-defined]
    assert action.columns[0].position.line == 3  # type: ignore[attr-defined]


def test_non_ascii_positions_match_the_text() -> None:
    sql = "-- ünïcødé\nCREATE TABLE \"ü\" (\n  a text DEFAULT 'é€'\n);"
    (statement,) = parse_statements(sql, Engine.POSTGRES).statements
    (action,) = ddl_actions(statement)
    column = action.columns[0]  # type: ignore[attr-defined]
    assert column.default == "'é€'"
    assert (column.position.line, column.position.column) == (3, 3)
    assert (action.position.line, action.position.column) == (2, 14)  # type: ignore[attr-defined]
