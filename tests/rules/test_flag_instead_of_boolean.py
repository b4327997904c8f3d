from dbexpert.model import CheckConstraint, Engine, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.flag_instead_of_boolean import RULE
from tests.factories import catalog, col


class SampleProbe:
    """Stands in for an engine's LiveProbe (tested against real servers elsewhere): fixed samples."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        return self.values[:limit]

    def count_orphans(self, child, columns, parent, ref_columns, limit=10000) -> tuple[int, int]:
        raise AssertionError("not used by this rule")


YN = CheckConstraint("(active = ANY (ARRAY['Y'::bpchar, 'N'::bpchar]))", name="accounts_active_flag")


def accounts(raw: str = "char(1)", name: str = "active", checks=(YN,), engine=Engine.POSTGRES, **kw) -> Table:
    return Table("accounts", columns=(col(name, raw, engine, nullable=False, **kw),), checks=checks)


def test_checked_char_flag_fires_with_one_alter() -> None:
    [finding] = run_rules(catalog(accounts(default="'Y'::bpchar")), [RULE])
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE accounts",
        "    DROP CONSTRAINT accounts_active_flag,",
        "    ALTER COLUMN active DROP DEFAULT,",
        "    ALTER COLUMN active TYPE boolean USING active IN ('Y'),",
        "    ALTER COLUMN active SET DEFAULT true;",
    ]


def test_named_flags_and_integer_flags_on_postgres() -> None:
    assert len(run_rules(catalog(accounts(name="is_active", checks=())), [RULE])) == 1
    assert len(run_rules(catalog(accounts("varchar(1)", name="deletedFlag", checks=())), [RULE])) == 1
    [ints] = run_rules(catalog(accounts("smallint", name="is_admin", checks=())), [RULE])
    assert "USING is_admin <> 0" in ints.fix.sql
    zero_one = CheckConstraint("active >= 0 AND active <= 1")
    assert len(run_rules(catalog(accounts("int2", checks=(zero_one,))), [RULE])) == 1


def test_clean_cases() -> None:
    assert run_rules(catalog(accounts("boolean", name="is_active", checks=())), [RULE]) == []
    assert run_rules(catalog(accounts("char(1)", name="grade", checks=())), [RULE]) == []
    three = CheckConstraint("active IN ('Y', 'N', 'X')")
    assert run_rules(catalog(accounts(checks=(three,))), [RULE]) == []
    other_column = CheckConstraint("other IN ('Y', 'N')")
    assert run_rules(catalog(accounts("text", checks=(other_column,))), [RULE]) == []
    assert (
        run_rules(catalog(accounts("text", name="is_active", checks=())), [RULE]) == []
    )  # not one character


def test_mysql_and_sqlite_only_character_forms() -> None:
    ints = accounts("int", name="is_active", checks=(), engine=Engine.MYSQL)
    assert run_rules(catalog(ints, engine=Engine.MYSQL), [RULE]) == []
    [my] = run_rules(catalog(accounts(engine=Engine.MYSQL), engine=Engine.MYSQL), [RULE])
    assert my.fix.sql.splitlines()[:2] == [
        "ALTER TABLE accounts ADD COLUMN active_bool BOOLEAN;",
        "UPDATE accounts SET active_bool = (active IN ('Y'));",
    ]
    lite = accounts(
        "TEXT", checks=(CheckConstraint("active IN ('yes', 'no')"),), engine=Engine.SQLITE, default="'no'"
    )
    [finding] = run_rules(catalog(lite, engine=Engine.SQLITE), [RULE])
    assert finding.fix.sql.splitlines()[0] == (
        "ALTER TABLE accounts ADD COLUMN active_bool INTEGER CHECK (active_bool IN (0, 1)) NOT NULL DEFAULT 0;"
    )


def test_probe_must_see_two_values() -> None:
    table = accounts(name="is_active", checks=())
    assert len(run_rules(catalog(table, live=True), [RULE], probe=SampleProbe(["Y", "N", "N"]))) == 1
    assert run_rules(catalog(table, live=True), [RULE], probe=SampleProbe(["Y", "N", "P"])) == []
