from dbexpert.model import Applicability, Engine, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.varchar_instead_of_text import RULE
from tests.factories import catalog, col


def test_varchar_n_fires_with_length_check() -> None:
    table = Table("Customers", columns=(col("email", "character varying(255)"),))
    [finding] = run_rules(catalog(table), [RULE])
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.evidence["length"] == 255
    assert finding.fix.sql.splitlines() == [
        'ALTER TABLE "Customers" ALTER COLUMN email TYPE text;',
        "-- Only when the limit is a business rule:",
        'ALTER TABLE "Customers" ADD CONSTRAINT "Customers_email_length" CHECK (char_length(email) <= 255) NOT VALID;',
        'ALTER TABLE "Customers" VALIDATE CONSTRAINT "Customers_email_length";',
    ]


def test_text_and_unbounded_varchar_are_clean() -> None:
    table = Table("t", columns=(col("a", "text"), col("b", "varchar"), col("c", "char(3)")))
    assert run_rules(catalog(table), [RULE]) == []
    assert not RULE.applies_to(Engine.MYSQL, None)
