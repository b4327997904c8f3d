import sqlite3

from dbexpert.model import Engine, ForeignKey, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.missing_foreign_key import RULE
from tests.factories import catalog, col


def _table(name, *columns, pk=("id",), fks=(), engine=Engine.POSTGRES):
    cols = tuple(c if not isinstance(c, str) else col(c, "bigint", engine) for c in columns)
    return Table(name=name, columns=cols, primary_key=PrimaryKey(pk) if pk else None, foreign_keys=fks)


USERS = _table("users", "id")


def _run(*tables, engine=Engine.POSTGRES, probe=None, live=False):
    return run_rules(catalog(*tables, engine=engine, live=live), [RULE], probe=probe)


class FakeProbe:
    """Stands in for the engine's LiveProbe (tested against real servers elsewhere)."""

    def __init__(self, checked, orphans):
        self.result = (checked, orphans)
        self.calls = []

    def sample_values(self, table, column, limit=1000):
        return []

    def count_orphans(self, child, columns, parent, ref_columns, limit=10000):
        self.calls.append((child.name, columns, parent.name, ref_columns, limit))
        return self.result


def test_fires_on_name_match_with_not_valid_then_validate():
    [finding] = _run(USERS, _table("orders", "id", "user_id"))
    assert finding.location.object == "orders.user_id"
    assert finding.fix.sql == (
        "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_id_fkey;"
    )


def test_singular_plural_and_camel_case_forms():
    people = _table("people", "id")
    categories = _table("categories", "id")
    addresses = _table("Address", "id")
    child = _table("items", "id", "person_id", "categoryId", "address_id")
    found = {f.location.object for f in _run(people, categories, addresses, child)}
    assert found == {"items.person_id", "items.categoryId", "items.address_id"}


def test_clean_when_covered_by_a_foreign_key():
    fk = ForeignKey(columns=("user_id",), ref_table="users", ref_columns=("id",))
    assert _run(USERS, _table("orders", "id", "user_id", fks=(fk,))) == []


def test_no_false_positives():
    polymorphic = _table("comments", "id", "user_id", col("user_type", "text"))
    external = _table("payments", "id", "stripe_id", "external_id")
    own_key = _table("user", "user_id", pk=("user_id",))
    wrong_type = _table("orders", "id", col("user_id", "timestamptz"))
    composite_parent = _table("shelves", "a", "b", pk=("a", "b"))
    shelf_ref = _table("books", "id", "shelf_id")
    assert _run(USERS, polymorphic, external, own_key, wrong_type, composite_parent, shelf_ref) == []


def test_integer_widths_are_compatible():
    assert len(_run(USERS, _table("orders", "id", col("user_id", "integer")))) == 1


def test_live_probe_counts_orphans_and_the_fix_repairs_them_first():
    probe = FakeProbe(checked=900, orphans=3)
    [finding] = _run(USERS, _table("orders", "id", "user_id"), probe=probe, live=True)
    assert finding.evidence["values_checked"] == 900
    assert finding.evidence["orphans"] == 3
    assert probe.calls == [("orders", ("user_id",), "users", ("id",), 10000)]
    sql = finding.fix.sql
    assert sql.index("NOT EXISTS") < sql.index("NOT VALID") < sql.index("VALIDATE CONSTRAINT")


def test_live_without_orphans_has_no_repair_step():
    [finding] = _run(USERS, _table("orders", "id", "user_id"), probe=FakeProbe(500, 0), live=True)
    assert finding.evidence["orphans"] == 0
    assert "NOT EXISTS" not in finding.fix.sql


def test_mysql_and_sqlite_fix_sql():
    users = _table("users", "id", engine=Engine.MYSQL)
    [mysql] = _run(users, _table("order", "id", "user_id", engine=Engine.MYSQL), engine=Engine.MYSQL)
    assert mysql.fix.sql.startswith("ALTER TABLE `order` ADD CONSTRAINT order_user_id_fkey FOREIGN KEY")
    [lite] = _run(USERS, _table("orders", "id", "user_id"), engine=Engine.SQLITE)
    sqlite3.connect(":memory:").executescript(lite.fix.sql)  # comments only: still valid SQL
