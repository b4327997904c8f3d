"""Find migrations in files and folders, and order them the way their tool applies them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dbexpert.model import InputError
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.ddl import natural_key


def discover(paths: Sequence[Path]) -> list[Migration]:
    """Migrations under ``paths`` (files or folders), in application order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted((p for p in path.rglob("*.sql") if p.is_file()), key=natural_key))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return [_raw(file) for file in files]


def _raw(file: Path) -> Migration:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{file}:1:1: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from None
    # A plain SQL file run by psql or a client library: each statement commits on its own unless
    # the file says BEGIN.
    return Migration(id=file.stem, tool="sql", up=MigrationScript(str(file), text), transactional=False)
