"""What the TypeScript ORM readers (TypeORM, Drizzle) share: reading files and engine facts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

from dbexpert.model import ForeignKey, Index, IndexKey

MISSING = "TypeScript ORM code needs tree-sitter: install dbexpert[typescript]"


def hidden(path: Path, target: Path) -> bool:
    """A file under a hidden folder of ``target`` (``.next/``, ``.turbo/``: build output, not source)."""
    try:
        parts = path.relative_to(target).parts[:-1]
    except ValueError:
        return False
    return any(part.startswith(".") for part in parts)


def read(path: Path, problems: list[str]) -> str | None:
    """The text of ``path``, or None with a problem line when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}:1:1: cannot read: {exc}")
        return None


def innodb_fk_indexes(keys: Sequence[ForeignKey], indexes: Sequence[Index]) -> list[Index]:
    """InnoDB creates an index for every foreign key no index starts with, named after the constraint
    (https://dev.mysql.com/doc/refman/8.0/en/create-table-foreign-keys.html)."""
    added: list[Index] = []
    for fk in keys:
        wanted = {c.lower() for c in fk.columns}
        if any({c.lower() for c in i.columns[: len(wanted)]} == wanted for i in [*indexes, *added]):
            continue
        added.append(
            Index(
                name=fk.name or "_".join(fk.columns),
                keys=tuple(IndexKey(column=c) for c in fk.columns),
                location=fk.location,
                attrs=MappingProxyType({"implicit": "innodb"}),
            )
        )
    return added
