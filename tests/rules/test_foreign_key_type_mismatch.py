import sqlite3

from dbexpert.model import Applicability, Engine, ForeignKey, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.foreign_key_type_mismatch import RULE
from tests.factories import catalog, col


def _pair(
    parent_type, child_type, engine=Engine.POSTGRES, parent_attrs=None, child_attrs=None, nullable=True
):
    parent = Table(
        name="accounts",
        columns=(col("id", parent_type, engine, attrs=parent_attrs or {}),),
        primary_key=PrimaryKey(("id",)),
    )
    child = Table(
        name="invoices",
        columns=(col("account_id", child_type, engine, attrs=child_attrs or {}, nullable=nullable),),
        foreign_keys=(ForeignKey(columns=("account_id",), ref_table="accounts", ref_columns=("id",)),),
    )
    return run_rules(catalog(parent, child, engine=engine), [RULE])


def test_integer_referencing_bigint_fires():
    [finding] = _pair("bigint", "integer")
    assert finding.fix.sql == "ALTER TABLE invoices ALTER COLUMN account_id TYPE bigint;"
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.evidence["differs_in"] == ["kind"]


def test_serial_parent_gives_plain_integer_type():
    [finding] = _pair("bigserial", "integer")
    assert finding.fix.sql.endswith("TYPE bigint;")


def test_varchar_vs_uuid_and_lengths_and_precision():
    assert _pair("uuid", "varchar(36)")[0].evidence["differs_in"] == ["kind", "length"]
    assert _pair("varchar(64)", "varchar(20)")[0].evidence["differs_in"] == ["length"]
    assert _pair("numeric(12,0)", "numeric(10,0)")[0].evidence["differs_in"] == ["precision"]


def test_same_types_are_clean_whatever_the_spelling():
    assert _pair("bigint", "int8") == []
    assert _pair("serial", "integer") == []
    assert _pair("character varying(40)", "varchar(40)") == []


def test_mysql_unsigned_mismatch_keeps_not_null():
    [finding] = _pair("bigint", "bigint", Engine.MYSQL, parent_attrs={"unsigned": True}, nullable=False)
    assert finding.evidence["differs_in"] == ["unsigned"]
    assert finding.fix.sql == "ALTER TABLE invoices MODIFY COLUMN account_id bigint unsigned NOT NULL;"
    assert _pair("bigint unsigned", "bigint unsigned", Engine.MYSQL) == []


def test_sqlite_text_referencing_integer():
    [finding] = _pair("INTEGER", "TEXT", Engine.SQLITE)
    sqlite3.connect(":memory:").executescript(finding.fix.sql)
    assert "rebuild" in finding.fix.sql


def test_unknown_parent_is_skipped():
    child = Table(
        name="invoices",
        columns=(col("account_id"),),
        foreign_keys=(ForeignKey(columns=("account_id",), ref_table="missing", ref_columns=("id",)),),
    )
    assert run_rules(catalog(child), [RULE]) == []
