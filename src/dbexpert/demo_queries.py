"""The demo shop's application queries: what its code sends to the database, flaws included.

``dbexpert demo`` checks them against the demo database (each rewrite verified there, read-only)
and explains the slow ones with SQLite's EXPLAIN QUERY PLAN. Each query is preceded by a comment
naming the rule that should report it; the last ones are meant to be clean.
"""

from __future__ import annotations

QUERIES = """\
-- select-star: the product page reads every column, tags and all
SELECT * FROM products WHERE id = 17;

-- not-in-subquery: coupons never used; orders.coupon_code is nullable, so this returns nothing
SELECT code FROM coupons WHERE code NOT IN (SELECT coupon_code FROM orders);

-- comparison-with-null: tickets of deleted customers (always empty)
SELECT id FROM support_tickets WHERE subject = NULL;

-- offset-pagination: page 60 of the order history
SELECT id, total FROM orders ORDER BY id LIMIT 20 OFFSET 1200;

-- order-by-random: "you may also like"
SELECT id, name FROM products ORDER BY random() LIMIT 4;

-- update-or-delete-without-where: a clean-up job that forgot its filter
DELETE FROM audit_log;

-- correlated-scalar-subquery: order count per customer, one subquery per row
SELECT c.id, c.full_name, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) AS orders
FROM customers c ORDER BY c.id;

-- count-for-existence: does the customer have any order?
SELECT (SELECT count(*) FROM orders WHERE customer_id = 42) > 0 AS has_orders;

-- distinct-hides-join-fanout: customers who bought something, one row per order line first
SELECT DISTINCT c.full_name FROM customers c JOIN orders o ON o.customer_id = c.id;

-- union-instead-of-union-all: the two branches can never return the same row
SELECT id, 'pending' AS state FROM orders WHERE status = 'pending'
UNION SELECT id, 'shipped' AS state FROM orders WHERE status = 'shipped';

-- implicit-cross-join: every product with every warehouse, by accident
SELECT p.sku, w.code FROM products p, warehouses w WHERE p.is_active = 'Y';

-- having-without-aggregate: the filter belongs before the grouping
SELECT status, count(*) FROM orders GROUP BY status HAVING status <> 'pending';

-- non-aggregated-group-by-column: which placed_at does SQLite pick?
SELECT customer_id, placed_at, count(*) FROM orders GROUP BY customer_id;

-- join-key-type-mismatch: reviews.product_id is TEXT, products.id INTEGER
SELECT p.name, r.rating FROM reviews r JOIN products p ON p.id = r.product_id WHERE r.rating = 1;

-- insert-without-column-list: breaks the day a column is added
INSERT INTO tags VALUES (1000, 'clearance');

-- limit-without-order-by: "latest" reviews in whatever order the scan returns
SELECT id, body FROM reviews WHERE rating = 5 LIMIT 10;

-- in-subquery: IN over a subquery inside an OR
SELECT id FROM orders WHERE status = 'pending' OR customer_id IN (SELECT customer_id FROM support_tickets);

-- non-sargable-predicate: the index on (customer_id, placed_at) cannot serve date()
SELECT id FROM orders WHERE customer_id = 7 AND date(placed_at) = '2024-03-01';

-- leading-wildcard-like: product search
SELECT id, name FROM products WHERE name LIKE '%lamp%';

-- or-across-columns: one index per column, but an OR across them
SELECT id FROM orders WHERE customer_id = 7 OR total > 500;

-- between-timestamps: March, minus everything after midnight on the 31st
SELECT count(*) FROM payments WHERE paid_at BETWEEN '2024-03-01' AND '2024-03-31';

-- large-in-list: a cart page that inlines every product id
SELECT id, price FROM products WHERE id IN ({ids});

-- clean: the customer's recent orders, by the composite index
SELECT id, total, placed_at FROM orders WHERE customer_id = 7 ORDER BY placed_at DESC LIMIT 20;

-- clean: keyset pagination
SELECT id, total FROM orders WHERE id > 1200 ORDER BY id LIMIT 20;
""".format(ids=", ".join(str(n) for n in range(1, 121)))

# Explained with EXPLAIN QUERY PLAN on the demo database: SQLite's own view of the slow shapes.
PLANS = (
    # sqlite-full-scan: no index on full_name
    "SELECT id FROM customers WHERE full_name = 'Ada Lovelace'",
    # sqlite-temp-b-tree: sorting by an unindexed column
    "SELECT id, name FROM products ORDER BY price DESC LIMIT 10",
    # sqlite-correlated-subquery: a subquery run per customer
    "SELECT c.id, (SELECT max(o.total) FROM orders o WHERE o.status = c.full_name) FROM customers c",
    # sqlite-automatic-index: SQLite builds a throwaway index for this join on every run
    "SELECT t.subject, p.amount FROM support_tickets t JOIN payments p ON p.paid_at = t.opened_at",
)
