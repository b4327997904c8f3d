"""What the TypeScript ORM readers (TypeORM, Drizzle) share: reading files and engine facts."""

from __future__ import annotations

from pathlib import Path

MISSING = "TypeScript ORM code needs tree-sitter and tree-sitter-typescript (dependencies of dbexpert: reinstall it)"


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

