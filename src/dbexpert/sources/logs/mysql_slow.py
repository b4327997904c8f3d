"""MySQL (5.6, 5.7, 8.x) and MariaDB (10.x, 11.x) slow query logs (``slow_query_log``,
``log_output = FILE``).

An entry is a block of ``#`` header lines, then the statement:

```
# Time: 2024-01-15T10:23:45.123456Z                      (MySQL 5.7+; MariaDB: "# Time: 240115 10:23:45")
# User@Host: app[app] @ web1 [10.0.0.5]  Id:    12       (MariaDB puts the id on "# Thread_id: 12  Schema: shop")
# Query_time: 0.000234  Lock_time: 0.000001 Rows_sent: 1  Rows_examined: 1
use shop;
SET timestamp=1705314225;
SELECT ... ;                                            (any number of lines)
```

``# Time:`` is written only when the second changes (MariaDB) or per entry (MySQL); ``SET
timestamp`` is always there and wins unless the header carries sub-second time. MariaDB adds
``# Rows_affected``/``Bytes_sent``, ``# Full_scan: … Filesort: …`` and ``# explain:`` lines with
``log_slow_verbosity``; MySQL 8 with ``log_slow_extra`` adds ``Thread_id``, ``Errno`` and more to
the ``Query_time`` line. Unknown ``# Key: value`` headers are read past. The banner the server
writes when it opens the file (``…mysqld, Version: … started with:``, ``Tcp port: …``, ``Time  Id
Command  Argument``) is skipped; anything else outside an entry is a :class:`ReadProblem`.

Entries start at a ``# Time:`` line, or at another header line that follows statement text; a
``#`` line after statement text that is not a header is a comment of the statement. Line numbers
count ``\\n`` characters.

Speed: a big log is read in blocks of text, and one regular expression over a block finds every
entry of the usual forms (MySQL's and MariaDB's, see ``_USUAL``) with its facts as groups, in C;
only the text between such entries (CRLF line ends, damaged entries, rarer forms) is read line by
line, and both ways give the same events. :func:`read_items` hands queries on as plain tuples
(:data:`SlowRow`), which is what ``workload analyze`` takes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Generator, Iterable, Iterator

from dbexpert.model import Engine
from dbexpert.model.query_row import row_event
from dbexpert.sources.logs import ReadOptions
from dbexpert.sources.logs._mysql_entries import BANNER, SECONDS, Event, Item, Others, SlowRow, whole_seconds

__all__ = ["ENGINE", "Event", "Item", "SlowRow", "line_items", "read", "read_items", "read_lines", "sniff"]
ENGINE = Engine.MYSQL  # of the query rows ``read_items`` yields


# Over a block of text, either an entry of one of the usual forms, whole, with its facts as groups
# (nearly every entry of a big log), or a run of other lines, read line by line, up to the next line
# where such an entry may start: a "# Time:" line, or a "# User@Host:" line after statement text.
# The usual forms: MySQL 5.6+ (the connection id on the User@Host line, log_slow_extra fields
# allowed) and MariaDB (a "# Thread_id: … Schema: … QC_hit: …" line, "# Rows_affected:"), with or
# without a "# Time:" line and with other "#" lines (log_slow_verbosity) that name none of the
# fields read.
_USUAL = (
    # (the groups are few and short, "\n" or empty where only their presence matters: faster)
    r"(?:# Time: (?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z|\d{6} +\d?\d:\d\d:\d\d)(\n))?"
    r"# User@Host: ([^\[\s]*\[[^\]\n]*\] @ \S* ?\[[^\]\n]*\](?: +Id: +\d+())?)\n"  # the same for a connection's entries
    r"(?(5)|# Thread_id: (\d+) +Schema: (?![A-Za-z_]+: )(\S*) +QC_hit: \w+\n)"  # (?(5): with an Id, MySQL
    r"# Query_time: ([\d.]+) +Lock_time: [\d.]+ +Rows_sent: (\d+) +Rows_examined: (\d+)(?(5)(?: [^\n]*)?| *)\n"
    r"(?(5)|# Rows_affected: (\d+)(?: +Bytes_sent: \d+)? *\n)"
    r"((?:#(?! (?:Time|User@Host|Query_time|Thread_id|administrator command): )"
    r"(?![^\n]*(?:Query_time|Rows_sent|Rows_examined|Rows_affected|Schema|Thread_id|Id): )[^\n]*\n)*)"
    r"(?:use (`(?:[^`\n]|``)+`|[^`;\s]+);\n)?"
    r"SET timestamp=(\d+);\n"
    r"([^#\s][^\n]*\n(?:(?!# (?:Time|User@Host|Query_time|Thread_id): )[^\n]*\n)*)"
)
_HEADERS = r"#[^\n]*\n(?:#(?! Time: )[^\n]*\n)*"  # "#" lines: a "# User@Host:" among them goes on an entry
_OTHER = rf"((?:{_HEADERS}|[^\n]*\n)(?:[^#\n][^\n]*\n|\n|(?!# Time: |# User@Host: ){_HEADERS})*)"
_USUAL_OR_OTHER = re.compile(f"{_USUAL}|{_OTHER}")
_USUAL_USER_HOST = re.compile(r"([^\[\s]*)\[[^\]\n]*\] @ (\S*) ?\[([^\]\n]*)\](?: +Id: +(\d+))?")
_BLOCK = 1 << 16  # characters read at a time (larger blocks only grow the memory used)


def sniff(head: str) -> bool:
    text = head.lstrip("\ufeff")[:8192]
    return text.startswith(("# Time: ", "# User@Host: ")) or (
        "# Query_time: " in text and ("# User@Host: " in text or BANNER.match(text) is not None)
    )


def read(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Event]:
    return _events(read_items(lines, path, options))


def read_items(lines: Iterable[str], path: str, options: ReadOptions) -> Iterator[Item]:
    """As :func:`read`, queries as :data:`SlowRow` tuples."""
    if isinstance(lines, io.TextIOBase):  # an open file: read in blocks rather than line by line
        return _read_text(_blocks(lines), path, 1)
    return line_items(lines, path)


def read_lines(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Event]:
    """The events of ``lines`` (each ending with its line break), the first numbered ``first_line``."""
    return _events(line_items(lines, path, first_line))


def line_items(lines: Iterable[str], path: str, first_line: int = 1) -> Iterator[Item]:
    """As :func:`read_lines`, queries as :data:`SlowRow` tuples."""
    return _read_text(_joined(lines), path, first_line)


def _events(items: Iterable[Item]) -> Iterator[Event]:
    for item in items:
        if item.__class__ is not tuple:
            yield item  # type: ignore[misc]  # a LogEvent or a ReadProblem
            continue
        yield row_event(item, ENGINE)  # type: ignore[arg-type]


def _blocks(stream: io.TextIOBase) -> Iterator[str]:
    while text := stream.read(_BLOCK):
        yield text


def _joined(lines: Iterable[str]) -> Iterator[str]:
    batch: list[str] = []
    size = 0
    for line in lines:
        batch.append(line)
        size += len(line)
        if size >= _BLOCK:
            yield "".join(batch)
            batch, size = [], 0
    if batch:
        yield "".join(batch)


def _read_text(chunks: Iterable[str], path: str, first_line: int) -> Iterator[Item]:
    """Cut the text at entry starts into pieces that hold whole usual entries; read each piece."""
    databases: dict[str | None, str] = {}  # session -> last "use" database
    others = Others(path, databases)
    carry = ""
    waiting: list[str] = []  # blocks read after an entry that is not whole yet (a very long statement)
    waited = 0
    line = first_line
    for chunk in chunks:
        if waiting or carry and len(carry) > _BLOCK:  # join only when the text has doubled: linear
            waiting.append(chunk)
            waited += len(chunk)
            if waited < len(carry):
                continue
            chunk, waiting, waited = "".join(waiting), [], 0
        text = carry + chunk if carry else chunk
        cut = _last_entry_start(text)
        if cut == 0:  # one entry, perhaps not whole yet: read on
            carry = text
            continue
        carry = text[cut:]
        line = yield from _read_piece(text[:cut] if carry else text, path, line, databases, others)
    carry += "".join(waiting)
    if carry:
        yield from _read_piece(carry if carry.endswith("\n") else carry + "\n", path, line, databases, others)
    yield from others.finish()


def _last_entry_start(text: str) -> int:
    """Where ``text`` may be cut so that no usual entry is cut in two and the part after the cut
    starts an entry or cannot start one: before the last "# Time:" line, or before the last "# User@Host:"
    line after statement text, or else before the last statement line when the text cannot start
    with an entry. 0 when the text must be read on (it may be one entry, not yet whole)."""
    cut = text.rfind("\n# Time: ") + 1
    if cut:
        return cut
    end = len(text)
    while (found := text.rfind("\n# User@Host: ", 0, end)) > 0:
        if text[text.rfind("\n", 0, found) + 1] != "#":  # the line before is statement text
            return found + 1
        end = found
    if text.startswith(("# Time: ", "# User@Host: ")):
        return 0
    end = len(text)
    while (found := text.rfind("\n", 0, end)) >= 0:
        if found + 1 < len(text) and text[found + 1] != "#":
            return found + 1
        end = found
    return 0


def _read_piece(
    text: str, path: str, line: int, databases: dict[str | None, str], others: Others
) -> Generator[Item, None, int]:
    """The events of whole lines of text; returns the number of the line after them."""
    seconds, connections = SECONDS, _CONNECTIONS
    for (
        whole, fraction, time, user_host, _, thread, schema, query_time, sent, examined, affected, more, use,
        stamp, sql, other,
    ) in _USUAL_OR_OTHER.findall(text):  # fmt: skip
        if other:
            yield from others.add(other, line)
            line += other.count("\n")
            continue
        if others.block:
            yield from others.flush()
        who = connections.get(user_host)
        if who is None:
            who = _connection(user_host)
        user, client, connection = who
        lines = 3
        if thread:  # MariaDB: the Schema line says the database of every entry
            session = thread
            database: str | None = schema or None
            rows = int(sent) or int(affected)
            if use:
                databases[session] = use[1:-1].replace("``", "`") if use[0] == "`" else use
                lines = 6
            else:
                lines = 5
        else:  # MySQL writes "use db;" only when it changes for the connection
            session = connection
            rows = int(sent)
            if use:
                database = databases[session] = use[1:-1].replace("``", "`") if use[0] == "`" else use
                lines = 4
            else:
                database = databases.get(session)
        if fraction:  # the header's microseconds win, unless they are zero
            start = seconds.get(whole)
            if start is None:
                start = whole_seconds(whole)
            timestamp = start + float(fraction)
            if not timestamp % 1:
                timestamp = float(stamp)
        else:
            timestamp = float(stamp)
        statement = sql.rstrip()
        if "\r" in statement:  # CRLF line ends in the statement: as the line by line reading has them
            statement = "\n".join([part.rstrip("\r") for part in statement.split("\n")])
        if statement[-1] == ";":
            statement = statement[:-1].rstrip()
        yield (statement, path, line, timestamp, float(query_time) * 1000.0, database, user, None, client, session,
               None, (), None, None, rows, int(examined))  # fmt: skip
        if time:
            lines += 1
        if more:
            lines += more.count("\n")
        line += lines + sql.count("\n")
    return line


def _connection(user_host: str) -> tuple[str | None, str | None, str]:
    """(user, client, MySQL connection id) of a usual "# User@Host:" line, kept for the next
    entries of its connection."""
    matched = _USUAL_USER_HOST.fullmatch(user_host)
    assert matched is not None  # the line matched the same pattern within _USUAL_OR_OTHER
    user, host, ip, connection = matched.groups()
    if len(_CONNECTIONS) > 4096:
        _CONNECTIONS.clear()
    who = _CONNECTIONS[user_host] = (user or None, ip or host or None, connection or "")
    return who


_CONNECTIONS: dict[str, tuple[str | None, str | None, str]] = {}


