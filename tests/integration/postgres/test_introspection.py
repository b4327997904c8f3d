"""Introspect a realistic schema on a real PostgreSQL server and check the catalog it gives."""

from __future__ import annotations

import psycopg
import pytest

from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.postgres import PostgresSession
from dbexpert.model import Catalog, DbexpertError, Engine, StatsSource, Table, TypeKind
from tests.conftest import pg_execute
from tests.integration.postgres.schema import EXTENSION, HOSTILE, INVALID_INDEX, NOT_VALID, SHOP

pytestmark = pytest.mark.postgres


@pytest.fixture
def shop_url(pg_url: str) -> str:
    pg_execute(pg_url, SHOP)
    pg_execute(pg_url, NOT_VALID)
    with pytest.raises(psycopg.errors.UniqueViolation):
        pg_execute(pg_url, INVALID_INDEX)
    pg_execute(pg_url, HOSTILE)
    pg_execute(pg_url, EXTENSION)
    return pg_url


@pytest.fixture
def catalog(shop_url: str) -> Catalog:
    with connect(shop_url) as session:
        assert isinstance(session, PostgresSession)
        return session.introspect()


def _table(catalog: Catalog, name: str) -> Table:
    table = catalog.table(name)
    assert table is not None, name
    return table


def test_catalog_header(catalog: Catalog) -> None:
    assert catalog.engine is Engine.POSTGRES
    assert catalog.source is StatsSource.LIVE and catalog.live
    assert catalog.default_schema == "public"
    assert catalog.version is not None and catalog.version.major >= 12
    assert catalog.database and catalog.database.startswith("dbx_test_")
    assert catalog.collected_at is not None
    assert catalog.settings["max_connections"].isdigit()
    assert "shared_buffers" in catalog.settings
    # dbexpert's own session settings are not reported as the server's.
    assert "default_transaction_read_only" not in catalog.settings
    assert "plpgsql" in catalog.attrs["extensions"]
    assert catalog.attrs["server_version_num"] >= 120000


def test_tables_exclude_system_objects(catalog: Catalog) -> None:
    schemas = {t.schema for t in catalog.tables}
    assert schemas == {"public"}
    assert {t.name for t in catalog.tables} == {
        "customers",
        "tenants",
        "orders",
        "order_lines",
        "legacy_codes",
        'a"; drop table x; --',
        "order",
        "user",
        "café ☕",
        "select",
        "events",
        "events_2024",
        "scratch_cache",
    }
    events = _table(catalog, "events")
    assert events.kind == "partitioned" and events.column_names == ("happened_on", "kind")
    partition = _table(catalog, "events_2024")
    assert partition.kind == "table" and partition.attrs["partition_of"] == "public.events"
    assert _table(catalog, "scratch_cache").attrs["unlogged"]
    assert not _table(catalog, "orders").attrs["unlogged"]


def test_extension_objects_are_left_out(catalog: Catalog) -> None:
    if "pg_stat_statements" not in catalog.attrs["extensions"]:
        pytest.skip("pg_stat_statements is not available on this server")
    assert {v.name for v in catalog.views} == {"paid_orders", "sales_by_tenant"}


def test_identity_serial_generated_and_enum_columns(catalog: Catalog) -> None:
    customers = _table(catalog, "customers")
    identity = customers.column("id")
    assert identity is not None and identity.identity == "always" and not identity.autoincrement
    assert identity.attrs["sequence"] == "public.customers_id_seq"
    email = customers.column("email")
    assert email is not None and email.raw_type == "email" and email.kind is TypeKind.VARCHAR
    assert email.length == 320 and not email.nullable
    country = customers.column("country")
    assert country is not None and country.kind is TypeKind.CHAR and country.length == 2
    assert country.default == "'FR'::bpchar"

    serial = _table(catalog, "tenants").column("id")
    assert serial is not None and serial.autoincrement and serial.identity is None
    assert serial.default == "nextval('tenants_id_seq'::regclass)"

    lines_id = _table(catalog, "order_lines").column("id")
    assert lines_id is not None and lines_id.identity == "by default"

    orders = _table(catalog, "orders")
    status = orders.column("status")
    assert status is not None and status.kind is TypeKind.ENUM
    assert status.enum_values == ("pending", "paid", "shipped", "cancelled")
    total = orders.column("total")
    assert total is not None and (total.kind, total.precision, total.scale) == (TypeKind.NUMERIC, 12, 2)
    cents = orders.column("total_cents")
    assert cents is not None and cents.generated == "(total * 100::numeric)::bigint" and cents.default is None
    assert orders.column("placed_at").kind is TypeKind.TIMESTAMP  # type: ignore[union-attr]


def test_column_statistics(catalog: Catalog) -> None:
    orders = _table(catalog, "orders")
    assert orders.stats is not None and orders.stats.row_estimate == 500
    assert orders.stats.last_analyzed is not None and orders.stats.inserts == 500
    status = orders.column("status")
    assert status is not None and status.stats is not None
    assert status.stats.null_fraction == 0
    assert status.stats.distinct == 3
    assert set(status.stats.most_common_values) == {"pending", "paid", "shipped"}
    assert sum(status.stats.most_common_freqs) == pytest.approx(1.0, abs=0.01)
    order_no = orders.column("order_no")
    # n_distinct is stored as -1 (all distinct); the catalog carries the absolute count.
    assert order_no is not None and order_no.stats is not None and order_no.stats.distinct == 500
    customer = orders.column("customer_id")
    assert customer is not None and customer.stats is not None and customer.stats.distinct == 200


def test_composite_keys_and_constraints(catalog: Catalog) -> None:
    orders = _table(catalog, "orders")
    assert orders.primary_key is not None and orders.primary_key.columns == ("tenant_id", "order_no")
    assert orders.primary_key.location is not None
    by_name = {fk.name: fk for fk in orders.foreign_keys}
    tenant_fk = by_name["orders_tenant_id_fkey"]
    assert tenant_fk.on_delete == "CASCADE" and tenant_fk.columns == ("tenant_id",) and tenant_fk.validated
    customer_fk = by_name["orders_customer_id_fkey"]
    assert customer_fk.on_delete == "SET NULL" and customer_fk.deferrable and customer_fk.initially_deferred
    assert customer_fk.ref_schema == "public" and customer_fk.ref_columns == ("id",)
    assert not by_name["orders_customer_again"].validated
    assert [c.expression for c in orders.checks] == ["total >= 0::numeric"]

    lines = _table(catalog, "order_lines")
    (fk,) = lines.foreign_keys
    assert fk.name == "order_lines_order_fk"
    assert fk.columns == ("tenant_id", "order_no") and fk.ref_columns == ("tenant_id", "order_no")
    assert fk.on_update == "CASCADE" and fk.on_delete == "NO ACTION" and fk.validated
    (check,) = lines.checks
    assert check.name == "quantity_positive" and not check.validated

    tenants = _table(catalog, "tenants")
    assert [u.columns for u in tenants.uniques] == [("slug",)]


def test_indexes(catalog: Catalog) -> None:
    orders = {i.name: i for i in _table(catalog, "orders").indexes}
    pkey = orders["orders_pkey"]
    assert pkey.primary and pkey.unique and pkey.constraint == "orders_pkey"
    assert pkey.columns == ("tenant_id", "order_no") and pkey.enforces_constraint
    assert pkey.stats is not None and pkey.stats.size_bytes and pkey.stats.scans is not None
    pending = orders["orders_pending"]
    assert pending.where == "status = 'pending'::order_status"
    assert pending.include == ("total",)
    assert pending.keys[0].column == "placed_at" and pending.keys[0].descending
    assert not pending.unique and pending.method == "btree" and pending.constraint is None

    customers = {i.name: i for i in _table(catalog, "customers").indexes}
    lower = customers["customers_email_lower"]
    assert lower.unique and lower.expressions == ("lower(email::text)",)
    assert lower.keys[0].column is None

    legacy = {i.name: i for i in _table(catalog, "legacy_codes").indexes}
    assert not legacy["legacy_codes_code"].valid
    assert _table(catalog, "legacy_codes").unique_column_sets() == []

    slug = {i.name: i for i in _table(catalog, "tenants").indexes}["tenants_slug_key"]
    assert slug.constraint == "tenants_slug_key" and slug.unique and not slug.primary


def test_sequences_enums_views(catalog: Catalog) -> None:
    sequences = {s.name: s for s in catalog.sequences}
    invoice = sequences["invoice_numbers"]
    assert invoice.data_type == "integer" and invoice.start == 1000 and invoice.max_value == 99999
    assert invoice.last_value == 1000 and invoice.owned_by is None
    serial = sequences["tenants_id_seq"]
    assert serial.owned_by == ("tenants", "id") and serial.last_value == 2 and not serial.attrs["identity"]
    identity = sequences["customers_id_seq"]
    assert identity.owned_by == ("customers", "id") and identity.attrs["identity"]
    assert identity.data_type == "bigint" and identity.last_value == 200

    (status,) = catalog.enums
    assert status.qualified_name == "public.order_status"
    assert status.values == ("pending", "paid", "shipped", "cancelled")

    views = {v.name: v for v in catalog.views}
    assert not views["paid_orders"].materialized and "status = 'paid'" in (
        views["paid_orders"].definition or ""
    )
    assert views["sales_by_tenant"].materialized


def test_hostile_identifiers(catalog: Catalog) -> None:
    hostile = _table(catalog, 'a"; drop table x; --')
    assert hostile.column_names == ("select", "Mixed Case")
    assert hostile.primary_key is not None and hostile.primary_key.columns == ("select",)
    user = _table(catalog, "user")
    (fk,) = user.foreign_keys
    assert fk.ref_table == "order" and fk.columns == ("order",) and fk.ref_columns == ("user",)
    assert {i.name for i in user.indexes} == {"user_pkey", 'idx "quoted" name'}
    cafe = _table(catalog, "café ☕")
    assert cafe.column_names == ("naïve", "名前")
    assert cafe.location is not None and cafe.location.object == "public.café ☕"


def test_probes_on_hostile_identifiers(shop_url: str) -> None:
    with connect(shop_url) as session:
        catalog = session.introspect()
        probe = session.probe
        hostile = _table(catalog, 'a"; drop table x; --')
        assert sorted(probe.sample_values(hostile, "select")) == ["1", "2"]
        assert probe.sample_values(hostile, "Mixed Case") == ["x"]
        assert probe.sample_values(_table(catalog, "café ☕"), "名前") == ["ひらがな"]
        assert len(probe.sample_values(_table(catalog, "orders"), "status", limit=7)) == 7

        order, select, user = (_table(catalog, n) for n in ("order", "select", "user"))
        assert probe.count_orphans(select, ("order",), order, ("user",)) == (4, 2)
        assert probe.count_orphans(select, ("order",), order, ("user",), limit=2) == (2, 0)
        assert probe.count_orphans(user, ("order",), order, ("user",)) == (2, 0)
        lines, orders = _table(catalog, "order_lines"), _table(catalog, "orders")
        keys = ("tenant_id", "order_no")
        assert probe.count_orphans(lines, keys, orders, keys, limit=100) == (100, 0)


def test_round_trips_do_not_grow_with_table_count(pg_url: str) -> None:
    def round_trips(tables: int) -> int:
        pg_execute(
            pg_url,
            "".join(
                f"CREATE TABLE IF NOT EXISTS t{i} (id int PRIMARY KEY, ref int REFERENCES t0 (id), v text);"
                f"CREATE INDEX IF NOT EXISTS t{i}_v ON t{i} (v);"
                for i in range(tables)
            ),
        )
        with connect(pg_url) as session:
            catalog = session.introspect()
            assert len(catalog.tables) == tables
            assert sum(len(t.indexes) for t in catalog.tables) == 2 * tables
            return session.round_trips

    assert round_trips(5) == round_trips(50)


def test_statement_timeout_applies(shop_url: str) -> None:
    options = SessionOptions(statement_timeout_ms=200)
    with connect(shop_url, options) as session:
        assert isinstance(session, PostgresSession)
        row = session.fetch("settings", "SELECT current_setting('statement_timeout') AS t")[0]
        assert row["t"] == "200ms"
        with pytest.raises(DbexpertError, match="canceling statement due to statement timeout"):
            session.fetch("sleep", "SELECT pg_sleep(2)")
        # The session survives a cancelled statement.
        assert session.fetch("ping", "SELECT 1 AS one") == [{"one": 1}]
