"""Which EXPLAIN a MySQL or MariaDB server gets, as a pure function of its flavor and version.

MySQL 8 has no server here: the version rules are written from the MySQL 8.0 reference manual
(EXPLAIN ANALYZE appeared in 8.0.18 and prints TREE text); MariaDB's ANALYZE FORMAT=JSON is also
exercised live in tests/integration/mysql/test_explain.py.
"""

from __future__ import annotations

import pytest

from dbexpert.engines.mysql.explain import _offset, explain_command
from dbexpert.model import InputError, Version


@pytest.mark.parametrize(
    ("flavor", "version", "analyze", "prefix", "fmt"),
    [
        ("mysql", Version(8, 0, 36), False, "EXPLAIN FORMAT=JSON ", "json"),
        ("mysql", Version(5, 7, 44), False, "EXPLAIN FORMAT=JSON ", "json"),
        ("mysql", Version(8, 0, 18), True, "EXPLAIN ANALYZE ", "tree"),
        ("mysql", Version(8, 4, 0), True, "EXPLAIN ANALYZE ", "tree"),
        ("mariadb", Version(10, 11, 6), False, "EXPLAIN FORMAT=JSON ", "json"),
        ("mariadb", Version(10, 11, 6), True, "ANALYZE FORMAT=JSON ", "json"),
    ],
)
def test_explain_command(flavor: str, version: Version, analyze: bool, prefix: str, fmt: str):
    command = explain_command(flavor, version, analyze)
    assert (command.prefix, command.format) == (prefix, fmt)


def test_mysql_before_8_0_18_has_no_explain_analyze():
    with pytest.raises(InputError, match=r"8\.0\.18 or later; the server runs 8\.0\.17"):
        explain_command("mysql", Version(8, 0, 17), True)


def test_syntax_error_position_from_the_near_text():
    text = "SELECT *\nFROM t\nWHER a = 1"
    message = "You have an error in your SQL syntax; ... near 'WHER a = 1' at line 3"
    assert _offset(text, message) == text.index("WHER")
    assert _offset(text, "Unknown column 'x' in 'field list'") == 0
