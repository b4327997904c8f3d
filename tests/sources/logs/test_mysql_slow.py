"""The MySQL/MariaDB slow log reader.

``data/mariadb_10_11_slow.log`` is a real log written by the local MariaDB 10.11 server: the slow
log was switched on for one session only (``SET GLOBAL slow_query_log_file='/tmp/…'``, ``SET
GLOBAL slow_query_log=1``, then ``SET SESSION slow_query_log=1, long_query_time=0,
log_slow_verbosity='query_plan,explain'``), a few statements were run in a scratch database, and
the global settings were restored (``slow_query_log=0`` and the original file). It is a captured
fixture rather than a live test because those are server-wide settings other test runs share.

``data/mysql_8_0_slow.log`` is hand-written from the MySQL 8.0 reference manual ("The Slow Query
Log", ``log_slow_extra``, ``log_timestamps``): no MySQL 8 server can run here.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, mysql_slow, read_events
from dbexpert.sources.logs.mysql_slow import read, read_lines, sniff
from dbexpert.sql.fingerprint import fingerprint
from tests.files import load_benchmark

DATA = Path(__file__).parent / "data"


def _queries(events):
    return [e for e in events if isinstance(e, QueryEvent)]


def test_captured_mariadb_log():
    path = DATA / "mariadb_10_11_slow.log"
    assert detect_format(path) == "mysql-slow"
    events = list(read_events(path))
    assert not [e for e in events if isinstance(e, ReadProblem)]
    queries = _queries(events)
    assert len(queries) == 13
    by_line = {q.place.line: q for q in queries}
    select = by_line[53]
    assert select.sql == "SELECT id, name FROM users WHERE id = 2"
    assert (select.engine, select.database, select.user, select.client, select.session) == (
        Engine.MYSQL, "w3_slowcap", "root", "127.0.0.1", "641")
    assert select.duration_ms == 0.129 and select.rows == 1 and select.rows_examined == 1
    assert select.timestamp == 1795525290.0  # from SET timestamp
    multi = by_line[73]
    assert multi.sql.startswith("SELECT id,\n       name\n  FROM users") and multi.sql.endswith("active = TRUE")
    assert multi.rows_examined == 3
    assert by_line[120].database is None  # MariaDB's empty "Schema:" after DROP DATABASE
    assert by_line[100].rows == 1  # an UPDATE: Rows_affected
    same = {fingerprint(by_line[n].sql, Engine.MYSQL).id for n in (53, 63)}
    assert len(same) == 1


def test_mysql_8_log_from_the_manual():
    path = DATA / "mysql_8_0_slow.log"
    assert detect_format(path) == "mysql-slow"
    events = list(read_events(path))
    assert not [e for e in events if isinstance(e, ReadProblem)]
    queries = _queries(events)
    assert [q.place.line for q in queries] == [4, 10, 17, 27]
    first, update, report, again = queries
    assert first.sql == "SELECT * FROM orders WHERE id = 42"
    assert first.timestamp == 1705314225.123456  # the header's microseconds win over SET timestamp
    assert (first.database, first.session, first.client, first.user) == ("shop", "12", "10.0.0.5", "app")
    assert update.sql == "UPDATE orders\n   SET status = 'shipped'\n WHERE id = 42"
    assert update.duration_ms == 1.0 and update.rows_examined == 1  # log_slow_extra fields read past
    assert (report.database, report.client, report.duration_ms) == ("analytics", "localhost", 1500.0)
    assert report.rows_examined == 250000
    assert again.database == "shop"  # "use" lasts for the connection
    quit_ = [e for e in events if isinstance(e, LogEvent)]
    assert len(quit_) == 1 and quit_[0].message == "administrator command: Quit"


def test_bad_lines_are_counted_not_dropped():
    text = (
        "\x00\x01garbage\n"
        "# Time: 2024-01-15T10:23:45Z\n"
        "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    12\n"
        "# Query_time: 0.5  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\n"
        "SET timestamp=1705314225;\n"
        "SELECT 1;\n"
        "# something unexpected\n"
        "# Time: not a time\n"
        "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    12\n"
        "# Query_time: 0.5  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\n"
    )
    events = list(read_lines(text.splitlines(keepends=True), "slow.log"))
    problems = [e for e in events if isinstance(e, ReadProblem)]
    assert [p.place.line for p in problems] == [1, 8, 8]  # the truncated entry starts at its "# Time:"
    assert "truncated" in problems[-1].reason
    # "# something unexpected" right after a statement is a comment line of that statement
    assert _queries(events)[0].sql == "SELECT 1;\n# something unexpected"


def test_gzip_and_crlf(tmp_path):
    source = (DATA / "mysql_8_0_slow.log").read_text().replace("\n", "\r\n")
    path = tmp_path / "slow.log.gz"
    path.write_bytes(gzip.compress(source.encode()))
    queries = _queries(read_events(path, ReadOptions(format="mysql-slow")))
    assert len(queries) == 4 and queries[1].sql == "UPDATE orders\n   SET status = 'shipped'\n WHERE id = 42"


def test_sniff():
    assert sniff((DATA / "mariadb_10_11_slow.log").read_text()[:4000])
    assert not sniff('{"timestamp": "2024-01-01", "error_severity": "LOG"}\n')
    assert not sniff("2024-01-15 10:00:00 UTC [42] LOG:  duration: 1.0 ms  statement: SELECT 1\n")


_ENTRY = (
    "# Time: 2024-01-15T10:23:{second:02d}.{micro:06d}Z\n"
    "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    {session}\n"
    "# Query_time: 0.000500  Lock_time: 0.000001 Rows_sent: 1  Rows_examined: 1\n"
    "{use}SET timestamp=17053142{second:02d};\n"
    "{sql};\n"
)


def _entry(sql: str, second: int = 45, micro: int = 1, session: int = 12, use: str = "") -> str:
    return _ENTRY.format(sql=sql, second=second, micro=micro, session=session, use=f"use {use};\n" if use else "")


def _mariadb_log() -> str:
    """MariaDB entries in their variants: "# Time:" only when the second changes, an empty Schema,
    "use", UPDATEs counted by Rows_affected, log_slow_verbosity lines; and MySQL 5.6 ones."""
    entries = []
    for i in range(12):
        time = f"# Time: 240115 {9 + i // 4:2d}:05:0{i % 4}\n" if i % 3 == 0 else ""
        verbosity = (
            "# Full_scan: No  Full_join: No  Tmp_table: No  Tmp_table_on_disk: No\n#\n"
            "# explain: id\tselect_type\ttable\ttype\n# explain: 1\tSIMPLE\tt\tconst\n#\n"
            if i % 4 == 1
            else ""
        )
        entries.append(
            f"{time}# User@Host: app[app] @ {'web1 ' if i % 2 else ' '}[10.0.0.{i}]\n"
            f"# Thread_id: {40 + i % 3}  Schema: {'shop' if i % 5 else ''}  QC_hit: No\n"
            f"# Query_time: 0.00{i}500  Lock_time: 0.000010  Rows_sent: {i % 2}  Rows_examined: {i * 7}\n"
            f"# Rows_affected: {i}  Bytes_sent: 52\n{verbosity}"
            f"{'use `other`;' + chr(10) if i % 6 == 2 else ''}SET timestamp={1705310700 + i};\n"
            f"{'UPDATE t SET a = 1 WHERE id = ' if i % 2 == 0 else 'SELECT a FROM t WHERE id = '}{i};\n"
        )
        if i % 4 == 3:  # MySQL 5.6: the old "# Time:" form, the connection id on the User@Host line
            entries.append(
                f"# Time: 240115  9:06:0{i % 10}\n# User@Host: old[old] @ db56 [10.0.1.{i}]  Id:    {70 + i}\n"
                f"# Query_time: 0.000{i}00  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1\n"
                f"SET timestamp={1705310760 + i};\nSELECT 56, {i};\n"
            )
    return "".join(entries)


def _mixed_log() -> str:
    """Usual MySQL 8 entries between entries read line by line (MariaDB, CRLF, damaged ones)."""
    mysql = (DATA / "mysql_8_0_slow.log").read_text()
    mariadb = (DATA / "mariadb_10_11_slow.log").read_text()
    without_banner = mysql[mysql.index("# Time: ") :]  # a banner after a statement would continue it
    return "".join(
        [
            mysql,
            _entry("SELECT 1", use="`we``ird`", session=20),
            mariadb[mariadb.index("# Time: ") :],
            _entry("SELECT 2", session=20),  # still in `we``ird`: "use" lasts for the connection
            _entry("SELECT 'naïve ☃ 𝄞'\r\n  FROM t\r\n# a comment in the statement\n WHERE a = 1"),
            without_banner.replace("\n", "\r\n"),
            "stray text\n",
            _entry("SELECT 3", micro=0),  # zero microseconds: SET timestamp wins
            "# Time: 2024-01-15T10:23:46.5+01:00\n# User@Host: a b[app] @ web1 [10.0.0.5]  Id:    13\n"
            "# Query_time: 0.5  Lock_time: 0 Rows_sent: 1  Rows_examined: 1\nSELECT 4;\n",
            _entry("SELECT " + "x, " * 2000 + "y"),
            _mariadb_log(),
            _entry("SELECT 5 FROM t WHERE a = 'no line break at the end'")[:-2],
        ]
    )


def test_usual_entries_and_the_others_between_them():
    events = list(read(io.StringIO(_mixed_log()), "slow.log", ReadOptions()))
    problems = [e for e in events if isinstance(e, ReadProblem)]
    assert [p.reason for p in problems] == ["not part of a slow log entry (no '# User@Host:' header before it)"]
    queries = _queries(events)
    assert len(queries) == 4 + 1 + 13 + 1 + 1 + 4 + 3 + 12 + 3 + 1
    by_sql = {q.sql: q for q in queries}
    assert by_sql["SELECT 1"].database == by_sql["SELECT 2"].database == "we`ird"
    crlf = next(q for q in queries if q.sql.startswith("SELECT 'naïve"))
    assert crlf.sql == "SELECT 'naïve ☃ 𝄞'\n  FROM t\n# a comment in the statement\n WHERE a = 1"
    assert by_sql["SELECT 3"].timestamp == 1705314245.0
    odd = by_sql["SELECT 4"]  # read line by line: a time zone offset, no "SET timestamp"
    assert (odd.timestamp, odd.duration_ms) == (1705314226.5 - 3600, 500.0)
    assert queries[-1].sql == "SELECT 5 FROM t WHERE a = 'no line break at the end'"
    text = _mixed_log()
    for query in queries:  # every entry is placed at its "# Time:" line (or its first header line)
        assert text.split("\n")[query.place.line - 1].startswith(("# Time: ", "# User@Host: "))


@pytest.mark.parametrize("block", [1, 7, 64, 500, 4096])
@pytest.mark.parametrize("text", [_mixed_log(), _mariadb_log() + _mixed_log()])
def test_where_the_blocks_end_changes_nothing(text: str, block: int, monkeypatch: pytest.MonkeyPatch):
    expected = list(read(io.StringIO(text), "slow.log", ReadOptions()))
    monkeypatch.setattr(mysql_slow, "_BLOCK", block)
    assert list(read(io.StringIO(text), "slow.log", ReadOptions())) == expected
    assert list(read_lines(text.splitlines(keepends=True), "slow.log")) == expected


def test_an_entry_cut_off_before_its_statement_does_not_swallow_the_next():
    text = _entry("SELECT 1").split("SET timestamp")[0] + _entry("SELECT 2", second=46)
    events = list(read(io.StringIO(text), "slow.log", ReadOptions()))
    problem, query = events
    assert isinstance(problem, ReadProblem) and problem.place.line == 1 and "truncated" in problem.reason
    assert isinstance(query, QueryEvent) and query.sql == "SELECT 2" and query.place.line == 4


def test_a_generated_log_is_grouped_exactly(tmp_path: Path):
    bench = load_benchmark("workload_mysql_slow")
    log = tmp_path / "slow.log"
    entries, lines = bench.generate(log, 2 << 20)
    result = bench.check_grouping(log, Path(f"{log}.truth"))
    assert result["events"] == entries and result["problems"] == 0 and result["exact"], result
    assert lines > entries * 5


def test_workload_analyze_reads_the_rows_as_the_events_say(tmp_path: Path):
    """``workload analyze`` takes the reader's rows (``read_items``); the result is the one the
    public events give, rows sent and examined included, N+1 findings too."""
    from dbexpert.advisors.workload.aggregate import WorkloadAggregate
    from dbexpert.api.workload import WorkloadOptions, analyze_workload, find_nplusone_in_events

    path = tmp_path / "slow.log"
    lookups = "".join(_entry(f"SELECT * FROM customers WHERE id = {i}", micro=100 + i, session=31) for i in range(7))
    path.write_text(_mixed_log() + "\n" + lookups)
    items = list(mysql_slow.read_items(io.StringIO(path.read_text()), str(path), ReadOptions()))
    rows = [item for item in items if item.__class__ is tuple]
    assert len(rows) == len(_queries(read_events(path))) and all(len(row) == 16 for row in rows)

    result = analyze_workload([str(path)], WorkloadOptions(check_queries=False))
    expected = WorkloadAggregate().add_all(read_events(path))
    assert {k: g.facts() for k, g in result.aggregate.groups.items()} == {
        k: g.facts() for k, g in expected.groups.items()
    }
    assert result.aggregate.groups and all(g.rows_examined is not None for g in result.aggregate.groups.values())
    assert result.aggregate.problems.summary() == expected.problems.summary()
    assert result.aggregate.breakdown("databases") == expected.breakdown("databases")
    findings = find_nplusone_in_events(read_events(path))
    assert [f.rule for f in findings] == ["n-plus-one-queries"]
    assert [(f.rule, f.location, dict(f.evidence)) for f in result.findings] == [
        (f.rule, f.location, dict(f.evidence)) for f in findings
    ]


@pytest.mark.parametrize("name", ["mixed", "mariadb", "captured mariadb", "mysql 8"])
def test_the_usual_forms_read_as_line_by_line_reading_has_them(name: str, monkeypatch: pytest.MonkeyPatch):
    """Entries of the usual forms are read by one regular expression, the rest line by line: both
    ways give the same events (here with every entry read line by line)."""
    text = {
        "mixed": _mixed_log(),
        "mariadb": _mariadb_log(),
        "captured mariadb": (DATA / "mariadb_10_11_slow.log").read_text(),
        "mysql 8": (DATA / "mysql_8_0_slow.log").read_text(),
    }[name]
    pattern = mysql_slow._USUAL_OR_OTHER
    assert len([found for found in pattern.findall(text) if not found[-1]]) >= 4
    fast = list(read(io.StringIO(text), "slow.log", ReadOptions()))
    never = re.compile("(?!)" + "()" * (pattern.groups - 1) + "|" + mysql_slow._OTHER)
    monkeypatch.setattr(mysql_slow, "_USUAL_OR_OTHER", never)
    assert list(read(io.StringIO(text), "slow.log", ReadOptions())) == fast


_LINES = [
    "# Time: 2024-01-15T10:23:45.123456Z",
    "# Time: 2024-01-15T10:23:46Z",
    "# Time: 240115 10:23:47",
    "# Time: 2024-01-15T10:23:45.5+01:00",
    "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    12",
    "# User@Host: root[root] @  [127.0.0.1]",
    "# Thread_id: 41  Schema: shop  QC_hit: No",
    "# Thread_id: 42  Schema:   QC_hit: No",
    "# Query_time: 0.000500  Lock_time: 0.000001 Rows_sent: 1  Rows_examined: 7",
    "# Query_time: 0.001  Lock_time: 0 Rows_sent: 0  Rows_examined: 2 Thread_id: 12 Errno: 0",
    "# Rows_affected: 3  Bytes_sent: 52",
    "# Full_scan: No  Full_join: No",
    "# explain: 1\tSIMPLE\tt",
    "#",
    "# administrator command: Quit;",
    "use shop;",
    "use `we``ird`;",
    "SET timestamp=1705314225;",
    "SELECT a FROM t WHERE id = 1;",
    "  FROM t WHERE b = 'x';",
    "UPDATE t SET a = 2\r",
    "",
    "garbage \x00",
    "Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock",
]


_WHOLE_ENTRIES = [
    _entry("SELECT 1")[:-1],
    _entry("SELECT 2", use="shop", session=13)[:-1],
    _entry("SELECT 3\n  FROM t\n# a comment\n WHERE a = 1", micro=0)[:-1],
    *("# User@Host: " + entry for entry in _mariadb_log()[:-1].split("\n# User@Host: ", 3)[1:3]),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_LINES), st.sampled_from(_WHOLE_ENTRIES)), max_size=30),
    st.sampled_from([1, 5, 64, 1 << 16]),
)
def test_any_mix_of_lines_reads_the_same_either_way(lines: list[str], block: int):
    """Whatever the lines, the regular expression and the line by line reading agree, wherever the
    blocks end, and nothing raises."""
    text = "\n".join(lines) + "\n"
    expected = list(read(io.StringIO(text), "slow.log", ReadOptions()))
    saved_block, saved_pattern = mysql_slow._BLOCK, mysql_slow._USUAL_OR_OTHER
    try:
        mysql_slow._BLOCK = block
        assert list(read(io.StringIO(text), "slow.log", ReadOptions())) == expected
        groups = saved_pattern.groups
        mysql_slow._USUAL_OR_OTHER = re.compile("(?!)" + "()" * (groups - 1) + "|" + mysql_slow._OTHER)
        assert list(read(io.StringIO(text), "slow.log", ReadOptions())) == expected
    finally:
        mysql_slow._BLOCK, mysql_slow._USUAL_OR_OTHER = saved_block, saved_pattern
