"""Detectors for conditions: comparisons with NULL, NOT IN over a subquery or a list holding NULL."""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbexpert.sql.query.tree import ColumnRef, Match, Query


def null_comparisons(query: Query) -> Iterator[Match]:
    """``x = NULL`` / ``x <> NULL`` / ``x != NULL``: never true, whatever x holds. The rewrite uses
    ``IS [NOT] NULL``, which is what the author meant."""
    for comparison in query.find_all(exp.EQ, exp.NEQ):
        left, right = comparison.this, comparison.expression
        if isinstance(right, exp.Null):
            other = left
        elif isinstance(left, exp.Null):
            other = right
        else:
            continue
        if isinstance(comparison.parent, exp.Update | exp.Set) or _is_assignment(comparison):
            continue
        tree = query.copy()
        found = query.locate(tree, comparison)
        if found is None:
            continue
        negate = isinstance(comparison, exp.NEQ)
        found.replace(exp.Is(this=other.copy(), expression=exp.Null(), negate=negate or None))
        columns = (query.column_ref(other),) if isinstance(other, exp.Column) else ()
        yield query.match(comparison, rewrite=tree, columns=columns, negated=isinstance(comparison, exp.NEQ))


def not_in_subqueries(query: Query) -> Iterator[Match]:
    """``x NOT IN (SELECT y ...)``. Facts: the subquery's column and table, so a rule can ask the
    catalog whether y can be NULL. The rewrite is ``NOT EXISTS (SELECT 1 ... WHERE y = x)``."""
    for negation in query.find_all(exp.Not):
        inner = negation.this.unnest() if isinstance(negation.this, exp.Paren) else negation.this
        if not isinstance(inner, exp.In) or inner.args.get("query") is None:
            continue
        subquery = inner.args["query"]
        select = subquery.this if isinstance(subquery, exp.Subquery) else subquery
        if not isinstance(select, exp.Select) or len(select.expressions) != 1:
            continue
        outer = inner.this
        selected = select.expressions[0]
        selected_column = selected.unalias() if isinstance(selected, exp.Alias) else selected
        columns: tuple[ColumnRef, ...] = ()
        if isinstance(selected_column, exp.Column):
            columns = (query.column_ref(selected_column),)
        rewrite = _not_exists(query, negation, outer, select, selected_column)
        yield query.match(
            negation,
            rewrite=rewrite,
            columns=columns,
            outer=query.sql(outer),
            outer_column=str(query.column_ref(outer)) if isinstance(outer, exp.Column) else None,
            grouped=select.args.get("group") is not None or select.args.get("distinct") is not None,
        )


def not_in_lists_with_null(query: Query) -> Iterator[Match]:
    """``x NOT IN (1, 2, NULL)``: a NULL in the list makes the condition never true."""
    for negation in query.find_all(exp.Not):
        inner = negation.this.unnest() if isinstance(negation.this, exp.Paren) else negation.this
        if isinstance(inner, exp.In) and any(isinstance(e, exp.Null) for e in inner.expressions):
            yield query.match(negation, values=len(inner.expressions))


def _not_exists(
    query: Query,
    negation: exp.Expr,
    outer: exp.Expr,
    select: exp.Select,
    selected: exp.Expr,
) -> str | None:
    """``NOT EXISTS (SELECT 1 FROM … WHERE <subquery's condition> AND selected = outer)``."""
    if select.args.get("group") or select.args.get("limit"):
        return None  # the subquery's rows are not a plain filter of its table
    tree = query.copy()
    target = query.locate(tree, negation)
    if target is None:
        return None
    inner_select = select.copy()
    inner_select.set("distinct", None)
    inner_select.set("expressions", [exp.Literal.number(1)])
    correlation = exp.EQ(this=_qualified(query, selected), expression=_qualified(query, outer))
    inner_select.where(correlation, copy=False)
    target.replace(exp.Not(this=exp.Exists(this=inner_select)))
    return query.sql(tree)


def _qualified(query: Query, expression: exp.Expr) -> exp.Expr:
    """A copy of ``expression`` with its bare columns qualified by their table, so that moving it into
    a subquery cannot change what they mean (``id`` there would be the subquery's own ``id``)."""
    copy = expression.copy()
    for original, column in zip(expression.find_all(exp.Column), copy.find_all(exp.Column), strict=True):
        table = None if column.table else query.table_of(original)
        if table:
            column.set("table", exp.to_identifier(table))
    return copy


def _is_assignment(comparison: exp.Expr) -> bool:
    """``UPDATE t SET a = NULL`` parses as an EQ inside the UPDATE's expressions: an assignment."""
    parent = comparison.parent
    return isinstance(parent, exp.Update) and comparison in parent.expressions
