from dbexpert.model import Category, Engine, Severity, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.float_for_money import RULE
from tests.factories import catalog, col


def test_money_names_on_floats_fire() -> None:
    table = Table(
        "line_items",
        columns=(
            col("unit_price", "double precision", nullable=False),
            col("unitPrice", "real"),
            col("TotalAmount", "float8"),
            col("price", "numeric(19,4)"),  # exact: clean
        ),
    )
    fired = run_rules(catalog(table), [RULE])
    assert [f.location.object for f in fired] == [
        "line_items.unit_price",
        "line_items.unitPrice",
        "line_items.TotalAmount",
    ]
    assert fired[0].category is Category.CORRECTNESS and fired[0].severity is Severity.ERROR
    assert fired[1].fix.sql == (
        'ALTER TABLE line_items ALTER COLUMN "unitPrice" TYPE numeric(19, 4) USING round("unitPrice"::numeric, 4);'
    )
    assert fired[2].evidence["money_words"] == ["amount", "total"]


def test_non_money_names_and_rates_are_clean() -> None:
    table = Table(
        "t",
        columns=(
            col("totally", "float8"),
            col("tax_rate", "float8"),
            col("discount_percent", "real"),
            col("total_weight", "real"),
            col("latitude", "float8"),
        ),
    )
    assert run_rules(catalog(table), [RULE]) == []


def test_mysql_and_sqlite_fixes() -> None:
    my = Table("orders", columns=(col("total", "DOUBLE", Engine.MYSQL, nullable=False),))
    [finding] = run_rules(catalog(my, engine=Engine.MYSQL), [RULE], {"float-for-money": {"scale": 2}})
    assert finding.fix.sql == "ALTER TABLE orders MODIFY total DECIMAL(19, 2) NOT NULL;"
    lite = Table("orders", columns=(col("fee", "REAL", Engine.SQLITE),))
    [finding] = run_rules(catalog(lite, engine=Engine.SQLITE), [RULE])
    assert finding.fix.sql.splitlines()[:2] == [
        "ALTER TABLE orders ADD COLUMN fee_cents INTEGER;",
        "UPDATE orders SET fee_cents = CAST(round(fee * 100) AS INTEGER);",
    ]
