"""A small shop in an in-memory SQLite database, to run a query and its rewrite on the same rows."""

from __future__ import annotations

import sqlite3
from collections import Counter

SCHEMA = """
CREATE TABLE customers (id integer PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL, region text);
CREATE TABLE suppliers (id integer PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE orders (id integer PRIMARY KEY, customer_id integer NOT NULL, status text NOT NULL,
                     total numeric NOT NULL, coupon_code text);
"""

# Customers with no order, one order, several orders, NULL coupons and a NULL region: the cases
# where a rewrite would differ if it were wrong.
ROWS = """
INSERT INTO customers VALUES (1, 'a@x', 'Ann', 'eu'), (2, 'b@x', 'Bob', 'us'), (3, 'c@x', 'Ann', NULL),
                             (4, 'd@x', 'Dan', 'eu');
INSERT INTO suppliers VALUES (1, 's@x', 'Sam'), (2, 'a@x', 'Ann');
INSERT INTO orders VALUES (10, 1, 'paid', 120, NULL), (11, 1, 'paid', 80, 'SPRING'), (12, 1, 'open', 5, NULL),
                          (13, 2, 'open', 2000, NULL), (14, 3, 'refunded', 40, 'SPRING');
"""


def rows(sql: str) -> Counter[tuple[object, ...]]:
    """The rows ``sql`` returns on the shop data, as a multiset (order does not matter)."""
    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(SCHEMA + ROWS)
        return Counter(tuple(row) for row in connection.execute(sql).fetchall())
    finally:
        connection.close()
