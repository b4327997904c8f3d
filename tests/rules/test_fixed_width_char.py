from dbexpert.model import Engine, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.fixed_width_char import RULE
from dbexpert.rules.schema.uuid_stored_as_text import RULE as UUID_AS_TEXT
from tests.factories import catalog, col


def test_wide_char_fires_per_engine() -> None:
    pg = Table("products", columns=(col("sku", "character(20)"),))
    [finding] = run_rules(catalog(pg), [RULE])
    assert finding.fix.sql == "ALTER TABLE products ALTER COLUMN sku TYPE text;"
    assert finding.evidence["length"] == 20

    my = Table("products", columns=(col("key", "CHAR(20)", Engine.MYSQL, nullable=False),))
    [finding] = run_rules(catalog(my, engine=Engine.MYSQL), [RULE])
    assert finding.fix.sql == "ALTER TABLE products MODIFY `key` VARCHAR(20) NOT NULL;"

    lite = Table("products", columns=(col("sku", "CHAR(20)", Engine.SQLITE),))
    [finding] = run_rules(catalog(lite, engine=Engine.SQLITE), [RULE])
    assert "ignores the declared length" in finding.message
    assert finding.fix.sql.startswith("--")


def test_short_codes_are_exempt_unless_configured() -> None:
    table = Table("countries", columns=(col("iso2", "char(2)"), col("iso3", "char(3)"), col("flag", "char")))
    assert run_rules(catalog(table), [RULE]) == []
    fired = run_rules(catalog(table), [RULE], {"fixed-width-char": {"max_code_length": 1}})
    assert [f.location.object for f in fired] == ["countries.iso2", "countries.iso3"]


def test_varchar_is_clean() -> None:
    assert run_rules(catalog(Table("t", columns=(col("sku", "varchar(20)"),))), [RULE]) == []


def test_uuid_in_char_is_left_to_uuid_stored_as_text() -> None:
    table = Table(
        "devices",
        columns=(
            col("device_uuid", "char(36)"),
            col("token", "char(32)", default="gen_random_uuid()"),
            col("checksum", "char(36)"),
        ),
    )
    fired = run_rules(catalog(table), [RULE, UUID_AS_TEXT])
    assert sorted((f.rule, f.location.object) for f in fired) == [
        ("fixed-width-char", "devices.checksum"),
        ("uuid-stored-as-text", "devices.device_uuid"),
        ("uuid-stored-as-text", "devices.token"),
    ]
