"""A finding: what is wrong, where, how to fix it, and the evidence (DESIGN § 6, the stable JSON contract)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any

from dbexpert.model.location import Location


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class Category(StrEnum):
    CORRECTNESS = "correctness"
    SAFETY = "safety"
    PERFORMANCE = "performance"
    SECURITY = "security"
    DESIGN = "design"
    STYLE = "style"
    OPS = "ops"

    @property
    def default_severity(self) -> Severity:
        return _CATEGORY_SEVERITY[self]


_CATEGORY_SEVERITY = {
    Category.CORRECTNESS: Severity.ERROR,
    Category.SAFETY: Severity.ERROR,
    Category.SECURITY: Severity.ERROR,
    Category.PERFORMANCE: Severity.WARNING,
    Category.DESIGN: Severity.WARNING,
    Category.OPS: Severity.WARNING,
    Category.STYLE: Severity.INFO,
}


class Mode(StrEnum):
    STATIC = "static"  # files only
    LIVE = "live"  # a read-only connection
    EXACT = "exact"  # measured on a scratch copy


class Applicability(StrEnum):
    SAFE = "safe"  # can be applied as is
    UNSAFE = "unsafe"  # changes behaviour or needs care (locks, data)
    MANUAL = "manual"  # a human must decide or adapt it


@dataclass(frozen=True, slots=True)
class Edit:
    """A text edit in a file: replace [line:column, end_line:end_column) by ``text``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class Fix:
    description: str
    sql: str | None = None
    edits: tuple[Edit, ...] = ()
    applicability: Applicability = Applicability.MANUAL


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    category: Category
    severity: Severity
    message: str
    location: Location
    mode: Mode = Mode.STATIC
    fix: Fix | None = None
    evidence: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    code: str | None = None
    table: str | None = None  # qualified name of the table it concerns, for grouping reports

    @property
    def docs(self) -> str:
        return f"docs/rules/{self.rule}.md"

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape of DESIGN § 6."""
        loc = self.location
        fix: dict[str, Any] | None = None
        if self.fix is not None:
            fix = {"description": self.fix.description, "applicability": self.fix.applicability.value}
            if self.fix.sql is not None:
                fix["sql"] = self.fix.sql
            if self.fix.edits:
                fix["edits"] = [
                    {
                        "path": e.path,
                        "line": e.line,
                        "column": e.column,
                        "end_line": e.end_line,
                        "end_column": e.end_column,
                        "text": e.text,
                    }
                    for e in self.fix.edits
                ]
        return {
            "rule": self.rule,
            "code": self.code,
            "category": self.category.value,
            "severity": self.severity.value,
            "message": self.message,
            "location": {
                "path": loc.path,
                "line": loc.line,
                "column": loc.column,
                "end_line": loc.end_line,
                "object": loc.object,
            },
            "fix": fix,
            "evidence": _jsonable(self.evidence),
            "mode": self.mode.value,
            "docs": self.docs,
        }


def _jsonable(value: Any) -> Any:
    """Evidence may hold tuples, enums, datetimes and mappings; make it plain JSON."""
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return str(value)  # beyond what JSON readers hold exactly (and what orjson writes)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
