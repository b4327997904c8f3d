"""The online DDL fact table: version boundaries and flavor detection."""

from dbexpert.model import Version
from dbexpert.rules.migration._mysql_online_ddl import (
    MARIADB,
    MYSQL,
    Algorithm,
    Op,
    behaviour,
    effective,
    instant_from,
    is_mariadb,
)


def test_every_operation_has_facts_for_both_flavors():
    assert set(MYSQL) == set(Op) == set(MARIADB)


def test_flavor_comes_from_the_version():
    assert not is_mariadb(Version(8, 0)) and not is_mariadb(Version(5, 7)) and not is_mariadb(Version(9, 1))
    assert is_mariadb(Version(10, 11)) and is_mariadb(Version(11, 4))
    assert not is_mariadb(None)


def test_a_version_without_patch_means_the_newest_release_of_that_series():
    assert effective(Version(8, 0)) >= Version(8, 0, 29)
    assert effective(Version(8, 0, 20)) == Version(8, 0, 20)
    assert effective(None) >= Version(8, 0, 29)


def test_mysql_instant_boundaries():
    assert behaviour(Op.ADD_COLUMN_LAST, Version(8, 0, 11), False).algorithm is Algorithm.INPLACE
    assert behaviour(Op.ADD_COLUMN_LAST, Version(8, 0, 12), False).algorithm is Algorithm.INSTANT
    assert behaviour(Op.ADD_COLUMN_MIDDLE, Version(8, 0, 28), False).rebuilds
    assert behaviour(Op.ADD_COLUMN_MIDDLE, Version(8, 0, 29), False).algorithm is Algorithm.INSTANT
    assert behaviour(Op.DROP_COLUMN, Version(8, 0, 29), False).algorithm is Algorithm.INSTANT
    assert behaviour(Op.RENAME_COLUMN, Version(8, 0, 28), False).algorithm is Algorithm.INSTANT
    assert instant_from(Op.DROP_COLUMN, False) == Version(8, 0, 29)
    assert instant_from(Op.CHANGE_COLUMN_TYPE, False) is None


def test_mariadb_instant_boundaries():
    assert behaviour(Op.ADD_COLUMN_LAST, Version(10, 2), True).rebuilds
    assert behaviour(Op.ADD_COLUMN_LAST, Version(10, 3), True).algorithm is Algorithm.INSTANT
    assert behaviour(Op.DROP_COLUMN, Version(10, 3), True).rebuilds
    assert behaviour(Op.DROP_COLUMN, Version(10, 4), True).algorithm is Algorithm.INSTANT
    assert behaviour(Op.REORDER_COLUMN, Version(10, 4), True).algorithm is Algorithm.INSTANT
    assert behaviour(Op.REORDER_COLUMN, Version(9, 0), False).rebuilds  # MySQL never reorders instantly


def test_copies_and_writes_blocked():
    for op in (Op.CHANGE_COLUMN_TYPE, Op.CONVERT_CHARSET, Op.DROP_PRIMARY_KEY, Op.ADD_FOREIGN_KEY):
        for mariadb, version in ((False, Version(8, 4)), (True, Version(10, 11))):
            fact = behaviour(op, version, mariadb)
            assert fact.algorithm is Algorithm.COPY and not fact.concurrent_dml
    assert not behaviour(Op.ADD_FULLTEXT_INDEX, Version(8, 0, 40), False).concurrent_dml
    fact = behaviour(Op.ADD_INDEX, Version(8, 0, 40), False)
    assert fact.algorithm is Algorithm.INPLACE and fact.concurrent_dml and not fact.rebuilds
