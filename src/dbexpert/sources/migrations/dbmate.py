"""dbmate: ``<version>_<name>.sql`` holding both directions, each under its directive line.

::

    -- migrate:up transaction:false
    CREATE INDEX CONCURRENTLY ...;
    -- migrate:down
    DROP INDEX ...;

Order: file name order, as dbmate lists its migrations folder. Transactions
(https://github.com/amacneil/dbmate#postgresql): each block runs in a transaction unless its
directive says ``transaction:false``. The up and down scripts keep their line numbers in the file
through :attr:`MigrationScript.line_offset`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations._files import Skipped, read_text

TOOL = "dbmate"

_NAME = re.compile(r"^(\d+).*\.sql$")
_DIRECTIVE = re.compile(r"^--\s*migrate:(up|down)(?=\s|$)(.*)$")
_UP_MARKER = re.compile(r"(?m)^--\s*migrate:up(?=\s|$)")


def has_up_directive(text: str) -> bool:
    return _UP_MARKER.search(text) is not None


def read(files: Sequence[Path]) -> tuple[list[Migration], list[Skipped]]:
    skipped: list[Skipped] = []
    migrations: list[Migration] = []
    for file in sorted(files, key=lambda path: path.name):
        if not _NAME.match(file.name):
            skipped.append((str(file), "not a dbmate name (<version>_<name>.sql): dbmate ignores it"))
            continue
        migration, reason = parse(file, read_text(file))
        if migration is None:
            skipped.append((str(file), reason))
        else:
            migrations.append(migration)
    return migrations, skipped


def parse(file: Path, text: str) -> tuple[Migration | None, str]:
    """The migration in one dbmate file, or None and the reason dbmate would refuse it."""
    lines = text.splitlines(keepends=True)
    blocks: dict[str, tuple[int, str]] = {}  # direction -> (directive line index, options)
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line.rstrip("\r\n"))
        if match and match.group(1) not in blocks:
            blocks[match.group(1)] = (index, match.group(2))
    if "up" not in blocks:
        if "down" in blocks:
            return None, "down block without an up block ('-- migrate:up')"
        return None, "no '-- migrate:up' block: dbmate refuses the file"
    first = min(index for index, _ in blocks.values())
    if any(line.strip() and not line.lstrip().startswith("--") for line in lines[:first]):
        return None, "statements before the first '-- migrate:' block: dbmate refuses the file"
    up = _script(file, lines, blocks, "up")
    down = _script(file, lines, blocks, "down") if "down" in blocks else None
    return (
        Migration(
            id=file.name[: -len(".sql")],
            tool=TOOL,
            up=up,
            down=down,
            transactional=_transactional(blocks["up"][1]),
            description=_description(file.name, blocks["up"][1]),
        ),
        "",
    )


def _script(
    file: Path, lines: list[str], blocks: dict[str, tuple[int, str]], direction: str
) -> MigrationScript:
    start = blocks[direction][0] + 1
    later = [index for index, _ in blocks.values() if index >= start]
    end = min(later) if later else len(lines)
    return MigrationScript(str(file), "".join(lines[start:end]), line_offset=start)


def _options(options: str) -> dict[str, str]:
    pairs = (word.partition(":") for word in options.split())
    return {key: value for key, sep, value in pairs if sep}


def _transactional(options: str) -> bool:
    return _options(options).get("transaction", "true").lower() != "false"


def _description(name: str, options: str) -> str:
    stem = name[: -len(".sql")]
    words = stem.partition("_")[2].replace("_", " ") if "_" in stem else stem
    return f"{words}; transaction:false" if not _transactional(options) else words
