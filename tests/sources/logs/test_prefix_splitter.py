"""The C splitter (``_rows.entries``, dbexpert/sources/logs/_rows.c) against the block regex's
``findall``, its reference: the same entries for any prefix it follows and any text, whether a line
takes its C path or is handed to the regex."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.sources.logs import _pg_prefix
from dbexpert.sources.logs._pg_prefix import COMMON_PREFIXES, _program, block_regex, compile_prefix
from tests.native import required

# Every escape the C path knows, in prefixes it follows (and the common ones).
SPECS = (
    *COMMON_PREFIXES,
    "%n|%c|%v|%x|%e|%Q|%i ",
    "%s %b [%P] %L %r (%l) ",
    "%m %p %% %q%a: ",
    "%t %t %u ",
    "%h:%p %u@%d:",  # a no-blank field before a literal that is no blank
    "%L|%r|%v|%c|%m|%p ",
)
# Values an escape's place may hold: what servers write, and what they never do.
_VALUES = st.sampled_from(
    ["2024-05-01 10:40:00 UTC", "2024-05-01 10:40:00.123 +02:00", "2024-05-01 10:40:00.123+0530",
     "2024-05-01 10:40:00 Europe/Paris", "2024-05-01 10:40:00", "2024-05-01 10:40:0", "١٢٣٤-05-01 10:40:00 UTC",
     "1714560000.123", "1714560000.", "5f3a.12", "5F3A.12", "3/42", "-1/7", "/", "0", "742", "-4217",
     "23505", "2350", "app", "a,b", "db=x", "x@y", "", " ", "é", "٣", "[local]", "10.0.0.1(5432)", "h(x)",
     "host(12", "client backend", "a b", "\u2003", "\x1c", ":", "]", "[", "%", "LOG", "ERROR:  x"]
) | st.text("0123456789abcdefXZ:.-+/[]()@,=| \t٣é_", max_size=8)  # fmt: skip
_SEVERITIES = st.sampled_from(
    ["LOG", "ERROR", "DETAIL", "STATEMENT", "DEBUG1", "DEBUG", "DEBUG6", "LOCATION", "INFO", "log", "LOGX"]
)
_MESSAGES = st.sampled_from(
    ["duration: 0.5 ms  statement: SELECT 1", "x", "", " two spaces", "statement: SELECT 'é'", "a:  b"]
)
_OTHER = st.sampled_from(["\tcontinued", "\t", "", "garbage", "  WHERE x = 1", "\x00\ufffd", "2024-05-01 cut"])
_ESCAPE = re.compile(r"%(-?\d+)?(.)")


def _line(spec: str, values: list[str], severity: str, separator: str, message: str) -> str:
    it = iter(values)

    def value(match: re.Match[str]) -> str:
        letter = match.group(2)
        return "%" if letter == "%" else "" if letter == "q" else next(it, "")

    return f"{_ESCAPE.sub(value, spec)}{severity}{separator}{message}"


@st.composite
def _texts(draw: st.DrawFn, spec: str) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.booleans()):
            values = draw(st.lists(_VALUES, min_size=12, max_size=12))
            separator = draw(st.sampled_from([":  ", ": ", ":", ":   ", " : "]))
            lines.append(_line(spec, values, draw(_SEVERITIES), separator, draw(_MESSAGES)))
        else:
            lines.append(draw(_OTHER | st.text(st.characters(blacklist_characters="\r\n"), max_size=30)))
    return "".join(f"{line}\n" for line in lines)


def _same(spec: str, text: str) -> None:
    rows = required("dbexpert.sources.logs._rows")
    prefix = compile_prefix(spec)
    block = block_regex(prefix.regex)
    program = _program(prefix, block)
    assert program is not None, spec
    assert rows.entries(text, program, block) == block.findall(text), (spec, text)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(SPECS).flatmap(lambda spec: st.tuples(st.just(spec), _texts(spec))))
def test_the_c_splitter_gives_the_regex_entries(case: tuple[str, str]):
    _same(*case)


# Values next to what each escape's pattern accepts (one character more or less, another separator).
_NEAR = (
    "3/42", "3x42", "3/", "-/4", "-3/4", "3/4/5", "+02:0", "+0200", "1.", ".5", "1.5.6", "1.5", "5f3a.", ".12",
    "5f3a.12.", "ABCDE", "ABCD", "ABCDEF", "abcde", "A1B2Z", "[local]x", "[local]", "[loc]", "h(1)(2)", "h (1)",
    "h(1)x", "h(x)", "a b(12)", "(", "()", "(7)", "", "-", "--1", "-12", "12", "1 2", "a b", "a|b", "a:b", "a@b",
    "2024-05-01 10:40:00+02:00", "2024-05-01 10:40:00 +02", "2024-05-01 10:40:00 +0", "2024-05-01 10:40:00 X_b/c+d",
    "2024-05-01 10:40:00.12", "2024-05-01 10:40:00.123 ", "2024-05-01 10:40:00.1234", "2024-05-01 10:40:00.123 1",
    "2024-05-01 10:40:00  UTC", "2024-05-01 10:40:00.12x", "h(1x", "[local", "[local]]", "٣/٤", "٣.٤", "é",
    "\u2003", "\x1c", "\x85",
)  # fmt: skip
_FIXED = {"m": "2024-05-01 10:40:00.123 UTC", "t": "2024-05-01 10:40:00 UTC", "p": "7"}


@pytest.mark.parametrize("letter", sorted(_pg_prefix.ESCAPES))
@pytest.mark.parametrize("literal", ["|", ":", " ", "] "])
def test_each_escape_next_to_what_it_accepts(letter: str, literal: str):
    """Each escape between known values, with values on either side of its pattern's edge: a line the
    C path matches wrongly (a character class one too wide, a step skipped) shows here."""
    spec = f"%m [%p] %{letter}{literal}%p "
    lines = []
    for value in _NEAR:
        for severity, message in (("LOG", "x"), ("DEBUG2", ""), ("ERROR", "y")):
            lines.append(f"{_FIXED['m']} [7] {value}{literal}7 {severity}:  {message}")
            lines.append(f"{_FIXED['m']} [7] {value}{literal}{value}{literal}7 {severity}: {message}")
    _same(spec, "".join(f"{line}\n" for line in lines))


@pytest.mark.parametrize(
    "line",
    [
        # a lazy field whose first choice fails further on: the regex takes a later separator
        "2024-05-01 10:40:01 UTC [1017]: [1-1] user=a,b,db=x,db=y,app=web,client=[local] LOG:  x",
        "2024-05-01 10:40:01 UTC [1017]: [1-1] user=,db=,app=,client= LOG:  ",
        "2024-05-01 10:40:01 UTC [1017]: [1-1] user=u,db=d,app=a,client=h h LOG:  x",  # a blank in %h
        "2024-05-01 10:40:01 UTC [1017]: [1-1] user=u,db=d,app=a,client=h DEBUG3: x",
        "2024-05-01 10:40:01 UTC [1017]: [1-1] user=u,db=d,app=a,client=h LOG:x",  # no blank: other
        "2024-05-01 10:40:01 UTC [١٢]: [1-1] user=u,db=d,app=a,client=h LOG:  x",  # \d is Unicode's
        "\tcontinued alone",
        "",
    ],
)
def test_hand_picked_lines(line: str):
    spec = "%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h "
    _same(spec, f"{line}\n\tand a continuation\n{line}\n")


def test_a_message_with_its_continuation_lines_is_one_entry():
    rows = required("dbexpert.sources.logs._rows")
    prefix = compile_prefix("%m [%p] ")
    block = block_regex(prefix.regex)
    text = "2024-05-01 10:40:00.123 UTC [7] LOG:  statement: SELECT\n\ta\n\tb\nnext\n"
    entries = rows.entries(text, _program(prefix, block), block)
    assert len(entries) == 2
    index = block.groupindex
    assert entries[0][index["message"] - 1] == "statement: SELECT"
    assert entries[0][index["continued"] - 1] == "\n\ta\n\tb"
    assert entries[1][index["other"] - 1] == "next"


def test_prefixes_the_c_path_does_not_follow_keep_the_regex(monkeypatch: pytest.MonkeyPatch):
    # padded; lazy before an escape; lazy before the severity; more tokens than the C code holds
    for spec in ("%-10u %p ", "%u%d ", "%t %u", "%p:" * 40):
        prefix = compile_prefix(spec)
        block, split = _pg_prefix.block_splitter(prefix)
        assert _program(prefix, block) is None
        assert split == block.findall
    monkeypatch.setattr(_pg_prefix, "_rows", None)  # not built: the regex everywhere
    block, split = _pg_prefix.block_splitter(compile_prefix("%m [%p] "))
    assert split == block.findall


def test_a_malformed_program_or_text_is_refused():
    rows = required("dbexpert.sources.logs._rows")
    prefix = compile_prefix("%m [%p] ")
    block = block_regex(prefix.regex)
    program = _program(prefix, block)
    assert program is not None
    with pytest.raises(ValueError, match="line feed"):
        rows.entries("no line feed", program, block)
    lazy_last = ((((_pg_prefix.LAZY_LINE, "", -1),), *program[1:]))
    with pytest.raises(ValueError, match="malformed"):
        rows.entries("x\n", lazy_last, block)
    with pytest.raises(TypeError):
        rows.entries(b"x\n", program, block)
