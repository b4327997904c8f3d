"""The C quick_row (dbexpert/sources/logs/_rows.c) against its Python twin: the same row, the same
empty tuple for parse/bind durations, the same None for every other message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.sources.logs._pg_events import python_quick_row
from tests.native import required

_NUMBERS = st.sampled_from(["0.626", "15", "1e3", "x", "", " 2.5", "1_000", "nan", "-0.0", "٣.٥", "12 "])
_TAILS = st.sampled_from(
    ["statement: SELECT 1", "execute <unnamed>: SELECT a FROM t WHERE id = $1", "execute s1/p1: x",
     "parse <unnamed>: SELECT 1", "bind <unnamed>: SELECT 1", "parse", "bind x", "plan:", "plan:\nQuery Text: x",
     "", "statement:", "statement:SELECT", "pb: x", "   statement: SELECT 'é'", "statement: ✓ ünïcode"]
)  # fmt: skip
_NAMES = st.tuples(*(st.sampled_from(["", "app", "shop", "[local]", "é"]) for _ in range(4)))
_STAMPS = st.sampled_from([None, "", "2024-05-01 10:40:02 UTC", "2024-05-01 10:40:02.123 +02", "1714560000.5", "bad"])


def _same(sql_message: str, stamp: str | None, session: str | None, transaction: str | None,
          names: tuple[str, str, str, str], queryid: str) -> None:  # fmt: skip
    fast = required("dbexpert.sources.logs._rows").quick_row
    args = ("a.log", 7, sql_message, stamp, session, transaction, names, queryid)
    # repr: a NaN duration is not equal to itself
    assert repr(fast(*args)) == repr(python_quick_row(*args)), args


@settings(max_examples=1500, deadline=None)
@given(
    _NUMBERS,
    st.sampled_from([" ms", "ms", " ms ", " ms  ", " s", " ms   "]),
    _TAILS,
    _STAMPS,
    st.sampled_from([None, "1016", "5f3a.12"]),
    st.sampled_from([None, "", "0", "742"]),
    _NAMES,
    st.sampled_from(["", "0", "-4217", "99"]),
)
def test_the_c_quick_row_is_the_python_one(number, unit, tail, stamp, session, transaction, names, queryid):  # type: ignore[no-untyped-def]
    _same(f"duration: {number}{unit}{tail}", stamp, session, transaction, names, queryid)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40), _STAMPS, _NAMES)
def test_the_c_quick_row_agrees_on_any_text(text: str, stamp: str | None, names: tuple[str, str, str, str]):
    _same(f"duration: {text}", stamp, "1", None, names, "")
    _same(text, stamp, "1", None, names, "")


def test_the_c_quick_row_on_each_kind_of_message():
    fast = required("dbexpert.sources.logs._rows").quick_row
    names = ("shop", "app", "", "10.0.0.1")
    row = fast("a.log", 3, "duration: 0.626 ms  statement: SELECT 1", "2024-05-01 10:40:02 UTC", "77", "", names, "0")
    assert row == ("SELECT 1", "a.log", 3, 1714560002.0, 0.626, "shop", "app", None, "10.0.0.1", "77", None, (), None, None)
    assert fast("a.log", 3, "duration: 0.1 ms  parse <unnamed>: SELECT 1", None, "77", None, names, "") == ()
    assert fast("a.log", 3, "duration: x ms  bind <unnamed>: SELECT 1", None, "77", None, names, "") is None
    assert fast("a.log", 3, "duration: 3 ms  plan:", None, "77", None, names, "") is None
    assert fast("a.log", 3, "duration: 3 ms", None, "77", None, names, "") is None
