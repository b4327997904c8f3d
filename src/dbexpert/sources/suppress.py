"""Inline suppressions: ``-- dbexpert: ignore[rule-a, rule-b]`` and ``-- dbexpert: ignore-file[rule]``.

In SQL, a comment inside a statement covers that statement; a comment on its own line(s) between
statements covers the next one; ``ignore-file`` covers the whole file. In code (Prisma and
TypeScript ``//``, Python ``#``), a comment at the end of a line covers that line and a comment on a
line of its own covers the next line of code. Rule names are kept as written: checking that they
exist is the configuration's job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dbexpert.sql.parse import Statement

_DIRECTIVE = re.compile(r"--\s*dbexpert:\s*ignore(?P<file>-file)?\s*\[(?P<rules>[^\]]*)\]")
WHOLE_FILE_END = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Suppression:
    start_line: int
    end_line: int
    rules: frozenset[str]
    line: int = 0  # where the comment itself is, for reporting unused suppressions


def parse_suppressions(text: str, statements: Sequence[Statement]) -> tuple[Suppression, ...]:
    """The suppressions of one file; ``statements`` are its parsed statements (spans give coverage)."""
    found: list[Suppression] = []
    ordered = sorted(statements, key=lambda s: s.start)
    offset = 0
    for number, line_text in enumerate(text.splitlines(keepends=True), start=1):
        for match in _DIRECTIVE.finditer(line_text):
            rules = frozenset(r.strip() for r in match.group("rules").split(",") if r.strip())
            if match.group("file"):
                found.append(Suppression(1, WHOLE_FILE_END, rules, number))
                continue
            target = _covered(ordered, offset + match.start())
            if target is not None:
                found.append(Suppression(target.line, target.end_line, rules, number))
        offset += len(line_text)
    return tuple(found)


def _covered(statements: Sequence[Statement], at: int) -> Statement | None:
    """The statement containing offset ``at`` (a trailing comment counts), else the next one."""
    for index, statement in enumerate(statements):
        if statement.start <= at < statement.end:
            return statement
        if at < statement.start:
            previous = statements[index - 1] if index else None
            # A comment trailing a statement on its last line belongs to that statement.
            if previous is not None and _same_line_after(previous, at, statements):
                return previous
            return statement
    if statements and _same_line_after(statements[-1], at, statements):
        return statements[-1]
    return None


def _same_line_after(statement: Statement, at: int, statements: Sequence[Statement]) -> bool:
    del statements
    line, _ = statement.position(at)
    return line == statement.end_line


def is_suppressed(suppressions: Sequence[Suppression], rule: str, line: int | None) -> bool:
    """True when ``rule`` is suppressed at ``line`` (a whole-file suppression also covers line None)."""
    for suppression in suppressions:
        if rule not in suppression.rules:
            continue
        if suppression.end_line == WHOLE_FILE_END or (
            line is not None and suppression.start_line <= line <= suppression.end_line
        ):
            return True
    return False


_CODE_DIRECTIVE = re.compile(r"(?P<mark>//|#)\s*dbexpert:\s*ignore(?P<file>-file)?\s*\[(?P<rules>[^\]]*)\]")
CODE_COMMENT = {".prisma": "//", ".ts": "//", ".tsx": "//", ".js": "//", ".mjs": "//", ".cjs": "//", ".py": "#"}


def parse_code_suppressions(text: str, mark: str) -> tuple[Suppression, ...]:
    """The suppressions of one source file whose line comments start with ``mark`` (``//`` or ``#``)."""
    found: list[Suppression] = []
    lines = text.splitlines()
    for number, line_text in enumerate(lines, start=1):
        for match in _CODE_DIRECTIVE.finditer(line_text):
            if match.group("mark") != mark:
                continue
            rules = frozenset(r.strip() for r in match.group("rules").split(",") if r.strip())
            if match.group("file"):
                found.append(Suppression(1, WHOLE_FILE_END, rules, number))
            elif line_text[: match.start()].strip():
                found.append(Suppression(number, number, rules, number))
            else:
                target = _next_code_line(lines, number, mark)
                found.append(Suppression(target, target, rules, number))
    return tuple(found)


def _next_code_line(lines: Sequence[str], after: int, mark: str) -> int:
    """The first line after ``after`` (1-based) that is neither blank nor only a comment."""
    for number in range(after + 1, len(lines) + 1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith(mark):
            return number
    return after
