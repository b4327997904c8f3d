from dbexpert.model import Engine, EnumType, Severity, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.enum_instead_of_lookup_table import RULE
from tests.factories import catalog, col

STATUSES = ("new", "paid", "packed", "shipped", "delivered", "returned", "refunded", "cancelled", "it's lost")


def test_long_postgres_enum_fires_with_conversion_script() -> None:
    orders = Table(
        "orders", columns=(col("status", "order_status", nullable=False, default="'new'::order_status"),)
    )
    [finding] = run_rules(catalog(orders, enums=(EnumType("order_status", STATUSES, "public"),)), [RULE])
    assert finding.severity is Severity.INFO
    assert finding.evidence["values"] == 9 and finding.evidence["columns"] == ["orders.status"]
    lines = finding.fix.sql.splitlines()
    assert lines[0] == "CREATE TABLE order_status_values (name text PRIMARY KEY);"
    assert lines[1].endswith("('cancelled'), ('it''s lost');")
    assert lines[2] == (
        'ALTER TABLE orders ALTER COLUMN "status" DROP DEFAULT, ALTER COLUMN "status" TYPE text USING "status"::text, '
        """ALTER COLUMN "status" SET DEFAULT 'new', ADD FOREIGN KEY ("status") REFERENCES order_status_values (name);"""
    )
    assert lines[3] == "DROP TYPE order_status;"


def test_short_enums_are_clean_and_threshold_is_an_option() -> None:
    cat = catalog(enums=(EnumType("direction", ("asc", "desc")),))
    assert run_rules(cat, [RULE]) == []
    [finding] = run_rules(cat, [RULE], {"enum-instead-of-lookup-table": {"max_values": 1}})
    assert finding.evidence["columns"] == []


def test_mysql_enum_column() -> None:
    raw = "enum(" + ", ".join("'" + v.replace("'", "''") + "'" for v in STATUSES) + ")"
    table = Table("orders", columns=(col("status", raw, Engine.MYSQL, nullable=False),))
    [finding] = run_rules(catalog(table, engine=Engine.MYSQL), [RULE])
    assert finding.location.object == "orders.status"
    assert finding.fix.sql.splitlines()[-1] == (
        "ALTER TABLE orders MODIFY `status` VARCHAR(9) NOT NULL, "
        "ADD FOREIGN KEY (`status`) REFERENCES orders_status_values (name);"
    )
    short = Table("t", columns=(col("dir", "enum('asc','desc')", Engine.MYSQL),))
    assert run_rules(catalog(short, engine=Engine.MYSQL), [RULE]) == []
