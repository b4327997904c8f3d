"""log_line_prefix compiled into a regex: every escape, padding, %q, and guessing the common ones.

Values below are what PostgreSQL 15 writes for each escape (documentation, "Error Reporting and
Logging", log_line_prefix), e.g. %r is host(port), %c is hex start time '.' hex pid.
"""

from __future__ import annotations

import pytest

from dbexpert.model import InputError
from dbexpert.sources.logs._pg_prefix import compile_prefix, guess_prefix

# escape -> (a value the server writes, the group it lands in or None)
VALUES = {
    "a": ("my app", "application"),
    "u": ("alice", "user"),
    "d": ("shop", "database"),
    "r": ("10.0.0.5(51234)", "client"),
    "h": ("10.0.0.5", "client"),
    "L": ("10.0.0.1", None),
    "b": ("client backend", None),
    "p": ("4242", "pid"),
    "P": ("4240", None),
    "t": ("2024-05-01 12:00:00 UTC", "timestamp"),
    "m": ("2024-05-01 12:00:00.123 CEST", "timestamp"),
    "n": ("1714564800.123", "epoch"),
    "i": ("SELECT", None),
    "e": ("22012", None),
    "c": ("6630b1a0.1092", "session"),
    "l": ("17", None),
    "s": ("2024-05-01 11:59:00 UTC", None),
    "v": ("3/1542", "vxid"),
    "x": ("1234", "xid"),
    "Q": ("-6094229591367437376", "queryid"),
}


@pytest.mark.parametrize("letter", sorted(VALUES))
def test_every_escape_matches_what_the_server_writes(letter: str):
    value, group = VALUES[letter]
    prefix = compile_prefix(f"<%{letter}> ")
    found = prefix.regex.match(f"<{value}> LOG:  duration: 1.000 ms  statement: SELECT 1")
    assert found is not None, letter
    assert found.group("severity") == "LOG"
    assert found.group("message") == "duration: 1.000 ms  statement: SELECT 1"
    if group is not None:
        assert found.group(group) == value


def test_padding_tolerates_the_blanks_the_server_adds():
    prefix = compile_prefix("%-10u|%5p ")
    found = prefix.regex.match("bob       | 4242 ERROR:  division by zero")
    assert found is not None
    assert (found.group("user"), found.group("pid"), found.group("severity")) == ("bob", "4242", "ERROR")


def test_percent_sign_and_literal_text():
    found = compile_prefix("100%% [%p] ").regex.match("100% [7] LOG:  checkpoint starting: time")
    assert found is not None and found.group("pid") == "7"


def test_q_makes_the_rest_optional_for_processes_without_a_session():
    regex = compile_prefix("%m [%p] %q%u@%d ").regex
    with_session = regex.match("2024-05-01 12:00:00.001 UTC [12] app@shop LOG:  statement: SELECT 1")
    background = regex.match("2024-05-01 12:00:00.001 UTC [9] LOG:  checkpoint starting: time")
    assert (
        with_session is not None
        and with_session.group("user") == "app"
        and with_session.group("database") == "shop"
    )
    assert background is not None and background.group("user") is None


def test_unknown_escape_is_an_input_error():
    with pytest.raises(InputError, match="unknown escape %z"):
        compile_prefix("%z ")


@pytest.mark.parametrize(
    ("line", "spec"),
    [
        (
            "2024-05-01 12:00:00.123 UTC [42] app@shop LOG:  duration: 1.0 ms  statement: SELECT 1",
            "%m [%p] %q%u@%d ",
        ),
        (
            "2024-05-01 12:00:00 UTC [42]: [3-1] user=app,db=shop,app=psql,client=10.0.0.1 LOG:  statement: SELECT 1",
            "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
        ),
        (
            "2024-05-01 12:00:00 UTC:10.0.0.1(5432):app@shop:[42]:LOG:  statement: SELECT 1",
            "%t:%r:%u@%d:[%p]:",
        ),
    ],
)
def test_common_defaults_are_guessed(line: str, spec: str):
    guessed = guess_prefix([line, "\tcontinuation"] * 3)
    found = guessed.regex.match(line)
    assert found is not None and found.group("pid") == "42"
    assert guessed.spec == spec
