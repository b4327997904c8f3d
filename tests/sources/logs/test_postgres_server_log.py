"""The real server's own stderr log: statements run now on a scratch database are read back.

The scratch database gets log_min_duration_statement = 0 (ALTER DATABASE, superuser), so only its
own statements are logged at every duration. The log file is the Debian cluster's
(/var/log/postgresql/postgresql-<version>-main.log) or DBEXPERT_TEST_POSTGRES_LOG; where it cannot
be read (another host, no permission) the test is skipped, saying why.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from dbexpert.model.workload import QueryEvent
from dbexpert.sources.logs._pg_prefix import compile_prefix
from dbexpert.sources.logs.postgres_stderr import read_lines


def _server_log(conn) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    prefix = conn.execute("SHOW log_line_prefix").fetchone()[0]
    given = os.environ.get("DBEXPERT_TEST_POSTGRES_LOG")
    if given:
        return Path(given), prefix
    version = conn.execute("SHOW server_version_num").fetchone()[0][:2]
    return Path(f"/var/log/postgresql/postgresql-{version}-main.log"), prefix


def test_statements_and_parameters_read_back_from_the_server_log(pg_url: str):
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        path, prefix = _server_log(conn)
        if conn.execute("SHOW logging_collector").fetchone()[0] == "on" or not os.access(path, os.R_OK):
            pytest.skip(f"the server's stderr log {path} cannot be read here")
        conn.execute(f'ALTER DATABASE "{name}" SET log_min_duration_statement = 0')
    start = path.stat().st_size
    marker = f"m{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {marker} (id int, note text)")
        conn.execute(f"INSERT INTO {marker} VALUES (1, 'it''s'),\n (2, 'b')")
        conn.execute(
            f"SELECT note FROM {marker} WHERE id = %s AND note = %s", (1, "it's"), prepare=True
        ).fetchall()
    events: list[QueryEvent] = []
    for _ in range(50):  # the server writes its log asynchronously to us
        with path.open("rb") as raw:
            raw.seek(start)
            lines = raw.read().decode("utf-8", "replace").splitlines(keepends=True)
        regex = compile_prefix(prefix).regex
        events = [
            e for e in read_lines(lines, str(path), regex) if isinstance(e, QueryEvent) and marker in e.sql
        ]
        if len(events) >= 3:
            break
        time.sleep(0.1)
    by_kind = {e.sql.split()[0]: e for e in events}
    assert set(by_kind) == {"CREATE", "INSERT", "SELECT"}, events
    assert by_kind["INSERT"].sql == f"INSERT INTO {marker} VALUES (1, 'it''s'),\n (2, 'b')"
    assert by_kind["SELECT"].parameters == ("1", "it's")
    assert by_kind["SELECT"].database == name and by_kind["SELECT"].duration_ms is not None
