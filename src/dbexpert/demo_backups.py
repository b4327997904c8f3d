"""The demo shop's nightly backups, and the ways real backups get damaged.

Three ``.backup`` copies are taken with SQLite's online backup API (what ``sqlite3 shop.db
'.backup FILE'`` does) while the demo database is being built, at the point a nightly job would:
after the day's data, before the morning's in-place edit of ``sqlite_schema`` (which the live file's
own integrity check reports). Each copy is then damaged the way backups are, and ``dbexpert demo``
verifies it against the finished database with ``backup verify``'s machinery. By the rule that
should report it:

- backup-table-content-differs ... ``shop-2024-06-01.backup``: one byte of a product's name flipped
                                   on the backup disk. The record still parses, so ``PRAGMA
                                   integrity_check`` says ok; only the content checksum sees it.
- backup-schema-object-missing ... ``shop-2024-06-02.backup``: taken halfway through a table
                                   rebuild run outside a transaction (SQLite's way to add the
                                   foreign key ``support_tickets`` lacks): the copy holds
                                   ``support_tickets_new`` and no ``support_tickets``, nor its index
                                   (the missing and extra tables are backup-table-content-differs).
- backup-integrity-check-failed .. ``shop-2024-06-03.backup``: a torn write zeroed the second half
                                   of the first page holding customer 150's ``public_uuid`` (a page
                                   of its unique index): the page no longer adds up.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

BACKUP_FOLDER = "backups"
FLIPPED = "shop-2024-06-01.backup"
MID_REBUILD = "shop-2024-06-02.backup"
TORN_PAGE = "shop-2024-06-03.backup"
NIGHTLY = (FLIPPED, MID_REBUILD, TORN_PAGE)

# Half of SQLite's twelve-step table change, as a migration run statement by statement would leave it.
_REBUILD = (
    """CREATE TABLE support_tickets_new (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    subject TEXT NOT NULL,
    opened_at TEXT NOT NULL
)""",
    "INSERT INTO support_tickets_new SELECT id, customer_id, subject, opened_at FROM support_tickets",
    "DROP TABLE support_tickets",
)


def nightly_backups(folder: Path) -> Callable[[sqlite3.Connection], None]:
    """What the nightly job does to the open database: copy it into ``folder`` once per night."""

    def take(source: sqlite3.Connection) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name in NIGHTLY:
            target = sqlite3.connect(folder / name)
            try:
                source.backup(target)
            finally:
                target.close()

    return take


def damage_backups(folder: Path) -> list[Path]:
    """Damage each copy in ``folder`` its own way; return the copies in night order."""
    _flip_byte_in_a_row(folder / FLIPPED)
    _half_rebuilt(folder / MID_REBUILD)
    _torn_page(folder / TORN_PAGE)
    return [folder / name for name in NIGHTLY]


def _flip_byte_in_a_row(path: Path) -> None:
    """Change one letter of a product name that occurs once in the file (``name`` has no index, so
    nothing else in the file repeats it and the b-trees stay consistent)."""
    with sqlite3.connect(path) as conn:
        names = [row[0].encode() for row in conn.execute("SELECT name FROM products ORDER BY id")]
    conn.close()
    data = bytearray(path.read_bytes())
    name = next(n for n in names if data.count(n) == 1 and len(n) > 3)
    at = data.index(name) + 1
    data[at] = data[at] ^ 0x01  # a single bit: 'a' -> '`', 'o' -> 'n'
    path.write_bytes(bytes(data))


def _half_rebuilt(path: Path) -> None:
    conn = sqlite3.connect(path, isolation_level=None)  # autocommit: each step lands on its own
    try:
        for statement in _REBUILD:
            conn.execute(statement)
    finally:
        conn.close()


def _torn_page(path: Path, page_size: int = 4096) -> None:
    """Zero the second half of the first page holding a customer's UUID, as a write cut short by a
    power loss leaves it."""
    with sqlite3.connect(path) as conn:
        (public_uuid,) = conn.execute("SELECT public_uuid FROM customers WHERE id = 150").fetchone()
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    data = bytearray(path.read_bytes())
    page = data.index(public_uuid.encode()) // page_size
    start = page * page_size + page_size // 2
    data[start : start + page_size // 2] = bytes(page_size // 2)
    path.write_bytes(bytes(data))
