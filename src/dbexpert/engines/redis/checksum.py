"""Per-database key counts and order-independent content checksums of a Redis server, for
``backup manifest`` and ``backup verify``.

Keys are listed with SCAN (COUNT, never KEYS; SCAN may return a key twice, so keys are counted once).
Each key's value is read by type — GET, LRANGE, SSCAN, HSCAN, ZSCAN, XRANGE (members and fields
sorted) — and hashed with its name and type into 64 bits (BLAKE2b); the database's checksum is the
sum. Reading values rather than DUMP bytes makes the checksum independent of the server version and
of the internal encoding (listpack or hashtable), which a reload may change. TTLs are not part of it:
they tick down. Module types are hashed by their DUMP payload without its version trailer.

On a live server the reading is not one snapshot: keys written meanwhile change the figures, so
write the manifest right after the backup (or from a replica paused for it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from dbexpert.engines.redis.health import HealthSession
from dbexpert.model import DbexpertError

METHOD = "redis-scan-typed-blake2b-64"
PAGE = 1000


def read_sums(session: HealthSession) -> dict[str, Any]:
    """``{"tables": [{"table": "db0", "rows": keys, "checksum": sum}], "objects": [], "size_bytes": used_memory}``.
    Each SCAN page costs two pipelined round trips (every key's TYPE, then its first read); only values
    longer than a page take more."""
    info = session.call("INFO", "everything")
    databases = sorted(
        int(name[2:]) for name in info if str(name).startswith("db") and str(name)[2:].isdigit()
    )
    tables = []
    for db in databases:
        keys, total = 0, 0
        for page in _pages(session, db):
            keys += len(page)
            total += sum(_page_hashes(session, db, page))
        if keys:
            tables.append({"table": f"db{db}", "rows": keys, "checksum": str(total)})
    return {"tables": tables, "objects": [], "size_bytes": int(info.get("used_memory", 0))}


def _pages(session: HealthSession, db: int) -> Iterator[list[bytes]]:
    """SCAN pages with every key once (SCAN may repeat a key)."""
    seen: set[bytes] = set()
    cursor = 0
    while True:
        cursor, page = session.call("SCAN", cursor, "COUNT", PAGE, db=db)
        fresh = [key for key in page if key not in seen]
        seen.update(fresh)
        if fresh:
            yield fresh
        if int(cursor) == 0:
            return


def _page_hashes(session: HealthSession, db: int, keys: list[bytes]) -> list[int]:
    kinds = [_text(kind) for kind in session.pipeline([("TYPE", key) for key in keys], db=db)]
    firsts = session.pipeline([_first(kind, key) for kind, key in zip(kinds, keys, strict=True)], db=db)
    failed = next((reply for reply in firsts if isinstance(reply, Exception)), None)
    if failed is not None:  # e.g. a key replaced by another type between TYPE and the read
        raise DbexpertError(f"db{db}: reading a key failed while it changed: {failed}; read it again")

    def call(*args: Any) -> Any:
        return session.call(*args, db=db)

    return [
        key_hash(kind, key, _READERS.get(kind, _dumped)(call, key, first))
        for kind, key, first in zip(kinds, keys, firsts, strict=True)
    ]


def key_hash(kind: str, key: bytes, parts: list[bytes]) -> int:
    digest = hashlib.blake2b(digest_size=8)
    for part in (kind.encode(), key, *parts):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return int.from_bytes(digest.digest(), "little")


Call = Callable[..., Any]
Reader = Callable[[Call, bytes, Any], list[bytes]]


def _first(kind: str, key: bytes) -> tuple[Any, ...]:
    """The first read of a key of this type (pipelined for a whole page)."""
    return {
        "string": ("GET", key),
        "list": ("LRANGE", key, 0, PAGE - 1),
        "set": ("SSCAN", key, 0, "COUNT", PAGE),
        "hash": ("HSCAN", key, 0, "COUNT", PAGE),
        "zset": ("ZSCAN", key, 0, "COUNT", PAGE),
        "stream": ("XRANGE", key, b"-", b"+", "COUNT", PAGE),
    }.get(kind, ("DUMP", key))


def _string(call: Call, key: bytes, first: Any) -> list[bytes]:
    return [] if first is None else [first]


def _list(call: Call, key: bytes, first: Any) -> list[bytes]:
    items, page = list(first), first
    while len(page) == PAGE:
        page = call("LRANGE", key, len(items), len(items) + PAGE - 1)
        items += page
    return items


def _scanned(command: str, pairs: bool) -> Reader:
    def read(call: Call, key: bytes, first: Any) -> list[bytes]:
        found: set[tuple[bytes, bytes]] = set()
        cursor, page = first
        while True:
            if isinstance(page, dict):  # redis-py parses HSCAN into a dict
                page = [x for pair in page.items() for x in pair]
            if pairs:
                found |= {(_bytes(a), _bytes(b)) for a, b in _pairs(page)}
            else:
                found |= {(_bytes(a), b"") for a in page}
            if int(cursor) == 0:
                return [part for pair in sorted(found) for part in (pair if pairs else pair[:1])]
            cursor, page = call(command, key, cursor, "COUNT", PAGE)

    return read


def _stream(call: Call, key: bytes, first: Any) -> list[bytes]:
    parts: list[bytes] = []
    page = first
    while True:
        for ident, fields in page:
            parts.append(_bytes(ident))
            items = fields.items() if isinstance(fields, dict) else _pairs(fields)
            parts += [_bytes(x) for pair in items for x in pair]
        if len(page) < PAGE:
            return parts
        page = call("XRANGE", key, b"(" + _bytes(page[-1][0]), b"+", "COUNT", PAGE)


def _dumped(call: Call, key: bytes, first: Any) -> list[bytes]:
    return [] if first is None else [first[:-10]]  # without the RDB version and CRC64 trailer


def _pairs(flat: Any) -> list[tuple[Any, Any]]:
    if flat and isinstance(flat[0], tuple | list):
        return [tuple(x) for x in flat]
    return list(zip(flat[::2], flat[1::2], strict=True))


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    return repr(value).encode() if isinstance(value, float) else str(value).encode()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


_READERS: dict[str, Reader] = {
    "string": _string,
    "list": _list,
    "set": _scanned("SSCAN", pairs=False),
    "hash": _scanned("HSCAN", pairs=True),
    "zset": _scanned("ZSCAN", pairs=True),
    "stream": _stream,
}
