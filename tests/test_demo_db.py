"""The bundled demo database: deterministic, introspectable, and carrying every planted flaw."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from dbexpert.demo import ORPHAN_TICKETS, build_demo_database
from dbexpert.engines import connect
from dbexpert.model import Catalog, TypeKind
from dbexpert.rules.context import run_rules
from dbexpert.rules.registry import registry

PLANTED_RULES = (
    "table-without-primary-key",
    "uuid-stored-as-text",
    "fixed-width-char",
    "float-for-money",
    "flag-instead-of-boolean",
    "foreign-key-without-index",
    "missing-foreign-key",
    "one-to-one-without-unique",
    "junction-table-without-unique-pair",
    "foreign-key-type-mismatch",
    "duplicate-index",
    "redundant-prefix-index",
    "low-cardinality-index",
    "repeating-column-group",
    "delimited-list-in-column",
)


def content(path: Path) -> tuple[list[tuple[str, str]], dict[str, int], str]:
    """Schema, row counts and a hash over every row of every table, in key order."""
    with sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True) as conn:
        schema = conn.execute(
            "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
        tables = [
            n for (n,) in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        ]
        counts: dict[str, int] = {}
        digest = hashlib.sha256()
        for table in tables:
            rows = sorted(conn.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
            counts[table] = len(rows)
            digest.update(repr((table, rows)).encode())
    conn.close()
    return schema, counts, digest.hexdigest()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "shop.db"
    build_demo_database(path)
    return path


@pytest.fixture(scope="module")
def catalog(demo: Path) -> Catalog:
    with connect(str(demo)) as session:
        return session.introspect()


def test_build_is_deterministic(demo: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.db"
    build_demo_database(again)
    build_demo_database(again)  # rebuilding over an existing file replaces it
    assert content(again) == content(demo)
    assert again.read_bytes() == demo.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.db"]


def test_size_is_realistic(demo: Path) -> None:
    _, counts, _ = content(demo)
    assert 3000 <= sum(counts.values()) <= 40000
    assert counts["orders"] >= 1000 and counts["order_items"] > counts["orders"]


def test_introspects_through_the_session(catalog: Catalog) -> None:
    assert catalog.attrs["analyzed"] is True
    assert {"customers", "orders", "order_items", "product_tags", "audit_log"} <= {
        t.name for t in catalog.tables
    }
    assert [v.name for v in catalog.views] == ["order_totals"]
    orders = catalog.table("orders")
    assert orders is not None and orders.stats is not None and orders.stats.row_estimate == 1200
    audit = catalog.table("audit_log")
    assert audit is not None and audit.column("action").stats.distinct == 3  # type: ignore[union-attr]
    assert orders.column("total").kind is TypeKind.FLOAT  # type: ignore[union-attr]


def test_planted_schema_facts(catalog: Catalog) -> None:
    def table(name: str):  # noqa: ANN202
        found = catalog.table(name)
        assert found is not None, name
        return found

    assert table("audit_log").primary_key is None
    junction = table("product_tags")
    assert junction.primary_key is None and junction.unique_column_sets() == []
    assert table("customers").column("public_uuid").raw_type == "VARCHAR(36)"
    assert not any(i.keys[0].column == "product_id" for i in table("order_items").indexes)
    assert table("support_tickets").foreign_keys == ()
    (product_fk,) = [fk for fk in table("reviews").foreign_keys if fk.ref_table == "products"]
    assert table("reviews").column("product_id").kind is TypeKind.TEXT
    assert product_fk.ref_columns == ("id",)
    categories = [i for i in table("products").indexes if i.columns == ("category_id",)]
    assert len(categories) == 2
    assert {c.name for c in table("customers").columns} >= {"phone1", "phone2", "phone3"}


def test_orphans_are_real(demo: Path, catalog: Catalog) -> None:
    tickets, customers = catalog.table("support_tickets"), catalog.table("customers")
    assert tickets is not None and customers is not None
    with connect(str(demo)) as session:
        checked, orphans = session.probe.count_orphans(tickets, ("customer_id",), customers, ("id",))
        tags = session.probe.sample_values(catalog.table("products"), "tags")  # type: ignore[arg-type]
    assert checked > 50 and orphans == ORPHAN_TICKETS
    assert any("," in value for value in tags)


@pytest.mark.parametrize("rule_name", PLANTED_RULES)
def test_each_planted_rule_fires(rule_name: str, demo: Path, catalog: Catalog) -> None:
    rules = registry()
    if rule_name not in rules:
        pytest.skip(f"rule {rule_name} is not registered yet")
    with connect(str(demo)) as session:
        findings = run_rules(catalog, [rules.get(rule_name)], probe=session.probe)
    assert any(f.rule == rules.resolve(rule_name) for f in findings)
