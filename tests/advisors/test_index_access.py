"""How queries reach their tables: the facts index candidates are built from."""

from __future__ import annotations

from dbexpert.model import Engine
from dbexpert.sql.query.index_candidates import TableAccess, bind_parameters, query_access
from dbexpert.sql.query.tree import parse_queries


def access(sql: str) -> dict[str, TableAccess]:
    query = parse_queries(sql, Engine.POSTGRES).queries[0]
    return {a.table: a for a in query_access(query).tables}


def test_equality_range_join_and_order() -> None:
    found = access(
        "select o.id, o.total from orders o join customers c on c.id = o.customer_id "
        "where o.status = 'open' and o.created_at > '2024-01-01' and c.country in ('FR', 'DE') "
        "order by o.created_at"
    )
    orders, customers = found["orders"], found["customers"]
    assert orders.equality == ("status",)
    assert orders.ranges == ("created_at",)
    assert orders.joins == ("customer_id",)
    assert orders.order_by == ("created_at",)
    assert orders.constants == (("status", "status = 'open'"),)
    assert set(orders.columns) == {"id", "total", "customer_id", "created_at", "status"}
    assert customers.equality == ("country",) and customers.joins == ("id",)
    assert not orders.star


def test_expression_prefix_like_and_unindexable() -> None:
    users = access("select * from users where lower(email) = 'a@b.c'")["users"]
    assert users.expressions == ("LOWER(email)",) and users.star
    items = access("select count(*) from items where name like 'ab%' and sku ilike '%x' group by category")["items"]
    assert items.ranges == ("name",)
    assert items.group_by == ("category",)
    assert not items.star  # count(*) reads no column
    assert items.unindexable and "trigram" in items.unindexable[0]


def test_or_is_not_a_key_and_cte_is_not_a_table() -> None:
    found = access("with recent as (select * from t where a = 1) select * from recent where b = 2 or c = 3")
    assert set(found) == {"t"}
    assert found["t"].equality == ("a",)


def test_bind_parameters_from_column_values() -> None:
    query = parse_queries("select * from orders where customer_id = $1 and status in ($2, $3)", Engine.POSTGRES).queries[0]
    values = {("orders", "customer_id"): "42", ("orders", "status"): "done"}
    text = bind_parameters(query, lambda table, column: values.get((table or "", column)))
    assert text == "SELECT * FROM orders WHERE customer_id = '42' AND status IN ('done', 'done')"
    assert bind_parameters(query, lambda table, column: None) is None
