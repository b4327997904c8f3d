"""What detectors answer, free of any parser type, so rule modules can import it without loading
sqlglot (rules load at every start; the parser only when queries are checked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class ColumnRef:
    """A column a pattern is about: its table when the query tells it (aliases resolved), and its name."""

    table: str | None
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}" if self.table else self.column


@dataclass(frozen=True, slots=True)
class Match:
    """One place in a query where a pattern was found, with what a rule needs to report and fix it."""

    offset: int  # character offset into the whole text, for the finding's line and column
    snippet: str  # the offending part, as SQL
    rewrite: str | None = None  # the whole statement rewritten, in the query's dialect
    columns: tuple[ColumnRef, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    node: Any = field(default=None, compare=False, repr=False)  # opaque: for this package's rewrites
