"""DDL files -> one catalog: the static mode of ``dbexpert audit``.

Statements are replayed in file order (folders in natural order: V2 before V10) into a single
catalog that mirrors what the engine would have created. A statement or file that does not parse
becomes a problem record; everything else is still replayed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from dbexpert.model import Catalog, Engine, InputError, Version
from dbexpert.sources.replay import Replayer
from dbexpert.sources.suppress import Suppression, parse_suppressions
from dbexpert.sql.ddl_actions import ddl_actions
from dbexpert.sql.parse import parse_statements, split_statements

_MYSQL_HINTS = re.compile(r"`|\bAUTO_INCREMENT\b|\bENGINE\s*=", re.I)
_SQLITE_HINTS = re.compile(r"\bAUTOINCREMENT\b|\bWITHOUT\s+ROWID\b|\)\s*STRICT\b", re.I)


@dataclass(frozen=True, slots=True)
class DdlProblem:
    """A file, or one statement of it, that could not be read; the rest was still replayed."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True, slots=True)
class DdlLoad:
    catalog: Catalog
    problems: tuple[DdlProblem, ...]
    suppressions: Mapping[str, tuple[Suppression, ...]]
    files: tuple[Path, ...]


def guess_engine(text: str) -> Engine:
    """The dialect a DDL text is most likely written in: MySQL and SQLite leave telltale words."""
    if _MYSQL_HINTS.search(text):
        return Engine.MYSQL
    if _SQLITE_HINTS.search(text):
        return Engine.SQLITE
    return Engine.POSTGRES


def catalog_from_sql(
    text: str, engine: Engine, *, path: str = "<string>", version: Version | None = None
) -> Catalog:
    """Replay DDL ``text`` into a catalog; raises :class:`~dbexpert.sql.parse.SqlSyntaxError` on bad SQL."""
    replayer = Replayer(engine, version)
    for statement in split_statements(text, engine, path):
        replayer.apply(statement, ddl_actions(statement))
    return replayer.catalog()


def load_ddl(paths: Sequence[Path], engine: Engine | None = None, version: Version | None = None) -> DdlLoad:
    """Read DDL files and folders (``*.sql``, natural order) into one catalog, collecting problems."""
    files = _expand(paths)
    texts: list[tuple[Path, str | None, str | None]] = []
    for file in files:
        try:
            texts.append((file, file.read_text(encoding="utf-8"), None))
        except (OSError, UnicodeDecodeError) as exc:
            texts.append((file, None, exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"))
    attrs: dict[str, object] = {}
    if engine is None:
        engine = guess_engine("\n".join(text for _, text, _ in texts if text))
        attrs["engine_guessed"] = engine.value
    replayer = Replayer(engine, version)
    problems: list[DdlProblem] = []
    suppressions: dict[str, tuple[Suppression, ...]] = {}
    for file, text, error in texts:
        path = str(file)
        if text is None:
            problems.append(DdlProblem(path, 1, 1, error or "cannot be read"))
            continue
        result = parse_statements(text, engine, path)
        problems.extend(DdlProblem(path, e.line, e.column, e.reason) for e in result.errors)
        suppressions[path] = parse_suppressions(text, result.statements)
        for statement in result.statements:
            before = len(replayer.problems)
            replayer.apply(statement, ddl_actions(statement))
            problems.extend(DdlProblem(path, p.line, p.column, p.message) for p in replayer.problems[before:])
    return DdlLoad(
        catalog=replayer.catalog(attrs),
        problems=tuple(problems),
        suppressions=MappingProxyType(suppressions),
        files=tuple(files),
    )


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted((p for p in path.rglob("*.sql") if p.is_file()), key=natural_key))
        elif path.exists():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


def natural_key(path: Path) -> tuple[object, ...]:
    """Sort key that orders numbers by value: V2__a.sql before V10__b.sql."""
    parts = re.split(r"(\d+)", str(path))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in parts)
