from types import MappingProxyType

from dbexpert.model import Engine, PrimaryKey, Table, UniqueConstraint
from dbexpert.rules.context import run_rules
from dbexpert.rules.registry import registry
from tests.factories import catalog, col

RULE = registry().get("table-without-primary-key")


def _run(*tables, engine=Engine.POSTGRES):
    return run_rules(catalog(*tables, engine=engine), [RULE])


def test_fires_without_primary_key_and_suggests_identity():
    [finding] = _run(Table(name="log", schema="public", columns=(col("msg", "text"),)))
    assert "ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY" in finding.fix.sql
    assert finding.table == "public.log"


def test_clean_with_primary_key():
    assert not _run(Table(name="t", schema="public", columns=(col("id"),), primary_key=PrimaryKey(("id",))))


def test_promotes_a_unique_not_null_natural_key():
    table = Table(
        name="country",
        schema="public",
        columns=(col("code", "char(2)", nullable=False), col("name", "text")),
        uniques=(UniqueConstraint(("code",)),),
    )
    [finding] = _run(table)
    assert finding.fix.sql == "ALTER TABLE country ADD PRIMARY KEY (code);"


def test_hostile_names_are_quoted_per_engine():
    hostile = 'a"; drop table x; --'
    [pg] = _run(Table(name=hostile, schema="public", columns=(col("v"),)))
    assert pg.fix.sql.startswith('ALTER TABLE "a""; drop table x; --" ADD COLUMN')
    [my] = _run(Table(name="a`b", columns=(col("v", engine=Engine.MYSQL),)), engine=Engine.MYSQL)
    assert my.fix.sql.startswith("ALTER TABLE `a``b` ADD COLUMN id BIGINT UNSIGNED")


def test_views_and_sqlite_rebuild_advice():
    assert not _run(Table(name="v", schema="public", kind="view"))
    [finding] = _run(
        Table(name="t", schema="main", columns=(col("v", engine=Engine.SQLITE),)), engine=Engine.SQLITE
    )
    assert "recreate" in finding.fix.sql


def test_prisma_catalog_gets_the_fix_in_prisma_syntax():
    table = Table(
        name="logs",
        schema="public",
        columns=(col("msg", "text"),),
        attrs=MappingProxyType({"orm_model": "Log"}),
    )
    [finding] = run_rules(catalog(table, attrs=MappingProxyType({"orm": "prisma"})), [RULE])
    assert (
        "In Prisma: add a key field to model Log" in finding.fix.description
        and "@id" in finding.fix.description
    )
    assert "GENERATED ALWAYS AS IDENTITY" in finding.fix.sql
    natural = Table(
        name="t",
        columns=(col("a", nullable=False), col("b", nullable=False)),
        uniques=(UniqueConstraint(("a", "b")),),
    )
    [promote] = run_rules(catalog(natural, attrs=MappingProxyType({"orm": "prisma"})), [RULE])
    assert "@@id([a, b]) to model t" in promote.fix.description
