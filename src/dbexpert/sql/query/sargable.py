"""Detectors for conditions an index on the column cannot serve: a function or arithmetic wrapped
around the column (``lower(email) = …``, ``created_at::date = …``, ``col + 1 = 5``), and string
columns compared with numbers (MySQL casts the column).

Each match carries the exact sargable rewrite when one exists (a range for dates and years, moved
arithmetic, ``LIKE 'abc%'`` for prefixes, a plain comparison for ``coalesce``), otherwise the
expression to index.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

from sqlglot import exp

from dbexpert.model import Engine
from dbexpert.sql.query.tree import Match, Query

_COMPARISONS = (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)
_FLIPPED: dict[type, type] = {
    exp.EQ: exp.EQ,
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
}
_CONDITION_PARTS = (exp.And, exp.Or, exp.Not, exp.Paren)
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# sqlglot nodes that wrap a column in a way a plain index on the column cannot serve.
_CASE = (exp.Lower, exp.Upper)
_DAY = (exp.Date, exp.TsOrDsToDate)
_PARTS = (exp.Month, exp.Day, exp.DayOfMonth, exp.DayOfWeek, exp.Hour, exp.Minute)
_TRUNC = (exp.TimestampTrunc, exp.DateTrunc)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div)
_OTHER = (exp.Trim, exp.Abs, exp.Length, exp.Coalesce, exp.Substring, exp.Left, exp.TimeToStr, exp.Round)
_WRAPPERS = (
    exp.Cast,
    exp.TryCast,
    exp.Extract,
    exp.Year,
    *_CASE,
    *_DAY,
    *_PARTS,
    *_TRUNC,
    *_ARITHMETIC,
    *_OTHER,
)


def in_filter(node: exp.Expr) -> bool:
    """Whether ``node`` is (part of the AND/OR/NOT tree of) a WHERE or JOIN … ON condition: the
    places where an index could have found the rows. Select lists, HAVING and CASE are not."""
    current = node
    parent = current.parent
    while isinstance(parent, _CONDITION_PARTS):
        current, parent = parent, parent.parent
    if isinstance(parent, exp.Where):
        return True
    return isinstance(parent, exp.Join) and current.arg_key == "on"


def is_constant(node: exp.Expr) -> bool:
    """A literal, a parameter or an expression of them: the same value for every row."""
    if isinstance(node, exp.Literal | exp.Parameter | exp.Placeholder):
        return True
    return not any(isinstance(n, exp.Column | exp.Query | exp.Subquery | exp.Star) for n in node.walk())


def non_sargable_predicates(query: Query) -> Iterator[Match]:
    """``f(col) <op> constant`` in a WHERE or ON condition. Facts: ``kind`` (case, date, year, part,
    trunc, format, arithmetic, coalesce, prefix, cast, function), ``expression`` (the wrapped
    expression without table qualifiers, for an expression index), ``exact`` (what the rewrite
    assumes: ``date_column``, ``integer`` or None); the rewrite is the whole statement when one exists."""
    for comparison in _each(query, _COMPARISONS):
        if not in_filter(comparison):
            continue
        left, right = comparison.this, comparison.expression
        kind_of_op: type = type(comparison)
        if is_constant(left) and not is_constant(right):
            left, right, kind_of_op = right, left, _FLIPPED[kind_of_op]
        if not isinstance(left, _WRAPPERS) or not is_constant(right):
            continue
        column = _only_column(left)
        if column is None:
            continue
        kind = _kind(left)
        if kind is None:
            continue
        replacement, exact = _sargable(query, left, column, kind_of_op, right, kind)
        rewrite = None
        if replacement is not None:
            rewrite = query.sql_with(comparison, _grouped(replacement, comparison.parent))
        yield query.match(
            comparison,
            rewrite=rewrite,
            columns=(query.column_ref(column),),
            kind=kind,
            expression=_bare_sql(query, left),
            exact=exact,
            operator=kind_of_op.__name__,
        )


def _each(query: Query, kinds: tuple[type[exp.Expr], ...]) -> Iterator[exp.Expr]:
    """Nodes of each kind in turn: one kind at a time skips the sort by offset of ``find_all(*kinds)``."""
    for kind in kinds:
        yield from query.find_all(kind)


def _grouped(replacement: exp.Expr, parent: exp.Expr | None) -> exp.Expr:
    """``replacement`` in parentheses where its AND/OR would bind differently than the node it replaces."""
    if isinstance(parent, exp.Where | exp.Paren):
        return replacement
    if isinstance(replacement, exp.Or) or (
        isinstance(replacement, exp.And) and not isinstance(parent, exp.And)
    ):
        return exp.Paren(this=replacement)
    return replacement


def string_number_comparisons(query: Query) -> Iterator[Match]:
    """``col = 5551234`` / ``col IN (1, 2)``: a column against numeric literals. Whether the column is
    a string is the catalog's to say. The rewrite quotes the numbers."""
    for node in _each(query, (exp.EQ, exp.In)):
        if not in_filter(node):
            continue
        column = node.this
        values = node.expressions if isinstance(node, exp.In) else [node.expression]
        if not isinstance(column, exp.Column) or not values:
            continue
        if not all(isinstance(v, exp.Literal) and not v.is_string for v in values):
            continue
        quoted = node.copy()
        for value in quoted.expressions if isinstance(quoted, exp.In) else [quoted.expression]:
            value.replace(exp.Literal.string(value.name))
        rewrite = query.sql_with(node, quoted)
        yield query.match(node, rewrite=rewrite, columns=(query.column_ref(column),), values=len(values))


# -- what the column is wrapped in -----------------------------------------------------------------


def _only_column(node: exp.Expr) -> exp.Column | None:
    """The single column inside ``node``; None with two columns, aggregates, windows or subqueries."""
    found: exp.Column | None = None
    for inner in node.walk():
        if isinstance(inner, exp.AggFunc | exp.Window | exp.Query | exp.Subquery):
            return None
        if isinstance(inner, exp.Column):
            if found is not None:
                return None
            found = inner
    return found


def _kind(node: exp.Expr) -> str | None:
    if isinstance(node, _CASE):
        return "case"
    if isinstance(node, exp.Cast | exp.TryCast):
        if node.to.is_type(exp.DType.DATE):
            return "date"
        # a cast between numeric types of a numeric column keeps order but still hides the column
        return "cast"
    if isinstance(node, _DAY):
        return "date"
    if isinstance(node, exp.Year) or (isinstance(node, exp.Extract) and node.name.upper() == "YEAR"):
        return "year"
    if isinstance(node, (exp.Extract, *_PARTS)):
        return "part"
    if isinstance(node, _TRUNC):
        return "trunc"
    if isinstance(node, exp.TimeToStr):
        return "format"
    if isinstance(node, _ARITHMETIC):
        return "arithmetic"
    if isinstance(node, exp.Coalesce):
        return "coalesce"
    if isinstance(node, exp.Substring | exp.Left):
        return "prefix"
    return "function"


def _bare_sql(query: Query, node: exp.Expr) -> str:
    """``node`` printed without table qualifiers, as an index expression must be written."""
    copy = node.copy()
    for column in copy.find_all(exp.Column):
        column.set("table", None)
    return query.sql(copy)


# -- sargable rewrites ---------------------------------------------------------------------------


def _sargable(
    query: Query, wrapped: exp.Expr, column: exp.Column, op: type, value: exp.Expr, kind: str
) -> tuple[exp.Expr | None, str | None]:
    """The condition on the bare column that selects exactly the same rows, and what that assumes."""
    if kind in ("date", "year", "trunc", "format"):
        if not _wraps_directly(wrapped, column):
            return None, None
        period = _period(wrapped, kind, value)
        if period is None:
            return None, None
        return _range(column, op, *period), "date_column"
    if kind == "arithmetic":
        numbers = _integer(value) is not None and any(_integer(a) is not None for a in wrapped.args.values())
        return _moved_arithmetic(wrapped, column, op, value), "integer" if numbers else "interval"
    if kind == "coalesce" and op is exp.EQ:
        return _coalesce(wrapped, column, value), None
    if kind == "prefix" and op is exp.EQ:
        return _prefix(query, wrapped, column, value), None
    return None, None


def _wraps_directly(wrapped: exp.Expr, column: exp.Column) -> bool:
    """The column is the wrapped function's argument, maybe through MySQL's implicit date conversion."""
    inner = wrapped.expression if isinstance(wrapped, exp.Extract) else wrapped.this
    while isinstance(inner, exp.TsOrDsToDate | exp.TsOrDsToTimestamp) and inner is not column:
        inner = inner.this
    return inner is column


def _period(wrapped: exp.Expr, kind: str, value: exp.Expr) -> tuple[date, date] | None:
    """The half-open day range [start, end) the constant stands for, when it is a plain literal."""
    if kind == "year":
        year = _integer(value)
        return (date(year, 1, 1), date(year + 1, 1, 1)) if year is not None and 1 <= year < 9999 else None
    day = _date(value)
    if kind == "date":
        return (day, day + timedelta(days=1)) if day else None
    if kind == "trunc":
        unit_node = wrapped.args.get("unit")
        unit = unit_node.name.upper() if unit_node is not None else ""
        return _unit_period(day, unit) if day else None
    fmt = wrapped.args.get("format")
    text = value.name if isinstance(value, exp.Literal) and value.is_string else None
    if fmt is None or text is None:
        return None
    unit = {"%Y": "YEAR", "%Y-%m": "MONTH", "%Y-%m-%d": "DAY"}.get(fmt.name)
    padded = {"YEAR": f"{text}-01-01", "MONTH": f"{text}-01", "DAY": text}.get(unit or "")
    parsed = _date(exp.Literal.string(padded)) if padded else None
    return _unit_period(parsed, unit or "") if parsed else None


def _unit_period(day: date, unit: str) -> tuple[date, date] | None:
    if unit == "DAY":
        return day, day + timedelta(days=1)
    if unit == "MONTH" and day.day == 1:
        return day, date(day.year + day.month // 12, day.month % 12 + 1, 1)
    if unit == "YEAR" and day.day == 1 and day.month == 1:
        return day, date(day.year + 1, 1, 1)
    return None


def _range(column: exp.Column, op: type, start: date, end: date) -> exp.Expr:
    lo, hi = exp.Literal.string(start.isoformat()), exp.Literal.string(end.isoformat())
    if op is exp.EQ:
        return exp.and_(exp.GTE(this=column.copy(), expression=lo), exp.LT(this=column.copy(), expression=hi))
    bound: dict[type, tuple[type[exp.Binary], exp.Expr]] = {
        exp.GT: (exp.GTE, hi),
        exp.GTE: (exp.GTE, lo),
        exp.LT: (exp.LT, lo),
        exp.LTE: (exp.LT, hi),
    }
    node_type, literal = bound[op]
    return node_type(this=column.copy(), expression=literal)


def _moved_arithmetic(wrapped: exp.Expr, column: exp.Column, op: type, value: exp.Expr) -> exp.Expr | None:
    """``col + c1 <op> c2`` → ``col <op> c2 - c1`` (and ``col - c1`` likewise), integers only."""
    if not isinstance(wrapped, exp.Add | exp.Sub) or wrapped.this is not column:
        if not (isinstance(wrapped, exp.Add) and wrapped.expression is column):
            return None
    other = wrapped.expression if wrapped.this is column else wrapped.this
    amount, target = _integer(other), _integer(value)
    if amount is None or target is None:
        # timestamps and intervals: move the constant to the other side as an expression
        moved_expr = exp.Sub if isinstance(wrapped, exp.Add) else exp.Add
        return op(this=column.copy(), expression=moved_expr(this=value.copy(), expression=other.copy()))
    moved = target - amount if isinstance(wrapped, exp.Add) else target + amount
    literal = exp.Literal.number(moved) if moved >= 0 else exp.Neg(this=exp.Literal.number(-moved))
    return op(this=column.copy(), expression=literal)


def _coalesce(wrapped: exp.Expr, column: exp.Column, value: exp.Expr) -> exp.Expr | None:
    """``coalesce(col, d) = c``: ``col = c`` when c differs from d, ``(col = c OR col IS NULL)`` when equal."""
    defaults = wrapped.expressions
    if wrapped.this is not column or len(defaults) != 1:
        return None
    default = defaults[0]
    if not (isinstance(default, exp.Literal) and isinstance(value, exp.Literal)):
        return None
    if default.is_string != value.is_string:
        return None
    equal = _same_literal(default, value)
    if equal is None:
        return None
    comparison = exp.EQ(this=column.copy(), expression=value.copy())
    if not equal:
        return comparison
    return exp.or_(comparison, exp.Is(this=column.copy(), expression=exp.Null()))


def _same_literal(a: exp.Literal, b: exp.Literal) -> bool | None:
    """Whether two literals are equal; None when a case-insensitive collation could decide otherwise."""
    if not a.is_string:
        try:
            return float(a.name) == float(b.name)
        except ValueError:
            return None
    if a.name == b.name:
        return True
    return False if a.name.lower() != b.name.lower() else None


def _prefix(query: Query, wrapped: exp.Expr, column: exp.Column, value: exp.Expr) -> exp.Expr | None:
    """``left(col, n) = 'abc'`` / ``substr(col, 1, n) = 'abc'`` with len('abc') = n → a prefix match."""
    if wrapped.this is not column or not (isinstance(value, exp.Literal) and value.is_string):
        return None
    if isinstance(wrapped, exp.Left):
        length = _integer(wrapped.expression)
    else:
        start = wrapped.args.get("start")
        length = _integer(wrapped.args.get("length")) if start is not None and _integer(start) == 1 else None
    text = value.name
    if length is None or length != len(text) or not text or text.endswith(" "):
        return None
    if query.engine is Engine.SQLITE:
        # SQLite's LIKE ignores case; GLOB compares like `=` does, and can use the index too.
        if any(c in text for c in "*?[]"):
            return None
        return exp.Glob(this=column.copy(), expression=exp.Literal.string(text + "*"))
    if any(c in text for c in "%_\\"):
        return None
    return exp.Like(this=column.copy(), expression=exp.Literal.string(text + "%"))


def _integer(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Neg):
        inner = _integer(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string and node.name.isdigit():
        return int(node.name)
    return None


def _date(node: exp.Expr | None) -> date | None:
    """A ``'YYYY-MM-DD'`` literal (or ``DATE '…'``) as a date."""
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DType.DATE):
        node = node.this
    if not (isinstance(node, exp.Literal) and node.is_string):
        return None
    found = _DATE_RE.match(node.name)
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
