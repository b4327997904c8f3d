"""Application code scanned for queries run once per loop item (N+1), per language.

Each scanner module offers ``SUFFIXES`` and ``scan_file(path: str, text: str) -> FileScan``; the
Python scanner reads SQLAlchemy and Django code with the stdlib ``ast``, the TypeScript scanner
reads Prisma, TypeORM and Drizzle code with tree-sitter. ``scan_paths`` walks files and folders,
skipping vendored and generated folders, and never stops at a file that does not parse.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbexpert.model.code import LoopQuery
from dbexpert.sources.orm import source_files

SCANNERS = ("python_loops", "typescript_loops")  # modules of this package

# Told (file, files done, files in all) after each file, so a caller can show how far a scan is.
ScanProgress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class FileScan:
    sites: tuple[LoopQuery, ...] = ()
    problems: tuple[str, ...] = ()  # "path:line:column: what could not be read", one per line


@dataclass(frozen=True, slots=True)
class CodeScan:
    sites: tuple[LoopQuery, ...]
    files: int
    problems: tuple[str, ...] = field(default=())


def scan_text(text: str, path: str) -> FileScan:
    """Scan one file's text with the scanner for its suffix (an empty scan for other files)."""
    for name in SCANNERS:
        scanner = importlib.import_module(f"dbexpert.sources.code.{name}")
        if path.endswith(tuple(scanner.SUFFIXES)):
            result: FileScan = scanner.scan_file(path, text)
            return result
    return FileScan()


def scan_paths(paths: Sequence[Path], progress: ScanProgress | None = None) -> CodeScan:
    """Every Python and TypeScript/JavaScript file under ``paths``, scanned.

    ``progress`` is called once per file, after it is scanned or found unreadable.
    """
    suffixes = tuple(
        s for name in SCANNERS for s in importlib.import_module(f"dbexpert.sources.code.{name}").SUFFIXES
    )
    files = [file for path in paths for file in source_files(path, suffixes)]
    sites: list[LoopQuery] = []
    problems: list[str] = []
    for done, file in enumerate(files, start=1):
        try:
            scanned = scan_text(file.read_text(encoding="utf-8"), str(file))
        except (OSError, UnicodeDecodeError) as exc:
            scanned = FileScan(problems=(f"{file}:1:1: cannot read: {exc}",))
        sites.extend(scanned.sites)
        problems.extend(scanned.problems)
        if progress is not None:
            progress(str(file), done, len(files))
    return CodeScan(tuple(sites), len(files), tuple(problems))


def merged(scans: Iterable[FileScan]) -> FileScan:
    scans = list(scans)
    return FileScan(tuple(s for f in scans for s in f.sites), tuple(p for f in scans for p in f.problems))
