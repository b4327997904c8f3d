from dbexpert.model import Engine, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.random_uuid_clustered_key import RULE
from tests.factories import catalog, col

V4 = "0b9e3c1e-2f4d-4a8b-9c1d-5e6f7a8b9c0d"
V7 = "01937f2a-6b1c-7d2e-8f3a-4b5c6d7e8f90"


class SampleProbe:
    """Stands in for an engine's LiveProbe (tested against real servers elsewhere): fixed samples."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        return self.values[:limit]

    def count_orphans(self, child, columns, parent, ref_columns, limit=10000) -> tuple[int, int]:
        raise AssertionError("not used by this rule")


def orders(raw: str = "CHAR(36)", name: str = "id", default: str | None = None, **kw) -> Table:
    key = col(name, raw, Engine.MYSQL, nullable=False, default=default)
    return Table(
        "orders",
        columns=(key, col("placed_at", "DATETIME", Engine.MYSQL)),
        primary_key=PrimaryKey((name,)),
        **kw,
    )


def run(table: Table, probe=None, live: bool = False) -> list:
    return run_rules(catalog(table, engine=Engine.MYSQL, live=live), [RULE], probe=probe)


def test_uuid_keys_fire() -> None:
    [finding] = run(orders())
    assert finding.fix.sql.splitlines() == [
        "ALTER TABLE orders DROP PRIMARY KEY,",
        "    ADD COLUMN row_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST,",
        "    ADD UNIQUE KEY orders_id_unique (id);",
    ]
    assert len(run(orders("BINARY(16)", "order_uuid"))) == 1
    [by_default] = run(orders("VARCHAR(36)", "public_key", "uuid()"))
    assert by_default.evidence["default"] == "uuid()"
    [no_id] = run(orders("CHAR(36)", "uuid"))
    assert "ADD COLUMN id BIGINT" in no_id.fix.sql


def test_ordered_keys_other_engines_and_other_types_are_clean() -> None:
    assert run(orders("BINARY(16)", "id", "(uuid_to_bin(uuid(), 1))")) == []
    assert run(orders("UUID", "id", "uuid()")) == []  # MariaDB's UUID type orders version-1 values
    assert run(orders(engine_options={"ENGINE": "MyISAM"})) == []
    assert run(orders("BIGINT UNSIGNED")) == []
    assert run(orders("CHAR(36)", "sku")) == []
    assert not RULE.applies_to(Engine.POSTGRES, None)


def test_probe_clears_time_ordered_uuids() -> None:
    assert run(orders(), SampleProbe([V7] * 10), live=True) == []
    [finding] = run(orders(), SampleProbe([V4] * 9 + [V7]), live=True)
    assert finding.evidence["uuid_v7_ratio"] == 0.1
