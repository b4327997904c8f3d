from dbexpert.model import Engine, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.json_instead_of_jsonb import RULE
from tests.factories import catalog, col


def test_json_fires_jsonb_is_clean() -> None:
    table = Table("hooks", columns=(col("pay load", "json"), col("meta", "jsonb"), col("note", "text")))
    [finding] = run_rules(catalog(table), [RULE])
    assert finding.location.object == "hooks.pay load"
    assert finding.fix.sql == 'ALTER TABLE hooks ALTER COLUMN "pay load" TYPE jsonb USING "pay load"::jsonb;'


def test_postgres_only() -> None:
    assert RULE.engines == {Engine.POSTGRES}
    table = Table("t", columns=(col("doc", "json", Engine.MYSQL),))
    assert run_rules(catalog(table, engine=Engine.MYSQL), [RULE]) == []
