"""Where something is: a file position, and/or a database object path."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Location:
    path: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    end_line: int | None = None
    end_column: int | None = None
    object: str | None = None  # "schema.table.column"

    def with_object(self, object_path: str) -> Location:
        return replace(self, object=object_path)

    def __str__(self) -> str:
        parts = [self.path or self.object or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)
