"""Pure mapping tests: captured information_schema rows -> the model, no server needed."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from dbexpert.engines.mysql.introspect import (
    CatalogRows,
    build_catalog,
    column_default,
    flavor_of,
    map_column,
    map_foreign_keys,
    map_indexes,
    map_table,
)
from dbexpert.model import Engine, StatsSource, TypeKind, Version
from tests.engines.mysql import captured_rows as cap


def _catalog(**overrides):
    fields = dict(
        database="dbx_probe_cap",
        version=cap.VERSION,
        settings=cap.SETTINGS,
        tables=cap.TABLES,
        columns=cap.COLUMNS,
        statistics=cap.STATISTICS,
        constraints=cap.CONSTRAINTS,
        foreign_keys=cap.FOREIGN_KEYS,
        views=cap.VIEWS,
        index_usage_note="performance_schema is OFF: index scan counts are unknown",
        collected_at=datetime(2024, 1, 2, tzinfo=UTC),
    )
    fields.update(overrides)
    return build_catalog(CatalogRows(**fields))


def test_catalog_header_from_mariadb_rows():
    catalog = _catalog()
    assert catalog.engine is Engine.MYSQL
    assert catalog.flavor == "mariadb"
    assert catalog.version == Version(10, 11, 19)
    assert catalog.source is StatsSource.LIVE
    assert catalog.database == catalog.default_schema == "dbx_probe_cap"
    assert catalog.settings["innodb_buffer_pool_size"] == "134217728"
    assert catalog.settings["version_comment"] == "Debian 12"
    assert "OFF" in catalog.attrs["index_usage"]
    assert sorted(t.name for t in catalog.tables) == ["customers", "legacy_log", "order_lines", "orders"]
    assert [v.name for v in catalog.views] == ["active_customers"]
    assert "`is_active` = 1" in (catalog.views[0].definition or "")


def test_column_types_normalize_from_column_type():
    customers = _catalog().table("customers")
    assert customers is not None
    kinds = {c.name: c.kind for c in customers.columns}
    assert kinds == {
        "id": TypeKind.INTEGER,
        "email": TypeKind.VARCHAR,
        "name": TypeKind.VARCHAR,
        "is_active": TypeKind.BOOLEAN,
        "status": TypeKind.ENUM,
        "external_id": TypeKind.CHAR,
        "profile": TypeKind.JSON,
        "created_at": TypeKind.TIMESTAMP,
        "updated_at": TypeKind.TIMESTAMPTZ,
        "email_domain": TypeKind.VARCHAR,
        "balance": TypeKind.NUMERIC,
    }
    assert customers.column_names[:3] == ("id", "email", "name")
    status = customers.column("status")
    assert status.enum_values == ("new", "active", "it's")
    assert status.default == "'new'"
    assert customers.column("external_id").length == 36
    assert customers.column("profile").raw_type == "longtext"
    assert customers.column("profile").attrs["json_check"] is True
    balance = customers.column("balance")
    assert (balance.precision, balance.scale, balance.default) == (12, 2, "0.00")


def test_column_flags_and_attrs():
    customers = _catalog().table("customers")
    ident = customers.column("id")
    assert ident.autoincrement and not ident.nullable
    assert ident.attrs["unsigned"] is True
    assert "unsigned" not in customers.column("balance").attrs
    assert customers.column("external_id").nullable
    assert customers.column("created_at").default == "current_timestamp()"
    assert customers.column("updated_at").attrs["on_update"] == "current_timestamp()"
    generated = customers.column("email_domain")
    assert generated.generated == "substring_index(`email`,'@',-1)"
    assert generated.attrs["generated_storage"] == "stored"
    assert generated.default is None
    assert customers.column("external_id").default is None


def test_keys_indexes_and_constraints():
    customers = _catalog().table("customers")
    assert customers.primary_key.columns == ("id",)
    assert customers.primary_key.name == "PRIMARY"
    by_name = {i.name: i for i in customers.indexes}
    assert customers.indexes[0].name == "PRIMARY"
    assert by_name["PRIMARY"].primary and by_name["PRIMARY"].constraint == "PRIMARY"
    unique = by_name["uq_customers_email"]
    assert unique.unique and unique.constraint == "uq_customers_email"
    assert [(u.name, u.columns) for u in customers.uniques] == [("uq_customers_email", ("email",))]
    prefix = by_name["ix_customers_name"]
    assert prefix.keys[0].prefix_length == 10 and not prefix.unique and prefix.constraint is None
    composite = by_name["ix_customers_domain_created"]
    assert composite.columns == ("email_domain", "created_at")
    assert [k.descending for k in composite.keys] == [False, True]
    assert composite.method == "btree"
    assert composite.stats.scans is None
    assert composite.attrs["cardinality"] == 0
    assert {c.name for c in customers.checks} == {"balance", "profile"}
    assert customers.column("id").stats.distinct == 0.0  # from the single-column PRIMARY index
    assert customers.column("name").stats is None  # a prefix index says nothing about the whole column


def test_composite_foreign_key_and_actions():
    catalog = _catalog()
    lines = catalog.table("order_lines")
    (fk,) = lines.foreign_keys
    assert fk.name == "fk_lines_order"
    assert fk.columns == ("customer_id", "order_no")
    assert fk.ref_columns == ("customer_id", "order_no")
    assert (fk.ref_table, fk.ref_schema) == ("orders", "dbx_probe_cap")
    assert (fk.on_delete, fk.on_update) == ("RESTRICT", "CASCADE")
    assert catalog.referenced_table(fk, lines).name == "orders"
    assert lines.primary_key.columns == ("customer_id", "order_no", "line_no")
    assert [(c.name, c.expression) for c in lines.checks] == [("qty_positive", "`qty` > 0")]
    (orders_fk,) = catalog.table("orders").foreign_keys
    assert orders_fk.on_delete == "CASCADE"


def test_table_options_stats_and_myisam():
    catalog = _catalog()
    customers = catalog.table("customers")
    assert customers.engine_options["engine"] == "InnoDB"
    assert customers.comment == "people who buy"
    assert customers.attrs["auto_increment"] == 1
    assert customers.stats.row_estimate == 0
    assert customers.stats.total_bytes == customers.stats.table_bytes + customers.attrs["index_bytes"]
    legacy = catalog.table("legacy_log")
    assert legacy.engine_options["engine"] == "MyISAM"
    assert legacy.primary_key is None and legacy.comment is None
    assert "auto_increment" not in legacy.attrs
    assert legacy.indexes[0].method == "fulltext"


def test_foreign_key_parts_follow_ordinal_position_whatever_the_row_order():
    rows = [r for r in cap.FOREIGN_KEYS if r["constraint_name"] == "fk_lines_order"]
    shuffled = list(reversed(rows))
    random.Random(1).shuffle(shuffled)
    assert map_foreign_keys(shuffled) == map_foreign_keys(rows)
    assert map_foreign_keys(list(reversed(rows)))[0].columns == ("customer_id", "order_no")


# MySQL 8 rows, written in the shape its information_schema returns (labels aliased by queries.py;
# some values arrive as bytes because of binary collations).
def _mysql8_stat(index, seq, column, expression=None, visible="YES", non_unique=1, cardinality=40):
    return {
        "table_name": "events",
        "index_name": index,
        "non_unique": non_unique,
        "seq_in_index": seq,
        "column_name": column,
        "collation": "A",
        "cardinality": cardinality,
        "sub_part": None,
        "index_type": "BTREE",
        "index_comment": "",
        "expression": expression,
        "is_visible": visible,
    }


def test_mysql8_functional_key_parts_invisible_indexes_and_usage():
    stats = [
        _mysql8_stat("PRIMARY", 1, "id", non_unique=0, cardinality=1000),
        _mysql8_stat("ix_lower_email", 1, None, expression=b"lower(`email`)"),
        _mysql8_stat("ix_kind", 1, "kind", visible="NO", cardinality=7),
    ]
    usage = {("events", "PRIMARY"): 12, ("events", "ix_kind"): 0}
    indexes = {i.name: i for i in map_indexes("events", stats, usage=usage)}
    functional = indexes["ix_lower_email"]
    assert functional.keys[0].column is None
    assert functional.expressions == ("lower(`email`)",)
    assert functional.columns == ("(lower(`email`))",)
    assert functional.stats.scans is None  # never opened since the server started
    assert indexes["ix_kind"].attrs["visible"] is False
    assert indexes["ix_kind"].stats.scans == 0
    assert indexes["PRIMARY"].stats.scans == 12
    assert "visible" not in indexes["PRIMARY"].attrs


def test_mysql8_defaults_and_checks():
    assert column_default("abc", "", TypeKind.VARCHAR, "mysql") == "'abc'"
    assert column_default("it's", "", TypeKind.TEXT, "mysql") == "'it''s'"
    assert column_default("0", "", TypeKind.INTEGER, "mysql") == "0"
    assert column_default("CURRENT_TIMESTAMP", "DEFAULT_GENERATED", TypeKind.TIMESTAMP, "mysql") == (
        "CURRENT_TIMESTAMP"
    )
    assert column_default(None, "", TypeKind.VARCHAR, "mysql") is None
    assert column_default("NULL", "", TypeKind.VARCHAR, "mariadb") is None
    assert column_default("'NULL'", "", TypeKind.VARCHAR, "mariadb") == "'NULL'"
    column = map_column(
        {
            "column_name": "doc",
            "column_type": b"json",
            "is_nullable": "NO",
            "column_default": None,
            "extra": "",
            "generation_expression": "",
            "column_comment": "",
        },
        "mysql",
    )
    assert (column.kind, column.nullable, column.generated, column.comment) == (
        TypeKind.JSON,
        False,
        None,
        None,
    )
    table = map_table(
        {"table_name": "events", "engine": "InnoDB", "create_options": "partitioned", "table_rows": 5},
        {
            "constraints": [
                {
                    "table_name": "events",
                    "constraint_name": "events_chk_1",
                    "constraint_type": "CHECK",
                    "check_clause": b"(`id` > 0)",
                    "check_level": None,
                    "enforced": "NO",
                }
            ]
        },
        "app",
        "mysql",
    )
    assert table.kind == "partitioned"
    assert [(c.expression, c.validated) for c in table.checks] == [("(`id` > 0)", False)]


def test_index_usage_rows_become_scans_and_flavor_detection():
    catalog = _catalog(
        index_usage=[
            {
                "table_name": "customers",
                "index_name": "uq_customers_email",
                "count_star": 42,
                "count_read": 42,
            },
            {"table_name": "customers", "index_name": None, "count_star": 9, "count_read": 9},
        ],
        index_usage_note="performance_schema.table_io_waits_summary_by_index_usage",
    )
    indexes = {i.name: i for i in catalog.table("customers").indexes}
    assert indexes["uq_customers_email"].stats.scans == 42
    assert indexes["ix_customers_name"].stats.scans is None
    assert flavor_of("8.0.36") == "mysql"
    assert flavor_of("10.11.6-MariaDB-log") == "mariadb"
