"""The PostgreSQL row -> model mapping, on rows captured from a real server (no server needed)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from dbexpert.engines.postgres.introspect import (
    CatalogRows,
    absolute_distinct,
    build_catalog,
    map_index,
    row_estimate,
    strip_outer_parens,
)
from dbexpert.model import Catalog, Engine, StatsSource, Table, TypeKind, Version
from tests.engines.postgres import captured_rows as captured

COLLECTED = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)


def _rows(**overrides: Any) -> CatalogRows:
    fields: dict[str, Any] = {
        "server": captured.SERVER,
        "tables": captured.TABLES,
        "columns": captured.COLUMNS,
        "constraints": captured.CONSTRAINTS,
        "indexes": captured.INDEXES,
        "sequences": captured.SEQUENCES,
        "enums": captured.ENUMS,
        "views": captured.VIEWS,
    }
    fields.update(overrides)
    return CatalogRows(**fields)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return build_catalog(_rows(), collected_at=COLLECTED)


def _table(catalog: Catalog, name: str) -> Table:
    table = catalog.table(name)
    assert table is not None
    return table


def test_catalog_header(catalog: Catalog) -> None:
    assert catalog.engine is Engine.POSTGRES and catalog.source is StatsSource.LIVE
    assert catalog.version == Version(15, 20)
    assert catalog.database == "shop" and catalog.default_schema == "public"
    assert catalog.settings["shared_buffers"] == "128MB"
    assert catalog.collected_at == COLLECTED and catalog.stats_reset is None
    assert catalog.attrs["server_version_num"] == 150020
    assert dict(catalog.attrs["extensions"]) == {"plpgsql": "1.0"}
    assert [t.name for t in catalog.tables] == ["customers", "legacy_codes", "orders", "tenants"]


def test_stats_reset_is_carried() -> None:
    reset = datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC)
    catalog = build_catalog(_rows(server={**captured.SERVER, "stats_reset": reset}))
    assert catalog.stats_reset == reset


def test_table_and_stats(catalog: Catalog) -> None:
    customers = _table(catalog, "customers")
    assert customers.kind == "table" and customers.comment == "people who buy"
    assert customers.location is not None and customers.location.object == "public.customers"
    stats = customers.stats
    assert stats is not None and stats.source is StatsSource.LIVE
    assert stats.row_estimate == 200 and stats.inserts == 200 and stats.dead_rows == 0
    assert stats.table_bytes == 49152 and stats.total_bytes == 81920
    assert stats.last_analyzed is not None


def test_columns(catalog: Catalog) -> None:
    customers = _table(catalog, "customers")
    assert customers.column_names == ("id", "email", "name", "country", "created_at")
    identity = customers.column("id")
    assert identity is not None and identity.identity == "always" and not identity.autoincrement
    email = customers.column("email")
    assert email is not None and (email.raw_type, email.kind, email.length) == (
        "email",
        TypeKind.VARCHAR,
        320,
    )
    assert email.attrs["domain_base_type"] == "character varying(320)"
    assert email.location is not None and email.location.object == "public.customers.email"

    serial = _table(catalog, "tenants").column("id")
    assert serial is not None and serial.autoincrement and serial.attrs["sequence"] == "public.tenants_id_seq"

    orders = _table(catalog, "orders")
    status = orders.column("status")
    assert status is not None and status.kind is TypeKind.ENUM
    assert status.enum_values == ("pending", "paid", "shipped", "cancelled")
    assert status.default == "'pending'::order_status"
    cents = orders.column("total_cents")
    assert cents is not None and cents.generated == "(total * 100::numeric)::bigint" and cents.default is None


def test_column_stats(catalog: Catalog) -> None:
    orders = _table(catalog, "orders")
    order_no = orders.column("order_no")
    assert order_no is not None and order_no.stats is not None
    assert order_no.stats.distinct == 500  # captured as n_distinct = -1 over 500 rows
    status = orders.column("status")
    assert status is not None and status.stats is not None
    assert status.stats.distinct == 3 and status.stats.null_fraction == 0
    assert len(status.stats.most_common_values) == len(status.stats.most_common_freqs) == 3
    assert set(status.stats.most_common_values) == {"pending", "paid", "shipped"}


def test_constraints(catalog: Catalog) -> None:
    orders = _table(catalog, "orders")
    assert orders.primary_key is not None and orders.primary_key.columns == ("tenant_id", "order_no")
    fks = {fk.name: fk for fk in orders.foreign_keys}
    assert set(fks) == {"orders_customer_again", "orders_customer_id_fkey", "orders_tenant_id_fkey"}
    assert fks["orders_tenant_id_fkey"].on_delete == "CASCADE"
    deferred = fks["orders_customer_id_fkey"]
    assert (deferred.on_delete, deferred.deferrable, deferred.initially_deferred) == ("SET NULL", True, True)
    assert not fks["orders_customer_again"].validated
    assert fks["orders_customer_again"].attrs["match"] == "simple"
    assert [(c.name, c.expression) for c in orders.checks] == [("orders_total_check", "total >= 0::numeric")]
    assert [u.columns for u in _table(catalog, "tenants").uniques] == [("slug",)]


def test_indexes(catalog: Catalog) -> None:
    orders = {i.name: i for i in _table(catalog, "orders").indexes}
    pending = orders["orders_pending"]
    assert pending.columns == ("placed_at",) and pending.keys[0].descending
    assert pending.include == ("total",) and pending.where == "status = 'pending'::order_status"
    assert orders["orders_pkey"].primary and orders["orders_pkey"].constraint == "orders_pkey"
    lower = {i.name: i for i in _table(catalog, "customers").indexes}["customers_email_lower"]
    assert lower.columns == ("(lower(email::text))",) and lower.unique
    legacy = _table(catalog, "legacy_codes").indexes[0]
    assert legacy.name == "legacy_codes_code" and not legacy.valid
    assert legacy.stats is not None and legacy.stats.scans == 0


def test_sequences_enums_views(catalog: Catalog) -> None:
    sequences = {s.name: s for s in catalog.sequences}
    assert sequences["invoice_numbers"].owned_by is None
    assert (sequences["invoice_numbers"].max_value, sequences["invoice_numbers"].last_value) == (99999, 1000)
    assert sequences["tenants_id_seq"].owned_by == ("tenants", "id")
    assert sequences["customers_id_seq"].attrs["identity"] is True
    assert [e.values for e in catalog.enums] == [("pending", "paid", "shipped", "cancelled")]
    assert {(v.name, v.materialized) for v in catalog.views} == {
        ("paid_orders", False),
        ("sales_by_tenant", True),
    }


def test_expression_keys_and_include_columns() -> None:
    row = {
        "schema": "public",
        "name": "t_expr",
        "method": "gin",
        "is_unique": False,
        "is_primary": False,
        "is_valid": True,
        "keys": [
            {"column": None, "text": "(a + 1)", "descending": False, "opclass": None, "include": False},
            {"column": "b", "text": "b", "descending": True, "opclass": "text_pattern_ops", "include": False},
            {"column": "c", "text": "c", "descending": False, "opclass": None, "include": True},
        ],
    }
    index = map_index(row)
    assert index.expressions == ("a + 1",) and index.columns == ("(a + 1)", "b")
    assert index.keys[1].opclass == "text_pattern_ops" and index.keys[1].descending
    assert index.include == ("c",) and index.method == "gin" and index.stats is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(a + 1)", "a + 1"),
        ("lower(b)", "lower(b)"),
        ("(a) + (b)", "(a) + (b)"),
        ("((a + b))", "(a + b)"),
        ("(a || ')')", "a || ')'"),
    ],
)
def test_strip_outer_parens(text: str, expected: str) -> None:
    assert strip_outer_parens(text) == expected


@pytest.mark.parametrize(
    ("reltuples", "version", "analyzed", "expected"),
    [
        (-1.0, 150000, False, None),  # never analyzed (14+)
        (0.0, 150000, True, 0),
        (0.0, 130000, False, None),  # before 14, 0 also meant "never analyzed"
        (0.0, 130000, True, 0),
        (1234.6, 150000, True, 1235),
        (None, 150000, False, None),
    ],
)
def test_row_estimate(reltuples: float | None, version: int, analyzed: bool, expected: int | None) -> None:
    assert row_estimate(reltuples, version, analyzed) == expected


@pytest.mark.parametrize(
    ("n_distinct", "reltuples", "expected"),
    [
        (42.0, 1000.0, 42.0),
        (-1.0, 500.0, 500.0),
        (-0.25, 1000.0, 250.0),
        (-0.5, -1.0, None),
        (None, 10.0, None),
    ],
)
def test_absolute_distinct(n_distinct: float | None, reltuples: float, expected: float | None) -> None:
    assert absolute_distinct(n_distinct, reltuples) == expected


def test_empty_database() -> None:
    catalog = build_catalog(CatalogRows(server=captured.SERVER))
    assert catalog.tables == () and catalog.sequences == () and catalog.version == Version(15, 20)
