"""The named SQL: identifier quoting and version-dependent choices."""

from __future__ import annotations

from dbexpert.engines.mysql import queries
from dbexpert.model import Version


def test_quote_name_doubles_backticks():
    assert queries.quote_name("order") == "`order`"
    assert queries.quote_name("a`; drop table x; --") == "`a``; drop table x; --`"
    assert queries.qualified_name("db", "tëst") == "`db`.`tëst`"


def test_statistics_query_by_flavor_and_version():
    assert "EXPRESSION AS expression" in queries.statistics_query("mysql", Version(8, 0, 36))
    assert "NULL AS expression" in queries.statistics_query("mysql", Version(8, 0, 12))
    assert "IGNORED" in queries.statistics_query("mariadb", Version(10, 11))
    assert "IGNORED" not in queries.statistics_query("mariadb", Version(10, 5))


def test_constraints_query_by_flavor_and_version():
    assert "cc.TABLE_NAME = tc.TABLE_NAME" in queries.constraints_query("mariadb", Version(10, 11))
    assert "tc.ENFORCED" in queries.constraints_query("mysql", Version(8, 0, 16))
    assert "CHECK_CONSTRAINTS" not in queries.constraints_query("mysql", Version(8, 0, 15))


def test_probe_queries_are_bounded_and_quoted():
    sample = queries.sample_values_query("db", "a`b", "select")
    assert "FROM `db`.`a``b`" in sample and "`select` IS NOT NULL" in sample and sample.endswith("LIMIT %s")
    orphans = queries.count_orphans_query("db", "lines", ("c", "o"), "db", "orders", ("cid", "ono"))
    assert "p.`cid` = s.k0 AND p.`ono` = s.k1" in orphans
    assert "LIMIT %s) AS s" in orphans
    assert queries.SETTINGS.count("%s") == len(queries.SETTING_NAMES)
