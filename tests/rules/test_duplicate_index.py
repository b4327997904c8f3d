import sqlite3

from dbexpert.model import Engine, Index, IndexKey, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.duplicate_index import RULE
from tests.factories import catalog, col, idx


def _run(*indexes, engine=Engine.POSTGRES, name="orders"):
    table = Table(
        name=name, columns=(col("id"), col("customer_id")), primary_key=PrimaryKey(("id",)), indexes=indexes
    )
    return run_rules(catalog(table, engine=engine), [RULE])


def test_exact_duplicate_drops_one_concurrently():
    [finding] = _run(idx("orders_customer_id_idx", "customer_id"), idx("orders_customer_idx", "customer_id"))
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY orders_customer_idx;"
    assert finding.location.object == "orders.orders_customer_idx"
    assert finding.evidence["kept"] == "CREATE INDEX orders_customer_id_idx ON orders (customer_id);"


def test_keeps_the_constraint_or_unique_index():
    pkey = idx("orders_pkey", "id", unique=True, primary=True, constraint="orders_pkey")
    [finding] = _run(idx("a_id", "id"), pkey)
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY a_id;"
    [finding] = _run(idx("a", "customer_id"), idx("b", "customer_id", unique=True))
    assert finding.fix.sql == "DROP INDEX CONCURRENTLY a;"


def test_two_constraints_get_manual_advice_without_sql():
    one = idx("u1", "customer_id", unique=True, constraint="u1")
    two = idx("u2", "customer_id", unique=True, constraint="u2")
    [finding] = _run(one, two)
    assert finding.fix.sql is None
    assert "declared twice" in finding.message


def test_differences_that_matter_are_not_duplicates():
    base = idx("a", "customer_id")
    assert _run(base, idx("b", "customer_id", where="id > 0")) == []
    assert _run(base, idx("b", "customer_id", method="hash")) == []
    assert _run(base, idx("b", "customer_id", include=("id",))) == []
    assert _run(base, idx("b", "customer_id", "id")) == []
    assert _run(base, Index(name="b", keys=(IndexKey(column="customer_id", descending=True),))) == []
    assert (
        _run(base, Index(name="b", keys=(IndexKey(column="customer_id", opclass="text_pattern_ops"),))) == []
    )
    assert _run(base, idx("b", "customer_id", valid=False)) == []


def test_expressions_and_predicates_compare_ignoring_spacing():
    one = Index(name="a", keys=(IndexKey(expression="lower(email)"),), where="(deleted_at IS NULL)")
    two = Index(name="b", keys=(IndexKey(expression=" lower(email)\n"),), where="deleted_at  IS NULL")
    assert len(_run(one, two)) == 1


def test_mysql_and_sqlite_drop_statements():
    [mysql] = _run(idx("a", "customer_id"), idx("key", "customer_id"), engine=Engine.MYSQL)
    assert mysql.fix.sql == "ALTER TABLE orders DROP INDEX `key`;"
    [lite] = _run(idx("a", "customer_id"), idx('b"x', "customer_id"), engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.executescript(
        'CREATE TABLE orders (id integer, customer_id integer); CREATE INDEX "b""x" ON orders (customer_id);'
    )
    db.executescript(lite.fix.sql)
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'").fetchone() == (0,)
