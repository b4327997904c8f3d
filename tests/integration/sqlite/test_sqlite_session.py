"""The live SQLite session on real database files: introspection, probes, safety and errors."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from dbexpert.engines import SessionOptions, connect
from dbexpert.engines.sqlite import SqliteSession, StatementTimeout
from dbexpert.engines.url import DatabaseUrl
from dbexpert.model import Catalog, ConnectError, DbexpertError, Engine, InputError, TypeKind

HOSTILE = 'a"; drop table x; --'

SCHEMA = f"""
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL,
    deleted_at TEXT
);
CREATE UNIQUE INDEX accounts_email_ci ON accounts (lower(email)) WHERE deleted_at IS NULL;
CREATE TABLE shipments (
    region TEXT NOT NULL,
    number INTEGER NOT NULL,
    account_id INTEGER REFERENCES accounts,
    weight_g INTEGER NOT NULL,
    weight_kg REAL GENERATED ALWAYS AS (weight_g / 1000.0) VIRTUAL,
    label TEXT AS ('#' || number) STORED,
    PRIMARY KEY (region, number)
) WITHOUT ROWID;
CREATE TABLE parcels (
    id INTEGER PRIMARY KEY,
    region TEXT NOT NULL,
    number INTEGER NOT NULL,
    FOREIGN KEY (region, number) REFERENCES shipments (region, number) ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE INDEX parcels_shipment ON parcels (region, number DESC);
CREATE TABLE "{HOSTILE.replace('"', '""')}" ("select" TEXT, "order" INTEGER);
CREATE TABLE "Größe ☃" ("naïve col" VARCHAR(12) UNIQUE, "order" INTEGER REFERENCES "{HOSTILE.replace('"', '""')}");
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
CREATE VIEW open_accounts AS SELECT id, email FROM accounts WHERE deleted_at IS NULL;
INSERT INTO accounts (email) VALUES ('a@example.org'), ('b@example.org'), ('c@example.org');
INSERT INTO shipments (region, number, account_id, weight_g) VALUES ('eu', 1, 1, 1500), ('eu', 2, 9, 10), ('us', 1, NULL, 7);
INSERT INTO parcels (region, number) VALUES ('eu', 1), ('eu', 2);
INSERT INTO "{HOSTILE.replace('"', '""')}" VALUES ('x', 1), ('y', 2);
"""


def make_db(path: Path, script: str) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(script)
    conn.close()
    return path


def open_session(path: Path, **options: int) -> SqliteSession:
    url = DatabaseUrl(engine=Engine.SQLITE, scheme="sqlite", path=path)
    return SqliteSession.open(url, SessionOptions(**options))


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return make_db(tmp_path / "shop.db", SCHEMA)


@pytest.fixture
def catalog(shop: Path) -> Catalog:
    with open_session(shop) as session:
        return session.introspect()


def test_keys_and_generated_columns(catalog: Catalog) -> None:
    shipments = catalog.table("shipments")
    assert shipments is not None
    assert shipments.primary_key is not None and shipments.primary_key.columns == ("region", "number")
    assert shipments.engine_options == {"WITHOUT ROWID": "true"}
    weight = shipments.column("weight_kg")
    assert weight is not None and weight.generated == "weight_g / 1000.0" and weight.kind is TypeKind.FLOAT
    assert shipments.column("label").generated == "'#' || number"  # type: ignore[union-attr]
    (fk,) = shipments.foreign_keys
    assert (fk.columns, fk.ref_table, fk.ref_columns) == (("account_id",), "accounts", ("id",))
    parcels = catalog.table("parcels")
    assert parcels is not None
    (composite,) = parcels.foreign_keys
    assert composite.columns == ("region", "number") and composite.ref_columns == ("region", "number")
    assert (composite.on_delete, composite.on_update) == ("CASCADE", "RESTRICT")
    (index,) = parcels.indexes
    assert index.columns == ("region", "number") and index.keys[1].descending


def test_autoincrement_partial_expression_index_and_view(catalog: Catalog) -> None:
    accounts = catalog.table("accounts")
    assert accounts is not None
    assert accounts.columns[0].autoincrement and accounts.columns[0].attrs["rowid_alias"]
    (index,) = accounts.indexes
    assert index.unique and index.where == "deleted_at IS NULL" and index.expressions == ("lower(email)",)
    assert [v.name for v in catalog.views] == ["open_accounts"]
    assert catalog.views[0].definition == "SELECT id, email FROM accounts WHERE deleted_at IS NULL"
    assert catalog.table("counters").engine_options == {"STRICT": "true"}  # type: ignore[union-attr]
    assert "sqlite_sequence" not in [t.name for t in catalog.tables]


def test_hostile_and_unicode_names(catalog: Catalog) -> None:
    hostile = catalog.table(HOSTILE)
    assert hostile is not None and hostile.column_names == ("select", "order")
    snow = catalog.table("Größe ☃")
    assert snow is not None
    assert snow.column("naïve col").length == 12  # type: ignore[union-attr]
    assert snow.uniques[0].columns == ("naïve col",)
    (fk,) = snow.foreign_keys
    assert fk.ref_table == HOSTILE and fk.ref_columns == ()  # the parent has no key to resolve to


def test_settings_and_no_stats_before_analyze(catalog: Catalog) -> None:
    assert catalog.engine is Engine.SQLITE and catalog.database == "shop.db" and catalog.live
    assert catalog.version is not None and catalog.version.major == 3
    assert {"journal_mode", "foreign_keys", "page_size", "page_count", "user_version"} <= set(
        catalog.settings
    )
    assert catalog.attrs["analyzed"] is False
    assert all(t.stats is None for t in catalog.tables)


def test_stats_after_analyze(shop: Path) -> None:
    make_db(shop, "ANALYZE;")
    with open_session(shop) as session:
        catalog = session.introspect()
    assert catalog.attrs["analyzed"] is True
    shipments = catalog.table("shipments")
    assert shipments is not None and shipments.stats is not None and shipments.stats.row_estimate == 3
    assert shipments.column("region").stats.distinct == 2  # type: ignore[union-attr]


def test_round_trips_do_not_grow_with_tables(tmp_path: Path) -> None:
    def trips(count: int) -> int:
        script = "".join(
            f"CREATE TABLE t{i} (id INTEGER PRIMARY KEY, p INTEGER REFERENCES t0, v TEXT UNIQUE);"
            f"CREATE INDEX t{i}_p ON t{i} (p);"
            for i in range(count)
        )
        with open_session(make_db(tmp_path / f"n{count}.db", script)) as session:
            before = session.round_trips
            assert len(session.introspect().tables) == count
            return session.round_trips - before

    assert trips(5) == trips(50) <= 7


def test_probes(shop: Path) -> None:
    with open_session(shop) as session:
        catalog = session.introspect()
        hostile, shipments, accounts = (
            catalog.table(HOSTILE),
            catalog.table("shipments"),
            catalog.table("accounts"),
        )
        assert hostile is not None and shipments is not None and accounts is not None
        assert sorted(session.probe.sample_values(hostile, "select")) == ["x", "y"]
        assert session.probe.sample_values(hostile, "order", limit=1) == ["1"]
        assert session.probe.count_orphans(shipments, ("account_id",), accounts, ("id",)) == (2, 1)
        assert session.probe.count_orphans(shipments, ("account_id",), accounts, ("id",), limit=1) == (1, 0)


def test_session_never_writes(shop: Path) -> None:
    digest = hashlib.sha256(shop.read_bytes()).hexdigest()
    with open_session(shop) as session:
        catalog = session.introspect()
        session.probe.sample_values(catalog.table("accounts"), "email")  # type: ignore[arg-type]
        with pytest.raises(DbexpertError, match="readonly"):
            session.run("INSERT INTO accounts (email) VALUES ('evil@example.org')")
        with pytest.raises(DbexpertError):
            session.run("CREATE TABLE intruder (x)")
    assert hashlib.sha256(shop.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in shop.parent.iterdir()) == ["shop.db"]  # no journal or WAL left behind


def test_missing_file_is_a_connect_error_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    with pytest.raises(ConnectError, match="no such SQLite database"):
        open_session(missing)
    with pytest.raises(ConnectError):
        connect(f"sqlite:///{missing}")
    assert not missing.exists()


def test_text_file_is_an_input_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("this is not a database, just some notes\n" * 20)
    with pytest.raises(InputError, match="not a SQLite database"):
        connect(str(text))


def test_directory_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        open_session(tmp_path)


def test_awkward_file_names(tmp_path: Path) -> None:
    odd = make_db(tmp_path / "my shop?v=1#%20.db", "CREATE TABLE t (id INTEGER PRIMARY KEY);")
    with open_session(odd) as session:
        assert [t.name for t in session.introspect().tables] == ["t"]


def test_statement_timeout(shop: Path) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    with open_session(shop, statement_timeout_ms=50) as session:
        with pytest.raises(StatementTimeout, match="50 ms"):
            session.run(endless)
        assert session.run("SELECT 1") == [(1,)]  # the session stays usable
