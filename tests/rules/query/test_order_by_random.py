from dbexpert.model import Engine
from tests.rules.query.helpers import findings


def test_random_order_in_each_dialect():
    assert findings("order-by-random", "SELECT id FROM products ORDER BY random() LIMIT 5")
    assert findings("order-by-random", "SELECT id FROM products ORDER BY RAND() LIMIT 5", engine=Engine.MYSQL)
    assert findings(
        "order-by-random", "SELECT id FROM products ORDER BY random() LIMIT 5", engine=Engine.SQLITE
    )


def test_ordinary_order_is_fine():
    assert findings("order-by-random", "SELECT id FROM products ORDER BY id LIMIT 5") == []
