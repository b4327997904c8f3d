from dbexpert.model import Engine, PrimaryKey, Table, Version
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.uuid_stored_as_text import RULE
from tests.factories import catalog, col

UUID = "0b9e3c1e-2f4d-4a8b-9c1d-5e6f7a8b9c0d"


class SampleProbe:
    """Stands in for an engine's LiveProbe (tested against real servers elsewhere): fixed samples."""

    def __init__(self, values: list[str]) -> None:
        self.values = values

    def sample_values(self, table: Table, column: str, limit: int = 1000) -> list[str]:
        return self.values[:limit]

    def count_orphans(self, child, columns, parent, ref_columns, limit=10000) -> tuple[int, int]:
        raise AssertionError("not used by this rule")


def devices(raw: str = "varchar(36)", name: str = "device_uuid", engine: Engine = Engine.POSTGRES) -> Table:
    return Table("devices", columns=(col(name, raw, engine, nullable=False),))


def test_uuid_names_on_text_types_fire() -> None:
    for raw, name in [("varchar(36)", "device_uuid"), ("char(32)", "deviceGuid"), ("text", "uuid")]:
        [finding] = run_rules(catalog(devices(raw, name)), [RULE])
        assert finding.evidence["named_like_uuid"] is True
    [finding] = run_rules(catalog(devices(name="Device UUID")), [RULE])
    assert (
        finding.fix.sql
        == 'ALTER TABLE devices ALTER COLUMN "Device UUID" TYPE uuid USING "Device UUID"::uuid;'
    )


def test_primary_key_with_uuid_default_fires_without_a_uuid_name() -> None:
    key = col("id", "text", default="gen_random_uuid()::text", nullable=False)
    table = Table("orders", columns=(key,), primary_key=PrimaryKey(("id",)))
    [finding] = run_rules(catalog(table), [RULE])
    assert finding.evidence["named_like_uuid"] is False


def test_clean_cases() -> None:
    table = Table(
        "t",
        columns=(
            col("device_uuid", "uuid"),
            col("request_uuid", "varchar(64)"),  # wider than a UUID: something else
            col("guidance", "text"),
            col("name", "text"),
        ),
    )
    assert run_rules(catalog(table), [RULE]) == []


def test_probe_confirms_or_clears() -> None:
    mostly = [UUID] * 96 + ["n/a"] * 4
    [finding] = run_rules(catalog(devices(), live=True), [RULE], probe=SampleProbe(mostly))
    assert finding.evidence["uuid_ratio"] == 0.96 and finding.evidence["sampled_values"] == 100
    mixed = [UUID] * 90 + ["legacy-42"] * 10
    assert run_rules(catalog(devices(), live=True), [RULE], probe=SampleProbe(mixed)) == []
    braced = ["{" + UUID.upper() + "}", UUID.replace("-", "")]
    assert len(run_rules(catalog(devices(), live=True), [RULE], probe=SampleProbe(braced))) == 1


def test_engine_specific_targets() -> None:
    my = catalog(devices("char(36)", engine=Engine.MYSQL), engine=Engine.MYSQL)
    [finding] = run_rules(my, [RULE])
    assert "UPDATE devices SET device_uuid_bin = UUID_TO_BIN(device_uuid);" in finding.fix.sql
    maria = catalog(
        devices("char(36)", engine=Engine.MYSQL),
        engine=Engine.MYSQL,
        flavor="mariadb",
        version=Version(10, 11),
    )
    [finding] = run_rules(maria, [RULE])
    assert finding.fix.sql == "ALTER TABLE devices MODIFY device_uuid UUID NOT NULL;"
    lite = catalog(devices("TEXT", engine=Engine.SQLITE), engine=Engine.SQLITE)
    [finding] = run_rules(lite, [RULE])
    assert finding.fix.sql.startswith("ALTER TABLE devices ADD COLUMN device_uuid_bin BLOB;")
