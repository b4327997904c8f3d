"""
## What it does
Finds `BETWEEN` on timestamps, whose inclusive upper bound misses most of the last day. The column
is a `timestamp`/`timestamptz`/`DATETIME` when a schema tells the type; without one, the upper bound
is a bare date (`'2024-01-31'`) or ends at `23:59:59`. `BETWEEN` on `date`, integer or text columns is not reported.

## Why is this bad?
`BETWEEN` includes its upper bound, and a bare date means midnight: `created_at BETWEEN '2024-01-01'
AND '2024-01-31'` misses everything after 00:00 on January 31st. Patching the bound to
`'2024-01-31 23:59:59'` still misses the fractional seconds (`23:59:59.5`). Adjacent periods written
with `BETWEEN` also overlap at the boundary instant, which counts rows twice in reports. A half-open
range `>= start AND < next start` has neither problem and uses the same index.

## Example
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
SELECT count(*) FROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-01-31';
```

## Use instead
```sql
CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
SELECT count(*) FROM orders WHERE created_at >= '2024-01-01' AND created_at < '2024-02-01';
```

## Fix safety
Unsafe: the rewrite `col >= lower AND col < day after the upper bound` returns more rows than the
original, namely the rows of the last day after midnight (or in the last fractional second) that the
original missed, which is what the author meant. When the upper bound is a parameter the fix is
manual: pass the exclusive end (the next day) and compare with `<`.

## References
- https://wiki.postgresql.org/wiki/Don%27t_Do_This#Don.27t_use_BETWEEN_.28especially_with_timestamps.29
- https://www.postgresql.org/docs/current/functions-comparison.html
- https://dev.mysql.com/doc/refman/8.0/en/fractional-seconds.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from dbexpert.model import Applicability, Category, Engine, Finding, TypeKind
from dbexpert.rules.context import RuleContext
from dbexpert.rules.query._query import column, location
from dbexpert.rules.registry import Rule, Target

if TYPE_CHECKING:  # sqlglot loads only when queries are checked, not with every rule
    from dbexpert.sql.query.tree import Query

_TIMESTAMPS = frozenset({TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ})
# Without a schema, names like these are dates, not timestamps: a date-only bound is right for them.
_DATE_NAME = re.compile(r"(^|_)(date|day|dob|birthday|on)$", re.I)


def check(query: Query, ctx: RuleContext) -> Iterator[Finding]:
    from dbexpert.sql.query.filters import between_timestamps

    for match in between_timestamps(query):
        ref = match.columns[0]
        col = column(ctx, ref)
        upper = match.facts["upper"]
        if col is not None and ctx.engine is Engine.SQLITE and col.kind is TypeKind.TEXT:
            col = None  # SQLite keeps date-times as ISO text: judge by the bound and the name, as without a schema
        if col is not None:
            if col.kind not in _TIMESTAMPS or (upper is None and match.facts["upper_literal"]):
                continue  # a date column, or an explicit upper instant the author chose
            why = f"{ref} is {col.raw_type}"
        elif upper is None or (upper == "date" and _DATE_NAME.search(ref.column)):
            continue
        else:
            why = "the upper bound is a bare date" if upper == "date" else "the upper bound ends at 23:59:59"
        next_day = match.facts["next_day"]
        if upper == "date":
            missed = f"the rows after midnight on {match.facts['high']}"
        elif upper == "end_of_day":
            missed = "the rows in the last fractional second of the day"
        else:
            missed = "whatever lies after the upper bound instant, and adjacent periods overlap"
        if next_day is not None:
            fix = (
                f"Use a half-open range: {ref.column} >= <lower> AND {ref.column} < '{next_day}'. "
                f"It returns more rows than the original: {missed}, which the original missed."
            )
        else:
            fix = f"Use a half-open range: {ref.column} >= <start> AND {ref.column} < <exclusive end>, passing the next day as the end."
        yield ctx.finding(
            f"`{match.snippet}` on a timestamp ({why}) includes the upper bound as an instant: it misses {missed}.",
            location=location(query, match),
            fix=fix,
            sql=match.rewrite,
            applicability=Applicability.UNSAFE if match.rewrite else Applicability.MANUAL,
            evidence={
                "column": str(ref),
                "column_type": col.raw_type if col is not None else None,
                "upper_bound": match.facts["high"],
                "upper_bound_kind": upper,
                "type_from": "schema" if col is not None else "the upper bound literal (no --schema)",
            },
        )


RULE = Rule(
    name="between-timestamps",
    category=Category.CORRECTNESS,
    target=Target.QUERY,
    check=check,
    doc=__doc__,
)
