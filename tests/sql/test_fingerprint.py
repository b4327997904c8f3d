"""Query shapes: literals never split a shape, different statements never share one."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine
from dbexpert.sql.fingerprint import fingerprint, normalize

# Templates with literal slots ({} = one literal, {list} = an IN list, {rows} = VALUES rows).
TEMPLATES = (
    "SELECT id, name FROM users WHERE id = {} AND status = {}",
    "select * from orders where customer_id in ({list}) and total > {}",
    "INSERT INTO events (user_id, kind, payload) VALUES {rows}",
    "UPDATE accounts SET balance = balance - {} WHERE id = {}",
    "SELECT count(*) FROM logs WHERE created_at BETWEEN {} AND {} -- dashboard",
    "DELETE FROM sessions WHERE expires_at < {} /* cleanup */",
    "SELECT a FROM t WHERE flag = {} AND b IS NULL ORDER BY a LIMIT {}",
)

_text = st.text(alphabet=string.ascii_letters + string.digits + " '\\%_-;,()", max_size=12)


def _pg_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _mysql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _literal(engine: Engine) -> st.SearchStrategy[str]:
    quote = _mysql_string if engine is Engine.MYSQL else _pg_string
    numbers = st.one_of(
        st.integers(-(10**12), 10**12).map(str),
        st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: repr(f).replace("inf", "1")),
        st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    )
    return st.one_of(
        numbers,
        _text.map(quote),
        st.sampled_from(["TRUE", "false", "NULL", "$1", "?", "%s", ":name", "'2024-01-01'::date"]),
    )


def _fill(template: str, engine: Engine, data: st.DataObject) -> str:
    literal = _literal(engine)
    out = template
    while "{list}" in out:
        values = data.draw(st.lists(literal, min_size=1, max_size=30))
        out = out.replace("{list}", ", ".join(values), 1)
    while "{rows}" in out:
        rows = data.draw(st.lists(st.tuples(literal, literal, literal), min_size=1, max_size=10))
        out = out.replace("{rows}", ", ".join(f"({a}, {b}, {c})" for a, b, c in rows), 1)
    while "{}" in out:
        out = out.replace("{}", data.draw(literal), 1)
    return out


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEMPLATES), st.sampled_from([Engine.POSTGRES, Engine.MYSQL]), st.data())
def test_same_shape_with_random_literals_has_one_fingerprint(
    template: str, engine: Engine, data: st.DataObject
):
    first = fingerprint(_fill(template, engine, data), engine)
    second = fingerprint(_fill(template, engine, data), engine)
    assert first.id == second.id, (first.text, second.text)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_different_shapes_never_collide(data: st.DataObject):
    shapes = {fingerprint(_fill(t, Engine.POSTGRES, data)).id for t in TEMPLATES}
    assert len(shapes) == len(TEMPLATES)


def test_whitespace_comments_and_keyword_case_do_not_matter_identifiers_do():
    a = fingerprint("SELECT id FROM users WHERE id = 1")
    assert fingerprint("select  id\n from users -- x\n where id=2;").id == a.id
    assert fingerprint("SELECT id FROM USERS /* y */ WHERE ID = 3").id == a.id  # unquoted names fold
    assert fingerprint('SELECT id FROM "Users" WHERE id = 1').id != a.id  # quoted names keep case
    assert fingerprint("SELECT id FROM orders WHERE id = 1").id != a.id
    assert fingerprint("SELECT id FROM users WHERE id > 1").id != a.id


def test_is_null_stays_but_null_values_do_not():
    assert (
        fingerprint("SELECT 1 FROM t WHERE a IS NULL").id
        != fingerprint("SELECT 1 FROM t WHERE a IS NOT NULL").id
    )
    assert (
        fingerprint("UPDATE t SET a = NULL WHERE id = 1").id
        == fingerprint("UPDATE t SET a = 5 WHERE id = 2").id
    )


def test_lists_of_any_length_and_values_rows_collapse():
    assert normalize("SELECT 1 FROM t WHERE a IN (1, 2, 3)") == normalize("SELECT 1 FROM t WHERE a IN (7)")
    assert normalize("SELECT 1 FROM t WHERE a = ANY(ARRAY[1,2])") == normalize(
        "SELECT 1 FROM t WHERE a = ANY(ARRAY[3])"
    )
    assert (
        fingerprint("INSERT INTO t (a) VALUES (1), (2), (3)").id
        == fingerprint("INSERT INTO t (a) VALUES (4)").id
    )
    assert (
        fingerprint("INSERT INTO t (a, b) VALUES (1, 2)").id != fingerprint("INSERT INTO t (a) VALUES (1)").id
    )


def test_backslash_and_doubled_quotes_in_strings():
    assert (
        fingerprint("SELECT 1 FROM t WHERE a = 'it''s -- not a comment'").id
        == fingerprint("SELECT 1 FROM t WHERE a = 'x'").id
    )
    mysql = Engine.MYSQL
    assert (
        fingerprint("SELECT 1 FROM t WHERE a = 'it\\'s # no'", mysql).id
        == fingerprint("SELECT 1 FROM t WHERE a = 'b'", mysql).id
    )


def test_ids_are_stable_across_runs():
    # A BLAKE2b digest of the canonical text: the same on every run and machine (no hash seed).
    assert fingerprint("SELECT id FROM users WHERE id = 1").id == "ec8c2b9ff6a4ada9"


def test_anything_gets_a_shape():
    for text in ("", "\x00\xff garbage", "SELECT 'unterminated", "))) ((", "$$ unclosed"):
        assert len(fingerprint(text).id) == 16


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEMPLATES), st.sampled_from([Engine.POSTGRES, Engine.MYSQL]), st.data())
def test_the_fast_path_gives_the_full_normalization_s_id(template: str, engine: Engine, data: st.DataObject):
    from dbexpert.sql import fingerprint as module

    sql = _fill(template, engine, data)
    skeleton = module._skeleton(sql, engine)
    if skeleton is not None:
        assert module._fingerprint(skeleton, engine).id == module._fingerprint(sql, engine).id


_NULL_PIECES = st.sampled_from(
    ["NULL", "null", "Null", "(", ")", ",", " ", "\t", "IS", "is not", "DISTINCT FROM", "x", "1", "'s'", "?",
     "-", "::int", "VALUES", "IN", "coalesce", "nullx", "xnull"]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(st.lists(_NULL_PIECES, max_size=12).map(" ".join), st.lists(_NULL_PIECES, max_size=12).map("".join))
def test_nulls_the_fast_path_replaces_are_the_ones_the_full_pass_replaces(spaced: str, packed: str):
    from dbexpert.sql import fingerprint as module

    for engine in (Engine.POSTGRES, Engine.MYSQL):
        for sql in (f"SELECT f({spaced})", f"INSERT INTO t VALUES ({packed}), ({spaced})"):
            skeleton = module._skeleton(sql, engine)
            if skeleton is not None:
                assert module._fingerprint(skeleton, engine).id == module._fingerprint(sql, engine).id, sql


def test_mysql_backslash_escaped_strings_take_the_fast_path():
    from dbexpert.sql.fingerprint import _skeleton

    mysql = Engine.MYSQL
    sql = "UPDATE t SET a = 'O\\'Brien', b = 'a\\\\b', c = 'x\\\ny' WHERE id = 7"
    assert _skeleton(sql, mysql) == "UPDATE t SET a =  ? , b =  ? , c =  ?  WHERE id = ?"
    assert (
        fingerprint(sql, mysql).id
        == fingerprint("UPDATE t SET a = 'x', b = 'y', c = 'z' WHERE id = 1", mysql).id
    )
    # A backslash outside a string (not SQL anyone writes, but logs hold anything) takes the full path.
    assert _skeleton("SELECT a FROM t WHERE b = 1 \\G", mysql) is None


# The fast path's patterns are written so that the regex engine can scan for their first character
# in C (a class or a literal first, look-behinds after); they must match what the plain forms match.
_PLAIN = {
    "_QUICK_NUMBER": (
        r"(?=[0-9.])(?<![\w$.])(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)(?!\w)",
        "?",
    ),
    "_QUICK_ARRAY": (r"\b[aA][rR][rR][aA][yY]\s*\[\s*(?:\?\s*,\s*)*\?\s*\]", "array[...]"),
    "_QUICK_ROWS": (r"(\b[vV][aA][lL][uU][eE][sS]\s*)\(\.\.\.\)(?:\s*,\s*\(\.\.\.\))+", r"\1(...)"),
}
_PIECES = st.sampled_from(
    ["0", "7", "12", "0x1f", "1e5", ".5", "e", "E", "x", "a", "_", "$", ".", "'", "''", " ", ",", "?",
     "[", "]", "(...)", "array", "ARRAY", "values", "VALUES", "٣", "-", "+", "n", "b"]
)  # fmt: skip


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=10).map("".join))
def test_the_fast_path_patterns_match_their_plain_forms(text: str):
    import re

    from dbexpert.sql import fingerprint as module

    for name, (plain, replacement) in _PLAIN.items():
        assert getattr(module, name).sub(replacement, text) == re.sub(plain, replacement, text), name
    # Found from its quote rather than its letter: only whether there is one matters.
    assert (module._ESCAPE_PREFIX.search(text) is None) == (re.search(r"(?<![\w'])[eE]'", text) is None)
    plain_strings = r"[eEbBxXnN]?'[^']*(?:''[^']*)*'"
    for engine in (Engine.POSTGRES, Engine.SQLITE):
        assert module._QUICK_STRINGS[engine].sub(" ? ", text) == re.sub(plain_strings, " ? ", text)
    markers = {
        Engine.POSTGRES: ('"', "--", "/*", "$$", "'"),
        Engine.MYSQL: ('"', "--", "/*", "`", "#", "'", "\\"),
        Engine.SQLITE: ('"', "--", "/*", "`", "[", "'"),
    }
    for engine, found in markers.items():
        assert (module._TRICKY[engine].search(text) is not None) == any(m in text for m in found)


# The C accelerator of the fast path (dbexpert/sql/_skeleton.c): wherever it decides, it gives
# exactly the Python passes' skeleton, for each engine it serves.
_C_ENGINES = (Engine.POSTGRES, Engine.MYSQL)


def _c_skeleton(engine: Engine = Engine.POSTGRES):  # type: ignore[no-untyped-def]
    from tests.native import required

    module = required("dbexpert.sql._skeleton")
    return module.mysql_skeleton if engine is Engine.MYSQL else module.pg_skeleton


def _python_skeleton(sql: str, engine: Engine = Engine.POSTGRES) -> str | None:
    from dbexpert.sql import fingerprint as module

    cache = module._cache_of(engine)
    return module._quick_skeleton(sql, cache.strings, cache.tricky)


_C_PIECES = st.sampled_from(
    ["0", "7", "12", "0x1f", "0X", "1e5", "2E-3", "e+", ".5", ".", "..", "e", "E", "x", "b", "N", "a", "_",
     "$", "$1", "$a$", "$$", "'", "''", "'x'", "E'", "\\", "\\'", "'\\\\'", "x'", "B'", "`", "#", " ", "\t",
     "\n", ",", "?", "?:", ":a", "[", "]", "(", ")", "(...)", "), (", "),(", "array", "ARRAY", "values",
     "VALUES", "٣", "é", "-", "--", "/", "*", "/*", '"', "\x00", "in", "IN", "t1", "\u2028", "\x1c", "NULL",
     "null", "nULl", "is", "IS NOT", "xnull", "nullx"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.lists(_C_PIECES, max_size=14).map("".join), st.sampled_from(_C_ENGINES))
def test_the_c_skeleton_is_the_python_skeleton(text: str, engine: Engine):
    fast = _c_skeleton(engine)
    for sql in (text, f"SELECT a FROM t WHERE b = {text}", f"INSERT INTO t VALUES {text}"):
        got = fast(sql)
        if got is not NotImplemented:
            assert got == _python_skeleton(sql, engine), sql


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(TEMPLATES), st.sampled_from(_C_ENGINES), st.data())
def test_the_c_skeleton_decides_filled_templates_as_python_does(template: str, engine: Engine, data: st.DataObject):
    fast = _c_skeleton(engine)
    sql = _fill(template, engine, data)
    got = fast(sql)
    assert got is not NotImplemented  # terminated strings: the C code decides
    assert got == _python_skeleton(sql, engine), sql


@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=30), st.sampled_from(_C_ENGINES))
def test_the_c_skeleton_agrees_on_any_text(text: str, engine: Engine):
    fast = _c_skeleton(engine)
    got = fast(text)
    if got is not NotImplemented:
        assert got == _python_skeleton(text, engine)


def test_the_c_mysql_skeleton_reads_backslash_escapes_as_mysql_does():
    fast = _c_skeleton(Engine.MYSQL)
    cases = {
        "UPDATE t SET a = 'O\\'Brien', b = 'a\\\\b', c = 'x\\\ny' WHERE id = 7": "UPDATE t SET a =  ? , b =  ? , c =  ?  WHERE id = ?",
        "a = x'1f' AND b = e'x'": "a =  ?  AND b = e ? ",  # no E'' strings in MySQL
        "a = 'ends with a backslash\\": NotImplemented,
        "a = 1 # comment": None,
        "a = `quoted`": None,
        "a = $$": "a = $$",  # no dollar quotes in MySQL
        "a = 'x' \\G": None,  # a backslash outside the strings
    }
    for sql, skeleton in cases.items():
        assert fast(sql) is NotImplemented if skeleton is NotImplemented else fast(sql) == skeleton, sql
        if skeleton is not NotImplemented:
            assert _python_skeleton(sql, Engine.MYSQL) == skeleton, sql


def test_the_c_skeleton_on_cases_the_regular_expressions_backtrack_through():
    fast = _c_skeleton()
    cases = {
        "a = 1.5x": None,  # "?.5x": the numbers pass made a new number
        "a = 12a": "a = 12a",
        "a = 0x1g": "a = 0x1g",
        "a = 0xff, b = 1e5, c = 2.e3, d = .5e-2, e = 3.": "a = ?, b = ?, c = ?, d = ?, e = ?",
        "a IN (1, 2) AND b IN (3)": "a IN (...) AND b IN (?)",
        "VALUES (1, 2), ( 3 ,4 ),(5,6)": "VALUES (...)",
        "x = ARRAY [ 1 , 2 ] AND y = myarray[1]": "x = array[...] AND y = myarray[?]",
        "a = E'it\\'s'": None,  # an escape string where a backslash escapes a quote
        "a = 'it''s' AND b = e'x'": "a =  ?  AND b =  ? ",
        "a = 'never ends": NotImplemented,
        "a = $tag$x$tag$": None,
        "SELECT 1 -- c": None,
        "VALUES (1, NULL), (2, null ), ( Null,3)": "VALUES (...)",
        "f(NULL) AND g(x IS NULL) AND h(NULL(1)) AND (nullx, NULL": "f(?) AND g(x IS NULL) AND h(NULL(?)) AND (nullx, NULL",
    }
    for sql, skeleton in cases.items():
        assert fast(sql) is NotImplemented if skeleton is NotImplemented else fast(sql) == skeleton, sql
        if skeleton is not NotImplemented:
            assert _python_skeleton(sql) == skeleton, sql


def test_the_c_skeleton_of_a_statement_longer_than_its_kept_buffer():
    fast = _c_skeleton()
    # 600,000 characters: the C code takes memory of its own for it (its kept buffer holds 2**20)
    rows = ", ".join(f"({i}, 'name {i}', {i}.5, E'x')" for i in range(20_000))
    sql = f"INSERT INTO t (a, b, c, d) VALUES {rows}"
    assert len(sql) > 2**19
    assert fast(sql) == _python_skeleton(sql) == "INSERT INTO t (a, b, c, d) VALUES (...)"
    assert fast("SELECT 1") == "SELECT ?"  # and the ordinary statements after it


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_C_PIECES, max_size=10).map("".join), min_size=1, max_size=30), st.sampled_from(_C_ENGINES))
def test_the_c_lookup_gives_what_the_python_caches_give(texts: list[str], engine: Engine):
    # pg_find / mysql_find: the text cache, the C skeleton and the skeleton cache in one call; the
    # loops over a log (finder + settle) and fingerprint() both go through it.
    from dbexpert.sql import fingerprint as module
    from dbexpert.sql.fingerprint import Shape, finder, settle

    required = _c_skeleton(engine)  # skips or fails as the accelerator's tests do
    assert required is not None
    find = finder(engine)
    assert find is (module._c.mysql_find if engine is Engine.MYSQL else module._c.pg_find)
    statements = [f"SELECT a FROM t WHERE b = {text}" for text in texts] + texts
    for sql in statements * 2:  # the second time round, their texts are in the cache
        found = find(sql)
        shape = settle(sql, engine, found)
        expected = module._fingerprint(_python_skeleton(sql, engine) or sql, engine)
        assert shape == expected == fingerprint(sql, engine), sql
        if isinstance(found, Shape):
            assert found is module._cache_of(engine).seen[sql] or found == shape


def test_the_c_lookup_keeps_the_text_cache_bounded():
    from dbexpert.sql import fingerprint as module

    fast = _c_skeleton()
    assert fast is not None
    cache = module._cache_of(Engine.POSTGRES)
    shape = fingerprint("SELECT ?")
    cache.seen.clear()
    for i in range(module._SEEN_LIMIT + 10):
        assert cache.find(f"SELECT {i}") is shape  # each a new text with a known skeleton
        assert len(cache.seen) <= module._SEEN_LIMIT
    # full at SELECT 16383, cleared before SELECT 16384 went in
    assert "SELECT 7" not in cache.seen and len(cache.seen) == 10
    assert cache.seen[f"SELECT {module._SEEN_LIMIT + 9}"] is shape
    assert cache.find("SELECT x FROM new_table_name WHERE y = 'z'") == "SELECT x FROM new_table_name WHERE y =  ? "
