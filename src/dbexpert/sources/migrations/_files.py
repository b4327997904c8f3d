"""What every layout reader needs: reading files as their tools do, and a light statement scanner.

The scanner is lexical and dialect-neutral on purpose: layouts are recognised before the engine
is known, and a migration tool decides what to do with a script from its text (how many
statements, which keywords open them), not from a full parse. It never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from dbexpert.model import InputError

Skipped = tuple[str, str]  # (path, why it is not a migration we lint)

# Folders no migration tool looks into.
_IGNORED_DIRS = frozenset({"node_modules", "__pycache__", "venv", "site-packages"})


def read_text(path: Path) -> str:
    """The file as UTF-8 text (a byte order mark dropped, as the tools do); InputError otherwise."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{path}:1:1: not UTF-8 text") from None


def walk(root: Path) -> list[Path]:
    """Every file under ``root``, skipping hidden and dependency folders."""
    found: list[Path] = []
    for path in root.rglob("*"):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") or part in _IGNORED_DIRS for part in relative[:-1]):
            continue
        if path.is_file() and not path.name.startswith("."):
            found.append(path)
    return found


@dataclass(frozen=True, slots=True)
class ScannedStatement:
    line: int  # 1-based line of the statement's first token
    simplified: str  # comments dropped, literals emptied, whitespace collapsed, upper case


_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_SPACE = re.compile(r"\s+")


def scan_statements(text: str) -> list[ScannedStatement]:
    """The statements of ``text`` split at top-level semicolons, each simplified for matching."""
    statements: list[ScannedStatement] = []
    parts: list[str] = []
    start_line = 0
    line = 1
    i, n = 0, len(text)

    started = False  # the current statement has content (its first line is start_line)

    def flush() -> None:
        nonlocal started
        simplified = _SPACE.sub(" ", "".join(parts)).strip().upper()
        if simplified:
            statements.append(ScannedStatement(start_line, simplified))
        parts.clear()
        started = False

    def mark_start() -> None:
        nonlocal start_line, started
        if not started:
            start_line, started = line, True

    while i < n:
        char = text[i]
        if char == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char == "/" and text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            line += text.count("\n", i, j)
            parts.append(" ")
            i = j
            continue
        if char in "'\"`":
            mark_start()
            backslash = char == "'" and i > 0 and text[i - 1] in "eE"
            j = i + 1
            while j < n:
                if backslash and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == char:
                    if j + 1 < n and text[j + 1] == char:
                        j += 2
                        continue
                    break
                j += 1
            line += text.count("\n", i, j)
            parts.append(char * 2 if char == "'" else text[i : j + 1])
            i = j + 1
            continue
        if char == "$" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            match = _DOLLAR_TAG.match(text, i)
            if match:
                mark_start()
                close = text.find(match.group(0), match.end())
                j = n if close < 0 else close + len(match.group(0))
                line += text.count("\n", i, j)
                parts.append("''")
                i = j
                continue
        if char == ";":
            flush()
            i += 1
            continue
        if char == "\n":
            line += 1
        elif not char.isspace():
            mark_start()
        parts.append(char)
        i += 1
    flush()
    return statements
