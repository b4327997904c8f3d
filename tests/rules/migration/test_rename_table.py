from dbexpert.model import Engine
from tests.rules.migration_helpers import lint

RULE = "rename-table"


def test_rename_table_fires_with_a_view_under_the_new_name():
    [finding] = lint("ALTER TABLE orders RENAME TO purchases;", RULE)
    assert finding.location.object == "public.orders"
    assert finding.fix.sql.startswith("CREATE VIEW purchases AS SELECT * FROM orders;")
    assert "CREATE VIEW orders AS SELECT * FROM purchases;" in finding.fix.sql


def test_mysql_rename_table_fires():
    assert len(lint("ALTER TABLE orders RENAME TO purchases;", RULE, Engine.MYSQL)) == 1


def test_tables_created_in_the_same_migration_and_views_are_clean():
    assert lint("CREATE TABLE t (id int);\nALTER TABLE t RENAME TO u;", RULE) == []
    assert lint("CREATE VIEW purchases AS SELECT * FROM orders;", RULE) == []


def test_mysql_rename_table_statement_fires_once_per_existing_table():
    findings = lint(
        "RENAME TABLE orders TO purchases, `shop`.`items` TO `shop`.`products`;", RULE, Engine.MYSQL
    )
    assert [f.location.object for f in findings] == ["orders", "shop.items"]


def test_mysql_atomic_swap_and_new_tables_are_clean():
    swap = "CREATE TABLE orders_new LIKE orders;\nRENAME TABLE orders TO orders_old, orders_new TO orders;"
    assert lint(swap, RULE, Engine.MYSQL) == []
    assert lint("CREATE TABLE t (id int);\nRENAME TABLE t TO u;", RULE, Engine.MYSQL) == []
