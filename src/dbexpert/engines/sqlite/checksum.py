"""Per-table row counts and content checksums, schema facts and ``PRAGMA integrity_check`` for SQLite files.

SQLite has no hash function in SQL, so rows are read and hashed here: the checksum of a table is
the sum of the first 64 bits of the BLAKE2b digest of each row's canonical text (every value tagged
with its storage class, so 1, 1.0, '1' and x'31' differ). The sum does not depend on row order.

``integrity_check`` proves the file's structure (pages, b-trees, indexes matching tables); it does
not know what the rows should contain, so a byte changed inside a row's payload passes it. Only the
comparison of these checksums with the source or a manifest catches that.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Any

from dbexpert.model import InputError

METHOD = "sqlite:sum(blake2b-64(typed row text))"


def _open(path: Path) -> sqlite3.Connection:
    """A read-only connection; ``immutable`` keeps SQLite from touching (or wanting) a journal beside the copy."""
    if not path.is_file():
        raise InputError(f"{path}:1:1: expected a SQLite database file; not found")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    conn.text_factory = bytes  # read text as stored, even when it is not valid UTF-8
    return conn


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _canonical(value: Any) -> bytes:
    if value is None:
        return b"n"
    if isinstance(value, int):
        return b"i" + str(value).encode()
    if isinstance(value, float):
        return b"r" + repr(value).encode()
    if isinstance(value, bytes):  # TEXT (text_factory) and BLOB alike: typeof() told them apart in the query
        return b"b" + value.hex().encode()
    return b"?" + repr(value).encode()


def row_hash(row: tuple[Any, ...]) -> int:
    text = b"\x1f".join(_canonical(v) for v in row)
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def read_sums(path: Path) -> dict[str, Any]:
    """Count and checksum every table of the file; the manifest's shape (see ``engines.postgres.checksum``)."""
    try:
        conn = _open(path)
        try:
            return _read(conn, path)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}:1:1: expected a readable SQLite database: {exc}") from None


def _read(conn: sqlite3.Connection, path: Path) -> dict[str, Any]:
    names = [
        row[0].decode()
        for row in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
            " ORDER BY name"
        )
    ]
    tables = []
    for name in names:
        columns = [row[1].decode() for row in conn.execute(f"PRAGMA table_info({_quote(name)})")]
        # typeof() beside each value: TEXT and BLOB both come back as bytes here.
        select = ", ".join(f"typeof({_quote(c)}), {_quote(c)}" for c in columns) or "1"
        rows = 0
        total = 0
        for row in conn.execute(f"SELECT {select} FROM {_quote(name)}"):
            rows += 1
            total += row_hash(row)
        tables.append({"table": name, "rows": rows, "checksum": str(total)})
    objects: list[dict[str, Any]] = [
        {"table": row[0].decode(), "name": row[1].decode(), "kind": "index", "valid": True}
        for row in conn.execute(
            "SELECT tbl_name, name FROM sqlite_schema WHERE type = 'index' ORDER BY tbl_name, name"
        )
    ]
    for name in names:
        for fk in conn.execute(f"PRAGMA foreign_key_list({_quote(name)})"):
            target = fk[2].decode() if isinstance(fk[2], bytes) else str(fk[2])
            objects.append(
                {"table": name, "name": f"fk{fk[0]}->{target}", "kind": "foreign key", "valid": True}
            )
    return {"tables": tables, "objects": objects, "size_bytes": path.stat().st_size}


def integrity_problems(path: Path, limit: int = 20) -> list[str]:
    """What ``PRAGMA integrity_check`` reports (empty when it says ok)."""
    try:
        conn = _open(path)
        try:
            rows = [row[0] for row in conn.execute(f"PRAGMA integrity_check({int(limit)})")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    messages = [r.decode("utf-8", "replace") if isinstance(r, bytes) else str(r) for r in rows]
    return [] if messages == ["ok"] else messages
