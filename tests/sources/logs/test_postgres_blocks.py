"""The stderr reader's block path (one regular expression over blocks of text) against the line by
line reading: the same items wherever the blocks end, whatever the lines."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model.workload import LogEvent
from dbexpert.sources.logs import ReadOptions, _pg_events, postgres_stderr
from dbexpert.sources.logs._pg_prefix import COMMON_PREFIXES, block_regex, compile_prefix

from .test_postgres_stderr import BACKGROUND, CAPTURED

LONG = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "
_P = "2024-05-01 10:40:00 UTC [1016]: [1-1] user=app,db=shop,app=worker,client=10.0.4.106 "
_Q = "2024-05-01 10:40:01 UTC [1017]: [1-1] user=a,b,db=x,db=y,app=web,client=[local] "
# Lines of every kind the reader meets, in the long prefix pgBadger recommends.
_LINES = [
    _P + "LOG:  duration: 0.626 ms  statement: SELECT * FROM t WHERE id = 66",
    _P + "LOG:  duration: 0.072 ms  parse <unnamed>: SELECT a FROM t WHERE id = $1",
    _P + "LOG:  duration: 0.014 ms  bind <unnamed>: SELECT a FROM t WHERE id = $1",
    _P + "LOG:  duration: 15.396 ms  execute <unnamed>: SELECT a FROM t WHERE id = $1",
    _P + "DETAIL:  parameters: $1 = 'w634570'",
    _P + "LOG:  statement: SELECT 1",
    _P + "LOG:  duration: 1.5 ms",
    _P + "LOG:  duration: x ms  statement: SELECT 2",
    _P + "LOG:  duration: 3 ms  plan:",
    "\tQuery Text: SELECT 3",
    "\tSeq Scan on t  (cost=0.00..1.00 rows=1 width=4)",
    _P + 'ERROR:  relation "nope" does not exist at character 15',
    _P + "STATEMENT:  SELECT * FROM nope",
    _P + "HINT:  a hint",
    _P + "LOCATION:  somewhere.c:12",
    _Q + "DETAIL:  of another process",
    _Q + "LOG:  duration: 2.000 ms  statement: SELECT a,",
    _P + "LOG:  process 1016 still waiting for ShareLock on transaction 7 after 1000.1 ms",
    _P + "LOG:  process 1016 acquired ShareLock on transaction 7 after 2400.5 ms",
    _P + "LOG:  disconnection: session time: 0:00:01.000 user=app database=shop host=10.0.4.106",
    _P + "LOG:  duration: 4.0 ms  statement: COMMIT",
    "\t       b",
    "\t\tFROM t",
    "  WHERE lost_tab = 1",
    "2024-05-01 garbage",
    "",
    "garbage \x00",
    "\ufffd\ufffd",
    _P + "LOG:  duration: 0.5 ms  statement: SELECT 'crlf'\r",
    "\tAND x = 1\r",
    _P + "LOG:  duration: 0.5 ms  statement: SELECT 'cr\rin the middle'",
    _P + "LOG:  autovacuum launcher started",
    _P + "LOG:  connection received: host=10.0.4.106 port=51234",
    _P + "LOG:  connection authorized: user=app database=shop application_name=worker",
    _Q + "LOG:  connection received: host=[local]",
    _P + "FATAL:  connection limit exceeded for non-superusers",
    _P + "LOG:  connectionless",
]


def _both(text: str, spec: str, block: int) -> tuple[list, list]:
    prefix = compile_prefix(spec)
    by_lines = list(postgres_stderr.line_items(io.StringIO(text, newline=""), "x.log", prefix.regex))
    chunks = [text[i : i + block] for i in range(0, len(text), block)]
    by_blocks = list(postgres_stderr.text_items(chunks, "x.log", prefix))
    return by_lines, by_blocks


_EXECUTE = _P + "LOG:  duration: 1.5 ms  execute <unnamed>: SELECT a FROM t WHERE id = $1 AND b = $2"
# A DETAIL after an extended-protocol message, and what may surround it.
_DETAILS = [
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = '7', $2 = 'o''k'", _P + "LOG:  statement: SELECT 1"],
    [_EXECUTE, _Q + "DETAIL:  parameters: $1 = '7', $2 = NULL", _P + "LOG:  statement: SELECT 1"],
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = 'a", "\tb', $2 = '8'", _P + "LOG:  statement: SELECT 1"],
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = '7'", _P + "HINT:  a hint", _P + "LOG:  statement: SELECT 1"],
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = '7'", _P + "DETAIL:  parameters: $2 = '8'", _P + "LOG:  x"],
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = '7'", "garbage", _P + "LOG:  x"],
    [_EXECUTE, _P + "DETAIL:  parameters: $1 = '7'"],
    [_EXECUTE.replace("execute", "bind"), _P + "DETAIL:  parameters: $1 = '7'", _EXECUTE],
    [_EXECUTE.replace("1.5", "x"), _P + "DETAIL:  parameters: $1 = '7'", _EXECUTE],
    [_P + "LOG:  duration: 3 ms  plan:", _P + "DETAIL:  parameters: $1 = '7'", _EXECUTE],
    [_EXECUTE, _P + "DETAIL:  ", _EXECUTE],
    [_EXECUTE, _P + "HINT:  parameters: $1 = '9'", _EXECUTE],
    [_EXECUTE, _P + "CONTEXT:  parameters: $1 = '9'", _EXECUTE],
]


_CONNECTION = _P + "LOG:  connection received: host=10.0.4.106 port=51234"
_DISCONNECTION = _P + "LOG:  disconnection: session time: 0:00:01.000 user=app database=shop host=10.0.4.106"
# Plain LOG lines (connections, checkpoints, temporary files, autovacuum...), which the C loop reads
# when nothing is attached and the session holds nothing.
_PLAIN = [  # (lines, whether the C loop reads one of them)
    ([_CONNECTION, _EXECUTE, _DISCONNECTION, _EXECUTE], True),
    ([_P + "LOG:  statement: SELECT 1", _DISCONNECTION, _EXECUTE], False),  # a statement awaiting its duration
    ([_P + "LOG:  duration: 3 ms  plan:", "\tQuery Text: SELECT 3", _DISCONNECTION, _EXECUTE], False),
    ([_P + "LOG:  process 1016 still waiting for ShareLock on transaction 7 after 1000.1 ms", _CONNECTION, _EXECUTE], False),
    ([_CONNECTION, _P + "DETAIL:  a detail", _EXECUTE], False),
    ([_CONNECTION, "\tcontinued", _EXECUTE], True),
    ([_CONNECTION, _Q + "LOG:  connection authorized: user=a", _EXECUTE], True),
    ([_P + "WARNING:  connection received: host=x", _EXECUTE], False),
    ([_CONNECTION.replace("user=app,db=shop", "user=,db="), _EXECUTE], True),
    ([_CONNECTION], True),
    ([_P + "LOG:  checkpoint complete: wrote 3 buffers (0.0%); write=0.1 s, sync=0.0 s, total=1.500 s", _EXECUTE], True),
    ([_P + "LOG:  checkpoint starting: time", _EXECUTE], True),
    ([_P + 'LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp1016.0", size 2048', _EXECUTE], True),
    ([_P + 'LOG:  temporary file: path "base/pgsql_tmp/pgsql_tmp1016.1", size 4096', _P + "STATEMENT:  SELECT 1", _EXECUTE], False),
    ([_P + 'LOG:  automatic vacuum of table "shop.public.t": index scans: 0', "\tpages: 0 removed", "\telapsed: 0.01 s", _EXECUTE], True),
    ([_P + 'LOG:  automatic analyze of table "shop.public.t"', _EXECUTE], True),
    ([_P + "LOG:  statement: SELECT 1", _P + "LOG:  duration: 1.0 ms"], False),
    ([_P + "LOG:  process 1016 acquired ShareLock on transaction 7 after 2400.5 ms", _EXECUTE], False),
    ([_P + "LOG:  execute <unnamed>: SELECT 1", _EXECUTE], False),
]


@pytest.mark.parametrize("block", [1, 64, 1 << 16])
@pytest.mark.parametrize(("lines", "in_c"), _PLAIN)
def test_plain_log_lines_read_the_same_either_way(
    lines: list[str], in_c: bool, block: int, monkeypatch: pytest.MonkeyPatch
):
    calls = []

    def counted(*args):  # type: ignore[no-untyped-def]
        calls.append(args)
        return _pg_events.quick_log(*args)

    monkeypatch.setattr(postgres_stderr, "quick_log", counted)
    by_lines, by_blocks = _both("\n".join(lines * 2) + "\n", LONG, block)
    assert by_blocks == by_lines and by_lines
    if _pg_events.lane is not None and block == 1 << 16:
        assert bool(calls) == in_c  # the C loop read them, or left them to the interpreter


@pytest.mark.parametrize("block", [1, 64, 1 << 16])
@pytest.mark.parametrize("lines", _DETAILS)
def test_a_detail_after_a_query_message_reads_the_same_either_way(lines: list[str], block: int):
    by_lines, by_blocks = _both("\n".join(lines * 2) + "\n", LONG, block)
    assert by_blocks == by_lines


@pytest.mark.parametrize("block", [1, 2, 7, 64, 500, 1 << 16])
@pytest.mark.parametrize(
    ("text", "spec"),
    [(CAPTURED, "%m [%p] %q%u@%d "), (BACKGROUND, "%m [%p] %q%u@%d "), ("\n".join(_LINES) + "\n", LONG)],
)
def test_where_the_blocks_end_changes_nothing(text: str, spec: str, block: int):
    by_lines, by_blocks = _both(text, spec, block)
    assert by_blocks == by_lines
    assert any(item.__class__ is tuple for item in by_lines)


def test_an_open_file_is_read_in_blocks_with_the_same_events(tmp_path, monkeypatch: pytest.MonkeyPatch):
    text = "\n".join(_LINES * 3)  # no line feed at the end
    path = tmp_path / "x.log"
    path.write_text(text, encoding="utf-8", newline="")
    expected = list(postgres_stderr.read_items(text.splitlines(keepends=True), "x.log", ReadOptions(LONG)))
    monkeypatch.setattr(postgres_stderr, "_BLOCK", 100)
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(postgres_stderr.read_items(handle, "x.log", ReadOptions(LONG))) == expected


@pytest.mark.parametrize("spec", COMMON_PREFIXES)
def test_the_block_regex_finds_the_line_regex_fields(spec: str):
    line = compile_prefix(spec).regex
    block = block_regex(line)
    assert block.groups == line.groups + 2
    assert [n for n in block.groupindex if n not in ("continued", "other")] == list(line.groupindex)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=40), st.sampled_from([1, 3, 64, 1 << 16]), st.booleans())
def test_any_mix_of_lines_reads_the_same_either_way(lines: list[str], block: int, last_line_feed: bool):
    text = "\n".join(lines) + ("\n" if last_line_feed else "")
    by_lines, by_blocks = _both(text, LONG, block)
    assert by_blocks == by_lines


def test_a_connection_line_takes_its_time_from_the_stamp_before_the_epoch():
    # a prefix with both %m and %n: the interpreter reads the time from %m, so must the C loop
    line = "2024-05-01 10:40:00.123 UTC 1714500000.456 [1016] LOG:  "
    text = f"{line}connection received: host=x\n{line}duration: 1.0 ms  statement: SELECT 1\n" * 2
    by_lines, by_blocks = _both(text, "%m %n [%p] ", 1 << 16)
    assert by_blocks == by_lines
    assert [item.timestamp for item in by_lines if isinstance(item, LogEvent)] == [1714560000.123] * 2
