"""``backup manifest``: what a database holds at backup time, to verify its backups against later.

Per table the row count and an order-independent content checksum computed on the server (SQLite:
here, row by row), plus the schema facts a restore must bring back: indexes and constraints, and
whether each is valid. Reading is read-only (a read-only transaction, one snapshot). The manifest is
a small JSON file; ``backup verify --manifest FILE`` compares a restored artifact with it.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbexpert.engines.url import DatabaseUrl, parse_url
from dbexpert.model import Engine, InputError

FORMAT = "dbexpert-backup-manifest"
VERSION = 1


@dataclass(frozen=True, slots=True)
class TableState:
    table: str  # PostgreSQL: schema.name; MySQL and SQLite: name; Redis: the database, "db0"
    rows: int
    checksum: str  # a decimal integer as text (sums exceed 64 bits)


@dataclass(frozen=True, slots=True)
class SchemaObject:
    table: str
    name: str
    kind: str  # "index", "primary key", "foreign key", "unique", "check", ...
    valid: bool  # PostgreSQL: pg_index.indisvalid / pg_constraint.convalidated; always true elsewhere


@dataclass(frozen=True, slots=True)
class Manifest:
    engine: Engine
    method: str  # how the checksums were computed; only equal methods compare
    tables: tuple[TableState, ...]
    objects: tuple[SchemaObject, ...]
    size_bytes: int = 0
    source: str = ""  # redacted URL or file
    created_at: str = ""
    seconds: float = 0.0  # time taken to read it

    def table(self, name: str) -> TableState | None:
        return next((t for t in self.tables if t.table == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "engine": self.engine.value,
            "method": self.method,
            "source": self.source,
            "created_at": self.created_at,
            "size_bytes": self.size_bytes,
            "tables": [{"table": t.table, "rows": t.rows, "checksum": t.checksum} for t in self.tables],
            "objects": [
                {"table": o.table, "name": o.name, "kind": o.kind, "valid": o.valid} for o in self.objects
            ],
        }


def read_database(url: DatabaseUrl) -> Manifest:
    """Read ``url`` (PostgreSQL, MySQL/MariaDB or a SQLite file) read-only into a manifest."""
    started = time.perf_counter()
    if url.engine is Engine.POSTGRES:
        from dbexpert.engines.postgres import checksum as pg

        facts, method = pg.read_sums(url), pg.METHOD
    elif url.engine is Engine.MYSQL:
        from dbexpert.engines.mysql import checksum as my

        facts, method = my.read_sums(url), my.METHOD
    elif url.engine is Engine.SQLITE and url.path is not None:
        from dbexpert.engines.sqlite import checksum as lite

        facts, method = lite.read_sums(url.path), lite.METHOD
    elif url.engine is Engine.REDIS:
        from dbexpert.engines import SessionOptions, connect
        from dbexpert.engines.redis import checksum as rd

        with connect(url, SessionOptions()) as session:
            facts, method = rd.read_sums(session), rd.METHOD  # type: ignore[arg-type]
    else:
        raise InputError(
            f"backup manifests cover PostgreSQL, MySQL/MariaDB, SQLite and Redis; got {url.redacted()}"
        )
    manifest = from_facts(facts, url.engine, method, source=url.redacted())
    return _stamped(manifest, time.perf_counter() - started)


def _stamped(manifest: Manifest, seconds: float) -> Manifest:
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    return Manifest(
        manifest.engine,
        manifest.method,
        manifest.tables,
        manifest.objects,
        manifest.size_bytes,
        manifest.source,
        now,
        seconds,
    )


def create_manifest(url_text: str) -> Manifest:
    return read_database(parse_url(url_text))


def from_facts(
    facts: dict[str, Any], engine: Engine, method: str, *, source: str = "", created_at: str = ""
) -> Manifest:
    """The model of what an engine's ``read_sums`` (or a manifest file) says."""
    return Manifest(
        engine=engine,
        method=method,
        tables=tuple(
            TableState(str(t["table"]), int(t["rows"]), str(t["checksum"])) for t in facts["tables"]
        ),
        objects=tuple(
            SchemaObject(str(o["table"]), str(o["name"]), str(o["kind"]), bool(o["valid"]))
            for o in facts["objects"]
        ),
        size_bytes=int(facts.get("size_bytes", 0)),
        source=source,
        created_at=created_at,
    )


def write_manifest(manifest: Manifest, path: Path | None) -> str:
    """The manifest as JSON; written to ``path`` when given."""
    text = json.dumps(manifest.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if path is not None:
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot write the manifest: {exc.strerror}") from None
    return text


def load_manifest(path: Path) -> Manifest:
    """A manifest file written by ``backup manifest``; InputError with its location when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}:1:1: cannot read the manifest: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}:1:1: expected a dbexpert backup manifest (UTF-8 JSON)") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{exc.lineno}:{exc.colno}: expected a dbexpert backup manifest: {exc.msg}"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputError(f'{path}:1:1: expected a dbexpert backup manifest ("format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise InputError(f"{path}:1:1: expected manifest version {VERSION}, found {data.get('version')!r}")
    try:
        return from_facts(
            data,
            Engine(data["engine"]),
            str(data["method"]),
            source=str(data.get("source", "")),
            created_at=str(data.get("created_at", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{path}:1:1: expected a complete dbexpert backup manifest; bad or missing {exc}"
        ) from None
