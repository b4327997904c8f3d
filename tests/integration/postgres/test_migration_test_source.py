"""``migrations test --source`` on a real PostgreSQL server: synthetic rows imitate the statistics
of a source database (NULL fractions, distinct counts, most common values, row counts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click
import psycopg
import pytest
from click.testing import CliRunner

from dbexpert.api import migration_test as api
from dbexpert.api.migration_test import read_source
from dbexpert.api.migration_test import test_paths as run_test
from dbexpert.cli.migration_test import test_command as migration_test_command
from dbexpert.engines.postgres import scratch
from dbexpert.engines.postgres.synthetic import fill_tables
from dbexpert.engines.url import parse_url
from dbexpert.model import DbexpertError

SCHEMA = """
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    status text NOT NULL DEFAULT 'new',
    note text,
    kind int NOT NULL
);
CREATE TABLE tiny (id int PRIMARY KEY, label text);
"""

SOURCE_ROWS = """
INSERT INTO orders
SELECT g,
       CASE WHEN g % 100 < 90 THEN 'new' WHEN g % 100 < 99 THEN 'paid' ELSE 'shipped' END,
       CASE WHEN g % 10 < 3 THEN NULL ELSE 'note ' || g END,
       g % 5
FROM generate_series(1, 10000) AS g;
INSERT INTO tiny SELECT g, 'x' || g FROM generate_series(1, 40) AS g;
"""


@pytest.fixture
def source_url(pg_url: str) -> str:
    """A production-like database: skewed statuses, 30 % NULL notes, five kinds; analyzed."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
        conn.execute(SOURCE_ROWS)
        conn.execute("ANALYZE")
    return pg_url


def _shape(conn: psycopg.Connection[Any]) -> dict[str, Any]:
    row = conn.execute(
        "SELECT count(*) AS n, count(*) FILTER (WHERE note IS NULL)::float8 / count(*) AS null_notes,"
        " count(DISTINCT status) AS statuses, count(DISTINCT kind) AS kinds,"
        " count(*) FILTER (WHERE status = 'new')::float8 / count(*) AS new,"
        " count(*) FILTER (WHERE status = 'paid')::float8 / count(*) AS paid,"
        " count(*) FILTER (WHERE status = 'shipped')::float8 / count(*) AS shipped,"
        " (SELECT count(*) FROM tiny) AS tiny FROM orders"
    ).fetchone()
    assert isinstance(row, dict)
    return row


def _assert_imitates(shape: dict[str, Any], rows: int) -> None:
    assert shape["n"] == rows  # the source has 10 000 rows: --rows caps
    assert shape["tiny"] == 40  # the source has 40 rows: fewer than the cap
    assert shape["null_notes"] == pytest.approx(0.30, abs=0.05)
    assert shape["statuses"] == 3
    assert shape["kinds"] == 5
    assert shape["new"] == pytest.approx(0.90, abs=0.05)
    assert shape["paid"] == pytest.approx(0.09, abs=0.05)
    assert shape["shipped"] == pytest.approx(0.01, abs=0.05)
    assert shape["shipped"] > 0


def test_generator_imitates_the_source_statistics(source_url):
    source = read_source(source_url)
    orders = source.table("orders")
    assert orders is not None and orders.stats is not None and orders.stats.row_estimate == 10_000
    with scratch.scratch_database(parse_url(source_url)) as db, scratch.connect(db) as conn:
        conn.execute(SCHEMA)
        from dbexpert.engines.base import SessionOptions
        from dbexpert.engines.postgres.connect import PostgresSession

        with PostgresSession.open(db, SessionOptions()) as session:
            catalog = session.introspect()
        result = fill_tables(conn, catalog, 2_000, source)
        assert not result.notes
        assert result.rows == {"public.orders": 2_000, "public.tiny": 40}
        _assert_imitates(_shape(conn), 2_000)
        # without a source nothing changes: every table gets --rows rows of spread values
        conn.execute("TRUNCATE orders, tiny")
        assert fill_tables(conn, catalog, 500).rows == {"public.orders": 500, "public.tiny": 500}
        plain = _shape(conn)
        assert plain["null_notes"] == 0 and plain["statuses"] == 1  # status keeps its default
        assert plain["kinds"] == 500


def test_migrations_test_with_a_source_fills_like_the_source(source_url, tmp_path, monkeypatch):
    seen: list[dict[str, Any]] = []
    original = api.fill_tables

    def observed(conn, catalog, rows, source=None):
        filled = original(conn, catalog, rows, source)
        if catalog.table("orders") is not None:
            seen.append(_shape(conn))
        return filled

    monkeypatch.setattr(api, "fill_tables", observed)
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "V1__schema.sql").write_text(SCHEMA, encoding="utf-8")
    (folder / "V2__index.sql").write_text(
        "CREATE INDEX orders_status_idx ON orders (status);\n", encoding="utf-8"
    )
    result = run_test([folder], source_url, rows=3_000, source_url=source_url)
    assert not result.problems, result.problems
    assert result.report().extra["migrations"][1]["rows_before"] == {
        "public.orders": 3_000,
        "public.tiny": 40,
    }
    _assert_imitates(seen[-1], 3_000)


def _with_password(url: str, password: str, port: int | None = None) -> str:
    parts = urlsplit(url)
    netloc = f"{parts.username or 'postgres'}:{password}@{parts.hostname}:{port or parts.port or 5432}"
    return urlunsplit(parts._replace(netloc=netloc))


def test_cli_accepts_source_and_an_unreachable_source_exits_3(source_url, tmp_path: Path, capsys):
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "V1__schema.sql").write_text(SCHEMA, encoding="utf-8")
    root = click.Group("root")
    root.add_command(migration_test_command)
    runner = CliRunner()
    args = ["test", str(folder), "--url", source_url, "--rows", "50", "-f", "json"]
    ok = runner.invoke(root, [*args, "--source", source_url])
    assert ok.exit_code == 0, ok.output
    secret = "s3cr3t-Pa55"
    failed = runner.invoke(root, [*args, "--source", _with_password(source_url, secret, port=1)])
    assert isinstance(failed.exception, DbexpertError) and failed.exception.exit_code == 3
    assert secret not in str(failed.exception) and secret not in failed.output
    # through the real entry point: one line on stderr, exit code 3, no password
    from dbexpert.cli.main import main

    with pytest.raises(SystemExit) as exited:
        main(["migrations", *args, "--source", _with_password(source_url, secret, port=1)])
    assert exited.value.code == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and secret not in err
