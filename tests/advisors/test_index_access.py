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


TPCH = {
    "customer": ["c_custkey", "c_name", "c_nationkey", "c_mktsegment"],
    "orders": ["o_orderkey", "o_custkey", "o_orderdate", "o_shippriority", "o_comment"],
    "lineitem": ["l_orderkey", "l_suppkey", "l_extendedprice", "l_discount", "l_shipdate", "l_commitdate"],
    "supplier": ["s_suppkey", "s_name", "s_nationkey"],
    "nation": ["n_nationkey", "n_name"],
    "t1": ["id", "x", "shared"],
    "t2": ["id", "y", "shared"],
}


def resolved(sql: str, columns: dict[str, list[str]] | None = TPCH) -> dict[str, TableAccess]:
    query = parse_queries(sql, Engine.POSTGRES).queries[0]
    return {a.table: a for a in query_access(query, columns).tables}


def test_bare_columns_of_a_comma_join_go_to_the_table_that_has_them() -> None:
    sql = (
        "select l_orderkey, sum(l_extendedprice * (1 - l_discount)) as revenue, o_orderdate, o_shippriority "
        "from customer, orders, lineitem where c_mktsegment = 'BUILDING' and c_custkey = o_custkey "
        "and l_orderkey = o_orderkey and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15' "
        "group by l_orderkey, o_orderdate, o_shippriority order by revenue desc, o_orderdate"
    )
    found = resolved(sql)
    customer, orders, lineitem = found["customer"], found["orders"], found["lineitem"]
    assert customer.equality == ("c_mktsegment",) and customer.joins == ("c_custkey",)
    assert set(orders.joins) == {"o_custkey", "o_orderkey"} and orders.ranges == ("o_orderdate",)
    assert lineitem.joins == ("l_orderkey",) and lineitem.ranges == ("l_shipdate",)
    assert set(lineitem.columns) == {"l_orderkey", "l_extendedprice", "l_discount", "l_shipdate"}
    # without the catalog's columns nothing in a multi-table SELECT can be attributed (as before)
    blind = resolved(sql, None)
    assert not blind["orders"].filtered and not blind["lineitem"].columns


def test_an_ambiguous_bare_column_is_left_unattributed() -> None:
    found = resolved("select x, y from t1, t2 where shared = 5 and x = 1 and y > 2")
    assert found["t1"].equality == ("x",) and found["t2"].ranges == ("y",)
    assert "shared" not in found["t1"].columns and "shared" not in found["t2"].columns
    # a column no table has (a select-list alias, a typo) is nobody's
    assert "nosuch" not in resolved("select x from t1, t2 where nosuch = 1")["t1"].columns


def test_a_subquery_resolves_in_its_own_scope_first_then_outwards() -> None:
    # inner ``shared`` is t2's (the inner FROM shadows the outer one); ``x`` is correlated to t1
    found = resolved("select x from t1 where exists (select 1 from t2 where shared = 3 and y = x)")
    assert found["t2"].equality == ("shared",) and "shared" not in found["t1"].columns
    assert found["t2"].joins == ("y",) and found["t1"].joins == ("x",)
    # EXISTS (SELECT * ...) reads no column: the outer table can still be covered
    assert not resolved("select o_orderdate from orders where exists (select * from lineitem "
                        "where l_orderkey = o_orderkey)")["orders"].star


def test_alias_shadowing_and_self_joins() -> None:
    # the same alias names different tables in different scopes: each scope's own FROM wins
    found = resolved(
        "select a.x from t1 a where a.x in (select a.y from t2 a where a.shared = 1)"
    )
    assert found["t2"].equality == ("shared",) and found["t1"].joins == ("x",)
    assert "shared" not in found["t1"].columns
    # l2.l_orderkey = l1.l_orderkey joins two references of one table: a join key
    lineitem = resolved(
        "select s_name from supplier, lineitem l1 where s_suppkey = l1.l_suppkey and exists "
        "(select * from lineitem l2 where l2.l_orderkey = l1.l_orderkey and l2.l_suppkey <> l1.l_suppkey)"
    )["lineitem"]
    assert set(lineitem.joins) == {"l_suppkey", "l_orderkey"}


def test_derived_tables_and_ctes_own_their_output_columns() -> None:
    found = resolved(
        "with revenue0 (supplier_no, total) as (select l_suppkey, sum(l_discount) from lineitem "
        "where l_shipdate >= date '1996-01-01' group by l_suppkey) "
        "select s_suppkey, s_name, total from supplier, revenue0 where s_suppkey = supplier_no"
    )
    assert set(found) == {"lineitem", "supplier"}
    assert found["supplier"].joins == ("s_suppkey",) and found["lineitem"].group_by == ("l_suppkey",)
    assert found["lineitem"].ranges == ("l_shipdate",)
    shipping = resolved(
        "select n_name, volume from (select n_name, l_extendedprice as volume from lineitem, supplier, nation "
        "where s_suppkey = l_suppkey and s_nationkey = n_nationkey) as shipping where n_name = 'FRANCE'"
    )
    assert shipping["nation"].joins == ("n_nationkey",)
    assert not shipping["nation"].equality  # the outer n_name is the derived table's column


def test_bind_parameters_resolves_bare_columns_with_the_catalog() -> None:
    query = parse_queries("select 1 from orders, customer where o_custkey = c_custkey and c_name = $1",
                          Engine.POSTGRES).queries[0]
    values = {("customer", "c_name"): "Ann"}
    assert bind_parameters(query, lambda table, column: values.get((table or "", column))) is None
    text = bind_parameters(query, lambda table, column: values.get((table or "", column)), TPCH)
    assert text is not None and "c_name = 'Ann'" in text
