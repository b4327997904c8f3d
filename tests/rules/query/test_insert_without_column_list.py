import sqlite3

from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "insert-without-column-list"
SCHEMA = "CREATE TABLE coupons (code text PRIMARY KEY, discount numeric(5, 2) NOT NULL);"


def test_schema_gives_the_column_list():
    [finding] = findings(RULE, "INSERT INTO coupons\nVALUES ('SPRING', 10), ('FALL', 5)", schema=SCHEMA)
    assert (finding.location.line, finding.location.column) == (1, 13)
    assert finding.fix is not None and finding.fix.applicability is Applicability.SAFE
    assert finding.fix.sql == "INSERT INTO coupons (code, discount) VALUES ('SPRING', 10), ('FALL', 5)"


def test_rewrite_writes_the_same_rows():
    sql = "INSERT INTO coupons SELECT 'X' || code, discount / 2 FROM coupons"
    [finding] = findings(RULE, sql, schema=SCHEMA, engine=Engine.SQLITE)
    assert finding.fix is not None and finding.fix.sql
    results = []
    for statement in (sql, finding.fix.sql):
        db = sqlite3.connect(":memory:")
        db.executescript(SCHEMA + "INSERT INTO coupons VALUES ('A', 10), ('B', 4);")
        db.execute(statement)
        results.append(sorted(db.execute("SELECT * FROM coupons").fetchall()))
        db.close()
    assert results[0] == results[1]


def test_without_schema_or_with_a_different_count_the_fix_is_manual():
    [finding] = findings(RULE, "INSERT INTO coupons VALUES ('A', 1)", engine=Engine.MYSQL)
    assert finding.fix is not None and finding.fix.applicability is Applicability.MANUAL
    [short] = findings(RULE, "INSERT INTO coupons VALUES ('A')", schema=SCHEMA)
    assert short.fix is not None and short.fix.sql is None
    [star] = findings(RULE, "INSERT INTO coupons SELECT * FROM old_coupons", schema=SCHEMA)
    assert star.evidence["values_per_row"] is None


def test_inserts_with_a_column_list_are_fine():
    sql = (
        "INSERT INTO coupons (code, discount) VALUES ('A', 1);"
        "INSERT INTO coupons (code, discount) SELECT code, 1 FROM old_coupons;"
        "INSERT INTO coupons DEFAULT VALUES"
    )
    assert findings(RULE, sql, schema=SCHEMA) == []
