from dbexpert.model import Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.money_type import RULE
from tests.factories import catalog, col


def test_money_fires_with_configurable_numeric() -> None:
    table = Table("payments", columns=(col("amount", "money"), col("fee", "numeric(10,2)")))
    cat = catalog(table, settings={"lc_monetary": "en_US.UTF-8"})
    [finding] = run_rules(cat, [RULE])
    assert (
        finding.fix.sql
        == "ALTER TABLE payments ALTER COLUMN amount TYPE numeric(19, 4) USING amount::numeric;"
    )
    assert finding.evidence["lc_monetary"] == "en_US.UTF-8"
    [custom] = run_rules(cat, [RULE], {"money-type": {"precision": 12, "scale": 2}})
    assert "numeric(12, 2)" in custom.fix.sql


def test_no_money_is_clean() -> None:
    assert run_rules(catalog(Table("t", columns=(col("amount", "numeric(19,4)"),))), [RULE]) == []
