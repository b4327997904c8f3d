"""The bundled demo: a small online shop in SQLite with real, planted design flaws.

``dbexpert demo`` builds this database and audits it, so anyone can see what the tool reports
without a server. The data is generated from a fixed seed, so every build has the same schema,
the same rows and (with the same SQLite library) the same bytes.

Planted flaws, by the rule that should report them:

- table-without-primary-key ........ ``audit_log`` has no key at all (and ``product_tags``).
- uuid-stored-as-text .............. ``customers.public_uuid VARCHAR(36)`` holds UUIDs as text.
- fixed-width-char ................. ``addresses.postal_code CHAR(10)``.
- float-for-money .................. ``products.price``, ``orders.total``, ``payments.amount`` are REAL.
- flag-instead-of-boolean .......... ``products.is_active TEXT CHECK (is_active IN ('Y','N'))``.
- foreign-key-without-index ........ ``order_items.product_id`` references products, unindexed.
- missing-foreign-key .............. ``support_tickets.customer_id`` has no FK, and three orphan rows.
- one-to-one-without-unique ........ ``customer_profiles.customer_id``: one profile per customer,
                                     enforced by nothing (its index is not unique).
- junction-table-without-unique-pair ``product_tags (product_id, tag_id)``: no key, no unique pair.
- foreign-key-type-mismatch ........ ``reviews.product_id TEXT`` references ``products.id INTEGER``.
- duplicate-index .................. ``products_category`` and ``products_category_id_idx``.
- redundant-prefix-index ........... ``orders_customer`` is a prefix of ``orders_customer_placed``.
- low-cardinality-index ............ ``audit_log_action``: three values in 12,000 rows (ANALYZEd;
                                     the rule wants at least 10,000 rows).
- repeating-column-group ........... ``customers.phone1``, ``phone2``, ``phone3``.
- delimited-list-in-column ......... ``products.tags`` holds ``'a,b,c'`` lists.

Planted operational flaws, found by the health rules on the finished file:

- sqlite-journal-mode-not-wal ...... the file is left in the default rollback journal mode.
- sqlite-foreign-keys-not-enforced . the schema declares foreign keys; SQLite enforces them only on
                                     connections that turn ``PRAGMA foreign_keys`` on.
- sqlite-missing-analyze ........... ``page_views`` (3,000 rows) was filled after the last ANALYZE.
- sqlite-freelist-waste ............ a dropped ``import_batch`` table left its pages on the freelist.
- sqlite-integrity-check-failed .... ``audit_log.details`` was made NOT NULL by editing
                                     ``sqlite_schema`` (writable_schema) over NULL rows.

The rest is meant to be clean: ``categories``, ``tags``, ``coupons`` (a natural key, WITHOUT
ROWID), ``order_items`` (composite key, WITHOUT ROWID), ``warehouses`` and ``stock_levels``, a
case-insensitive unique expression index on e-mails, a partial index on pending orders (what an index on ``orders.status`` should
be), and a view.

Around the database, ``dbexpert demo`` tours the shop's other artefacts (each module's docstring
says what it plants and where):

- ``demo_queries``: its application queries, one per query rule, and four slow plans.
- ``demo_code``: its application code (SQLAlchemy, Django, a TypeScript Prisma route) with
  query-in-loop, lazy-load-in-loop, prefetch-bypassed and per-row-write-in-loop.
- ``demo_trace``: a trace recorded by running its requests on a copy of this database, timed:
  n-plus-one-queries, per-row-inserts and duplicate-queries.
- ``demo_backups``: three nightly ``.backup`` copies, taken (through ``build_demo_database``'s
  ``nightly`` hook) before the ``sqlite_schema`` edit above and then damaged:
  backup-table-content-differs, backup-schema-object-missing, backup-integrity-check-failed.
"""

from __future__ import annotations

import os
import random
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

SEED = 20240501
_EPOCH = datetime(2024, 1, 1, 9, 0, 0)

SCHEMA = """
CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES categories (id),
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    public_uuid VARCHAR(36) NOT NULL UNIQUE,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL,
    phone1 TEXT,
    phone2 TEXT,
    phone3 TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX customers_email_ci ON customers (lower(email));

CREATE TABLE customer_profiles (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    bio TEXT,
    birth_date TEXT,
    marketing_opt_in INTEGER NOT NULL DEFAULT 0 CHECK (marketing_opt_in IN (0, 1))
);
CREATE INDEX customer_profiles_customer ON customer_profiles (customer_id);

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('billing', 'shipping')),
    line1 TEXT NOT NULL,
    city TEXT NOT NULL,
    postal_code CHAR(10) NOT NULL,
    country TEXT NOT NULL
);
CREATE INDEX addresses_customer ON addresses (customer_id);

CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    category_id INTEGER NOT NULL REFERENCES categories (id),
    name TEXT NOT NULL,
    price REAL NOT NULL,
    is_active TEXT NOT NULL DEFAULT 'Y' CHECK (is_active IN ('Y', 'N')),
    tags TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX products_category ON products (category_id);
CREATE INDEX products_category_id_idx ON products (category_id);

CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE product_tags (
    product_id INTEGER NOT NULL REFERENCES products (id),
    tag_id INTEGER NOT NULL REFERENCES tags (id)
);
CREATE INDEX product_tags_product ON product_tags (product_id);
CREATE INDEX product_tags_tag ON product_tags (tag_id);

CREATE TABLE coupons (
    code TEXT NOT NULL PRIMARY KEY,
    percent_off INTEGER NOT NULL CHECK (percent_off BETWEEN 1 AND 90),
    valid_until TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    shipping_address_id INTEGER REFERENCES addresses (id),
    coupon_code TEXT REFERENCES coupons (code),
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'shipped')),
    total REAL NOT NULL,
    placed_at TEXT NOT NULL
);
CREATE INDEX orders_customer ON orders (customer_id);
CREATE INDEX orders_customer_placed ON orders (customer_id, placed_at);
CREATE INDEX orders_shipping_address ON orders (shipping_address_id);
CREATE INDEX orders_coupon ON orders (coupon_code);
CREATE INDEX orders_pending ON orders (placed_at) WHERE status = 'pending';

CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no INTEGER NOT NULL,
    product_id INTEGER NOT NULL REFERENCES products (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

CREATE TABLE payments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    amount REAL NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('card', 'paypal', 'transfer')),
    paid_at TEXT NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY,
    product_id TEXT NOT NULL REFERENCES products (id),
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    body TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX reviews_product ON reviews (product_id);
CREATE INDEX reviews_customer ON reviews (customer_id);

CREATE TABLE support_tickets (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    opened_at TEXT NOT NULL
);
CREATE INDEX support_tickets_customer ON support_tickets (customer_id);

CREATE TABLE warehouses (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    city TEXT NOT NULL
);

CREATE TABLE stock_levels (
    product_id INTEGER NOT NULL REFERENCES products (id),
    warehouse_id INTEGER NOT NULL REFERENCES warehouses (id),
    quantity INTEGER NOT NULL CHECK (quantity >= 0),
    PRIMARY KEY (product_id, warehouse_id)
) WITHOUT ROWID;
CREATE INDEX stock_levels_warehouse ON stock_levels (warehouse_id);

CREATE TABLE audit_log (
    happened_at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    details TEXT
);
CREATE INDEX audit_log_action ON audit_log (action);

CREATE VIEW order_totals AS
SELECT o.id AS order_id, o.customer_id, sum(i.quantity * i.unit_price_cents) AS items_cents
FROM orders AS o JOIN order_items AS i ON i.order_id = o.id
GROUP BY o.id, o.customer_id;
"""

_FIRST = (
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "Ken",
    "Radia",
    "Linus",
    "Margaret",
    "Niklaus",
)
_LAST = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "Thompson",
    "Perlman",
    "Hamilton",
)
_CITIES = (
    ("Lyon", "FR"),
    ("Porto", "PT"),
    ("Ghent", "BE"),
    ("Graz", "AT"),
    ("Turku", "FI"),
    ("Bergen", "NO"),
)
_CATEGORIES = ("books", "games", "garden", "kitchen", "music", "office", "outdoor", "toys")
_TAGS = (
    "new",
    "sale",
    "eco",
    "gift",
    "bestseller",
    "handmade",
    "imported",
    "limited",
    "bundle",
    "refurbished",
)
_STATUSES = ("pending", "paid", "shipped")

N_CUSTOMERS = 300
N_PRODUCTS = 200
N_ORDERS = 1200
N_AUDIT_EVENTS = 12_000
N_PAGE_VIEWS = 3000
PAGE_VIEWS = """
CREATE TABLE page_views (
    id INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL,
    path TEXT NOT NULL,
    viewed_at TEXT NOT NULL
)
"""
ORPHAN_TICKETS = 3


def _at(rng: random.Random, days: int = 365) -> str:
    return (_EPOCH + timedelta(minutes=rng.randrange(days * 24 * 60))).isoformat(sep=" ")


def _rows(rng: random.Random) -> dict[str, Sequence[Sequence[Any]]]:
    """Every table's rows, in insertion order, from one seeded generator."""
    rows: dict[str, Sequence[Sequence[Any]]] = {}
    rows["categories"] = [(1, None, "all", "All products")] + [
        (i + 2, 1, slug, slug.title()) for i, slug in enumerate(_CATEGORIES)
    ]
    customers = []
    for cid in range(1, N_CUSTOMERS + 1):
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        phones: list[str | None] = [
            f"+33 6 {rng.randrange(10**7, 10**8)}" for _ in range(rng.choice((1, 1, 2, 3)))
        ]
        phones += [None] * (3 - len(phones))
        public_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        email = f"{name.lower().replace(' ', '.')}.{cid}@example.org"
        customers.append((cid, public_uuid, email, name, *phones, _at(rng)))
    rows["customers"] = customers
    # Every sixth customer never filled in a profile; the others have exactly one.
    with_profile = [cid for cid in range(1, N_CUSTOMERS + 1) if cid % 6 != 0]
    rows["customer_profiles"] = [
        (i, cid, f"Customer since {2020 + cid % 4}.", f"19{50 + cid % 50}-0{1 + cid % 9}-1{cid % 9}", cid % 2)
        for i, cid in enumerate(with_profile, start=1)
    ]
    addresses: list[tuple[int, int, str, str, str, str, str]] = []
    for cid in range(1, N_CUSTOMERS + 1):
        for kind in ("billing", "shipping")[: rng.choice((1, 2))]:
            city, country = rng.choice(_CITIES)
            addresses.append(
                (
                    len(addresses) + 1,
                    cid,
                    kind,
                    f"{rng.randrange(1, 200)} Main Street",
                    city,
                    f"{rng.randrange(10000, 99999)}",
                    country,
                )
            )
    rows["addresses"] = addresses
    products = []
    for pid in range(1, N_PRODUCTS + 1):
        tags = ",".join(sorted(rng.sample(_TAGS, rng.randrange(0, 4)))) or None
        price = round(rng.uniform(2, 250), 2)
        active = "N" if pid % 17 == 0 else "Y"
        products.append(
            (
                pid,
                f"SKU-{pid:05d}",
                rng.randrange(2, len(_CATEGORIES) + 2),
                f"Product {pid}",
                price,
                active,
                tags,
                _at(rng),
            )
        )
    rows["products"] = products
    rows["tags"] = [(i, tag) for i, tag in enumerate(_TAGS, start=1)]
    pairs = [
        (pid, tid) for pid in range(1, N_PRODUCTS + 1) for tid in rng.sample(range(1, len(_TAGS) + 1), 2)
    ]
    pairs += pairs[:5]  # the duplicates a missing unique pair lets in
    rows["product_tags"] = pairs
    rows["coupons"] = [(f"WELCOME{p}", p, "2025-12-31") for p in (5, 10, 15)] + [
        ("SUMMER24", 20, "2024-09-01")
    ]
    shipping = {a[1]: a[0] for a in addresses}
    prices = {p[0]: p[4] for p in products}
    orders: list[tuple[int, int, int, str | None, str, float, str]] = []
    items: list[tuple[int, int, int, int, int]] = []
    payments: list[tuple[int, int, float, str, str]] = []
    for oid in range(1, N_ORDERS + 1):
        cid = rng.randrange(1, N_CUSTOMERS + 1)
        lines = [(rng.randrange(1, N_PRODUCTS + 1), rng.randrange(1, 4)) for _ in range(rng.randrange(1, 5))]
        for line_no, (pid, qty) in enumerate(lines, start=1):
            items.append((oid, line_no, pid, qty, round(prices[pid] * 100)))
        total = sum(prices[pid] * qty for pid, qty in lines)
        status = rng.choices(_STATUSES, weights=(1, 3, 6))[0]
        coupon = rng.choice((None, None, None, "WELCOME10", "SUMMER24"))
        placed = _at(rng)
        orders.append((oid, cid, shipping[cid], coupon, status, total, placed))
        if status != "pending":
            payments.append(
                (len(payments) + 1, oid, total, rng.choice(("card", "paypal", "transfer")), placed)
            )
    rows["orders"], rows["order_items"], rows["payments"] = orders, items, payments
    rows["reviews"] = [
        (
            i,
            str(rng.randrange(1, N_PRODUCTS + 1)),
            rng.randrange(1, N_CUSTOMERS + 1),
            rng.randrange(1, 6),
            None,
            _at(rng),
        )
        for i in range(1, 401)
    ]
    tickets = [
        (i, rng.randrange(1, N_CUSTOMERS + 1), f"Question about order {i}", _at(rng)) for i in range(1, 81)
    ]
    tickets += [(81 + i, N_CUSTOMERS + 1000 + i, "Account deleted?", _at(rng)) for i in range(ORPHAN_TICKETS)]
    rows["support_tickets"] = tickets
    rows["warehouses"] = [(1, "LYS", "Lyon"), (2, "OPO", "Porto"), (3, "GRZ", "Graz")]
    rows["stock_levels"] = [
        (pid, wid, rng.randrange(0, 500)) for pid in range(1, N_PRODUCTS + 1) for wid in (1, 2, 3)
    ]
    rows["audit_log"] = [
        (
            _at(rng),
            rng.choice(("admin", "system", "support")),
            rng.choice(("login", "refund", "export")),
            None,
        )
        for _ in range(N_AUDIT_EVENTS)
    ]
    return rows


def _insert(conn: sqlite3.Connection, table: str, rows: Iterable[Sequence[Any]]) -> None:
    rows = list(rows)
    placeholders = ", ".join("?" * len(rows[0]))
    conn.executemany(f"INSERT INTO {table} VALUES ({placeholders})", rows)


def build_demo_database(path: Path, nightly: Callable[[sqlite3.Connection], None] | None = None) -> None:
    """Create the demo shop database at ``path`` (replacing a file already there).

    ``nightly`` is called with the open database where a nightly backup job would copy it: after the
    data, before the in-place schema edit (so its copies pass their own integrity check)."""
    path = Path(path)
    partial = path.with_name(path.name + ".building")
    partial.unlink(missing_ok=True)
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        # Nothing to recover from while building a throwaway file: skip the journal and fsyncs.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA foreign_keys = ON")  # the data must satisfy every declared key
        conn.execute("BEGIN")
        _run_script(conn, SCHEMA)
        for table, rows in _rows(random.Random(SEED)).items():
            _insert(conn, table, rows)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        _plant_operational_flaws(conn, random.Random(SEED + 1), nightly)
    finally:
        conn.close()
    os.replace(partial, path)


def _plant_operational_flaws(
    conn: sqlite3.Connection, rng: random.Random, nightly: Callable[[sqlite3.Connection], None] | None
) -> None:
    """What a file gathers in use, after the schema: a table filled after the last ANALYZE, the free
    pages a dropped import table leaves behind, and a column declared NOT NULL by editing
    sqlite_schema in place while its old rows are NULL."""
    conn.execute("BEGIN")
    conn.execute(PAGE_VIEWS)
    _insert(
        conn,
        "page_views",
        (
            (i, f"s{rng.randrange(10**6):06d}", f"/products/{rng.randrange(1, N_PRODUCTS + 1)}", _at(rng, 30))
            for i in range(1, N_PAGE_VIEWS + 1)
        ),
    )
    conn.execute("CREATE TABLE import_batch (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
    _insert(conn, "import_batch", ((i, "x" * 500) for i in range(1, 4001)))
    conn.execute("COMMIT")
    conn.execute("DROP TABLE import_batch")  # its pages go to the freelist: no auto_vacuum, no VACUUM
    if nightly is not None:
        nightly(conn)
    # The shortcut people take because SQLite has no ALTER COLUMN ... SET NOT NULL.
    conn.execute("PRAGMA writable_schema = ON")
    conn.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, 'details TEXT', 'details TEXT NOT NULL') "
        "WHERE name = 'audit_log'"
    )
    conn.execute("PRAGMA writable_schema = OFF")


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run DDL statement by statement inside the open transaction (executescript would commit it)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
