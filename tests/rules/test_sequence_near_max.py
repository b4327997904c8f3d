from dbexpert.model import Engine, PrimaryKey, Sequence, Severity, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.sequence_near_max import RULE
from tests.factories import catalog, col

INT_MAX = 2**31 - 1


def events(raw: str = "integer", default: str | None = "nextval('events_id_seq'::regclass)") -> Table:
    return Table(
        "events", "public", columns=(col("id", raw, default=default),), primary_key=PrimaryKey(("id",))
    )


def seq(last: int | None, **kw) -> Sequence:
    kw.setdefault("max_value", 2**63 - 1)
    return Sequence("events_id_seq", "public", last_value=last, **kw)


def test_bigint_sequence_feeding_an_int_column_is_bounded_by_the_column() -> None:
    [finding] = run_rules(catalog(events(), sequences=(seq(1_700_000_000),), live=True), [RULE])
    assert finding.severity is Severity.ERROR  # 79 % of int4
    assert finding.evidence["max_value"] == INT_MAX
    assert finding.evidence["remaining_values"] == INT_MAX - 1_700_000_000
    assert finding.evidence["percent_used"] == 79.16
    assert finding.location.object == "public.events.id"
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE events ALTER COLUMN id TYPE bigint;",
        "ALTER SEQUENCE events_id_seq AS bigint;",
    ]


def test_thresholds_and_options() -> None:
    cat = catalog(events(), sequences=(seq(1_200_000_000),), live=True)
    [finding] = run_rules(cat, [RULE])
    assert finding.severity is Severity.WARNING
    assert run_rules(cat, [RULE], {"sequence-near-max": {"warning_fraction": 0.6}}) == []
    assert run_rules(catalog(events(), sequences=(seq(1_000_000_000),), live=True), [RULE]) == []


def test_unused_descending_and_static_sequences_are_skipped() -> None:
    assert run_rules(catalog(events(), sequences=(seq(None),), live=True), [RULE]) == []
    down = seq(2_000_000_000, increment=-1)
    assert run_rules(catalog(events(), sequences=(down,), live=True), [RULE]) == []
    assert run_rules(catalog(events(), sequences=(seq(2_000_000_000),)), [RULE]) == []  # needs_live


def test_owned_by_links_the_column_and_a_standalone_sequence_uses_its_own_max() -> None:
    owned = seq(30_000, max_value=None, owned_by=("events", "id"))
    [finding] = run_rules(catalog(events("smallint", default=None), sequences=(owned,), live=True), [RULE])
    assert finding.evidence["max_value"] == 32767
    lone = Sequence("invoice_numbers", "public", last_value=900, max_value=1000)
    [finding] = run_rules(catalog(sequences=(lone,), live=True), [RULE])
    assert finding.severity is Severity.ERROR
    assert finding.fix.sql == "ALTER SEQUENCE invoice_numbers AS bigint NO MAXVALUE;"
    assert finding.evidence["remaining_values"] == 100


def test_mysql_auto_increment_counter_honours_unsigned() -> None:
    def table(raw: str, counter: int) -> Table:
        column = col("id", raw, Engine.MYSQL, autoincrement=True, attrs={"unsigned": "unsigned" in raw})
        return Table("t`x", columns=(column,), attrs={"auto_increment": counter})

    assert (
        run_rules(catalog(table("int unsigned", 2_000_000_001), engine=Engine.MYSQL, live=True), [RULE]) == []
    )
    [finding] = run_rules(catalog(table("int", 2_000_000_001), engine=Engine.MYSQL, live=True), [RULE])
    assert finding.evidence["last_value"] == 2_000_000_000
    assert finding.fix.sql == "ALTER TABLE `t``x` MODIFY id BIGINT NOT NULL AUTO_INCREMENT;"
    [tiny] = run_rules(catalog(table("tinyint unsigned", 200), engine=Engine.MYSQL, live=True), [RULE])
    assert tiny.evidence["max_value"] == 255
    assert "BIGINT UNSIGNED" in tiny.fix.sql
