from dbexpert.model import Engine, ForeignKey, PrimaryKey, Sequence, Severity, Table, TableStats
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.integer_primary_key import RULE
from tests.factories import catalog, col


def orders() -> Table:
    key = col("id", "serial", nullable=False, autoincrement=True)
    return Table("orders", columns=(key,), primary_key=PrimaryKey(("id",)))


def line_items() -> Table:
    return Table(
        "line_items",
        columns=(col("id", "bigint"), col("order_id", "integer", nullable=False)),
        foreign_keys=(ForeignKey(("order_id",), "orders", ("id",), name="line_items_order_fk"),),
    )


def test_static_serial_key_is_info_with_referencing_columns_and_sequence_widening() -> None:
    [finding] = run_rules(catalog(orders(), line_items()), [RULE])
    assert finding.severity is Severity.INFO
    assert finding.evidence["referencing_columns"] == ["line_items.order_id"]
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE orders ALTER COLUMN id TYPE bigint;",
        "ALTER SEQUENCE orders_id_seq AS bigint;",
        "ALTER TABLE line_items ALTER COLUMN order_id TYPE bigint;",
    ]


def test_identity_key_needs_no_sequence_change() -> None:
    table = Table(
        "t",
        columns=(col("id", "integer", identity="always", nullable=False),),
        primary_key=PrimaryKey(("id",)),
    )
    [finding] = run_rules(catalog(table), [RULE])
    assert finding.fix.sql == "ALTER TABLE t ALTER COLUMN id TYPE bigint;"


def test_clean_cases() -> None:
    bigint = Table(
        "a", columns=(col("id", "bigserial", autoincrement=True),), primary_key=PrimaryKey(("id",))
    )
    natural = Table("b", columns=(col("code", "integer"),), primary_key=PrimaryKey(("code",)))
    composite = Table(
        "c",
        columns=(col("a", "serial", autoincrement=True), col("b", "integer")),
        primary_key=PrimaryKey(("a", "b")),
    )
    assert run_rules(catalog(bigint, natural, composite), [RULE]) == []


def test_sqlite_is_exempt() -> None:
    table = Table(
        "t",
        columns=(col("id", "INTEGER", Engine.SQLITE, autoincrement=True),),
        primary_key=PrimaryKey(("id",)),
    )
    assert run_rules(catalog(table, engine=Engine.SQLITE), [RULE]) == []


def test_live_large_table_is_a_warning_and_a_used_sequence_an_error() -> None:
    big = Table(
        "orders",
        columns=(col("id", "serial", autoincrement=True, nullable=False),),
        primary_key=PrimaryKey(("id",)),
        stats=TableStats(row_estimate=20_000_000),
    )
    [warning] = run_rules(catalog(big, live=True), [RULE])
    assert warning.severity is Severity.WARNING
    assert warning.evidence["row_estimate"] == 20_000_000
    seq = Sequence("orders_id_seq", "public", last_value=1_500_000_000, owned_by=("orders", "id"))
    [error] = run_rules(catalog(big, live=True, sequences=(seq,)), [RULE])
    assert error.severity is Severity.ERROR
    assert error.evidence["percent_used"] == 69.85
    [info] = run_rules(catalog(big, live=True), [RULE], {"integer-primary-key": {"large_table_rows": 10**9}})
    assert info.severity is Severity.INFO


def test_mysql_drops_and_readds_foreign_keys_around_the_change() -> None:
    key = col(
        "id", "int unsigned", Engine.MYSQL, nullable=False, autoincrement=True, attrs={"unsigned": True}
    )
    parent = Table(
        "orders", columns=(key,), primary_key=PrimaryKey(("id",)), attrs={"auto_increment": 4_000_000_001}
    )
    child = Table(
        "line_items",
        columns=(col("order_id", "int unsigned", Engine.MYSQL, nullable=False, attrs={"unsigned": True}),),
        foreign_keys=(ForeignKey(("order_id",), "orders", ("id",), name="fk`x", on_delete="CASCADE"),),
    )
    [finding] = run_rules(catalog(parent, child, engine=Engine.MYSQL, live=True), [RULE])
    assert finding.severity is Severity.ERROR  # 4e9 of 4,294,967,295
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE line_items DROP FOREIGN KEY `fk``x`;",
        "ALTER TABLE orders MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT;",
        "ALTER TABLE line_items MODIFY order_id BIGINT UNSIGNED NOT NULL;",
        "ALTER TABLE line_items ADD CONSTRAINT `fk``x` FOREIGN KEY (order_id) REFERENCES orders (id) "
        "ON DELETE CASCADE ON UPDATE NO ACTION;",
    ]


def test_hostile_names_are_quoted() -> None:
    table = Table(
        'we"ird',
        schema="sales",
        columns=(col("I d", "serial", autoincrement=True),),
        primary_key=PrimaryKey(("I d",)),
    )
    [finding] = run_rules(catalog(table), [RULE])
    assert finding.fix.sql.splitlines() == [
        'ALTER TABLE sales."we""ird" ALTER COLUMN "I d" TYPE bigint;',
        'ALTER SEQUENCE sales."we""ird_I d_seq" AS bigint;',
    ]
