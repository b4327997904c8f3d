from dbexpert.model import Applicability, Engine
from tests.rules.query.helpers import findings

RULE = "join-key-type-mismatch"
SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, external_id uuid);
CREATE TABLE events (id bigint PRIMARY KEY, customer_ref varchar(20) NOT NULL, customer_id integer, amount numeric(10, 2));
CREATE TABLE imports (id bigint PRIMARY KEY, customer_uuid text, amount integer);
"""
SQL = "SELECT e.id\nFROM events e JOIN customers c ON c.id = e.customer_ref"


def test_bigint_against_varchar_with_alter_on_the_non_key_side():
    [finding] = findings(RULE, SQL, schema=SCHEMA)
    assert (finding.location.line, finding.location.column) == (2, 35)
    assert finding.fix is not None and finding.fix.applicability is Applicability.MANUAL
    assert finding.fix.sql == (
        "ALTER TABLE events ALTER COLUMN customer_ref TYPE bigint USING customer_ref::bigint;"
    )
    assert finding.evidence["left"]["kind"] == "bigint" and finding.evidence["right"]["kind"] == "varchar"


def test_uuid_against_text_in_a_where_join_and_int_against_numeric():
    sql = (
        "SELECT i.id FROM imports i, customers c WHERE c.external_id = i.customer_uuid;"
        "SELECT e.id FROM events e JOIN imports i ON i.amount = e.amount"
    )
    found = findings(RULE, sql, schema=SCHEMA)
    assert [f.location.line for f in found] == [1, 1]
    assert {f.evidence["right"]["kind"] for f in found} == {"text", "numeric"}


def test_mysql_alter_keeps_not_null():
    schema = "CREATE TABLE a (id bigint PRIMARY KEY); CREATE TABLE b (id bigint PRIMARY KEY, a_ref varchar(20) NOT NULL);"
    [finding] = findings(
        RULE, "SELECT b.id FROM b JOIN a ON a.id = b.a_ref", schema=schema, engine=Engine.MYSQL
    )
    assert finding.fix is not None
    assert finding.fix.sql == "ALTER TABLE b MODIFY COLUMN a_ref bigint NOT NULL;"


def test_same_family_and_no_schema_are_silent():
    sql = "SELECT e.id FROM events e JOIN customers c ON c.id = e.customer_id"  # integer vs bigint
    assert findings(RULE, sql, schema=SCHEMA) == []
    assert findings(RULE, SQL) == []
