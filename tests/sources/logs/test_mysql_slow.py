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
from pathlib import Path

from dbexpert.model import Engine
from dbexpert.model.workload import LogEvent, QueryEvent, ReadProblem
from dbexpert.sources.logs import ReadOptions, detect_format, read_events
from dbexpert.sources.logs.mysql_slow import read_lines, sniff
from dbexpert.sql.fingerprint import fingerprint

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
