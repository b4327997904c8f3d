"""Reading MySQL and MariaDB slow log entries line by line: what :mod:`.mysql_slow` does with the
text between the entries its regular expression reads (other header forms, CRLF line ends, damaged
entries), with the same results. Also the types and time parsing both ways share.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Iterator

from dbexpert.model.workload import LogEvent, LogEventKind, Place, QueryEvent, ReadProblem

Event = QueryEvent | LogEvent | ReadProblem
# A query row (:data:`~dbexpert.model.query_row.QueryRow`: sql, path, line, timestamp, duration_ms,
# database, user, application, client, session, transaction, parameters, plan, queryid) followed by
# the rows sent and the rows examined.
SlowRow = tuple[
    str, str, int, float | None, float | None, str | None, str | None, str | None, str | None, str | None,
    str | None, tuple[str, ...], str | None, str | None, int | None, int | None,
]  # fmt: skip
Item = SlowRow | LogEvent | ReadProblem

BANNER = re.compile(r"^(?:\S.*, Version: .* started with:|Tcp port: \d+ |Time\s+Id\s+Command\s+Argument)")
_PAIR = re.compile(r"([A-Za-z_]+): +(?![A-Za-z_]+: )(\S+)")  # MariaDB writes "Schema:   QC_hit: No"
_USER_HOST = re.compile(r"^# User@Host: (?P<user>[^\[\s]*)\[[^\]]*\] @ (?P<host>\S*) ?\[(?P<ip>[^\]]*)\](?:\s+Id:\s*(?P<id>\d+))?")
_ISO_TIME = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?")
_OLD_TIME = re.compile(r"(\d\d)(\d\d)(\d\d) +(\d?\d):(\d\d):(\d\d)")
_ENTRY_STARTS = ("# Time: ", "# User@Host: ", "# Query_time: ", "# Thread_id: ")
_TIME_LINE = "# Time: "
_USUAL_QUERY_LINE = re.compile(
    r"# Query_time: ([\d.]+) +Lock_time: [\d.]+ +Rows_sent: (\d+) +Rows_examined: (\d+) *$"
)
_USUAL_FIELDS = ("Query_time", "Rows_sent", "Rows_examined")
_SET_TIMESTAMP = re.compile(r"^SET timestamp=(\d+)(?:\.\d+)?;\s*$", re.I)
_USE = re.compile(r"^use (`(?:[^`]|``)+`|\S+);\s*$", re.I)


class _Entry:
    """The entry being read line by line: its header facts, then its statement lines."""

    __slots__ = ("line", "fields", "user", "client", "session", "database", "header_time", "timestamp", "sql")

    def __init__(self, line: int, database: str | None) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.user: str | None = None
        self.client: str | None = None
        self.session: str | None = None
        self.database = database  # "use db;" lasts for the connection; MariaDB repeats Schema anyway
        self.header_time: float | None = None
        self.timestamp: float | None = None
        self.sql: list[str] = []


class Others:
    """The lines between usual entries, split into entries (at a "# Time:" line, or at another
    header line after statement text) and read line by line; kept from one piece to the next."""

    def __init__(self, path: str, databases: dict[str | None, str]) -> None:
        self.path = path
        self.databases = databases
        self.block: list[str] = []
        self.start = 0
        self.statement = False  # the block has a line that is not a "#" header

    def add(self, text: str, first_line: int) -> Iterator[Item]:
        for number, raw in enumerate(text[:-1].split("\n"), first_line):
            if self.block and (raw.startswith(_TIME_LINE) or self.statement and raw.startswith(_ENTRY_STARTS)):
                yield from self.flush()
            if not self.block:
                self.start = number
            if not self.statement and raw[:1] != "#":
                self.statement = True
            self.block.append(raw)

    def flush(self) -> Iterator[Item]:
        block, self.block, self.statement = self.block, [], False
        return _read_entries(block, self.path, self.start, self.databases)

    def finish(self) -> Iterator[Item]:
        return self.flush() if self.block else iter(())


def _read_entries(
    lines: Iterable[str], path: str, first_line: int, databases: dict[str | None, str]
) -> Iterator[Item]:
    entry: _Entry | None = None
    pending_time: float | None = None  # a "# Time:" line applies to the entry that follows it
    pending_line = -1  # the line of that "# Time:" line (none yet)
    number = first_line - 1
    for number, raw in enumerate(lines, first_line):
        line = raw.rstrip("\r\n")
        if line.startswith("#"):
            if entry is not None and entry.sql and not _continues_statement(line):
                yield _finish(entry, path, databases)
                entry = None
            if line.startswith("# Time: "):
                pending_time, pending_line = _header_time(line[8:]), number
                if pending_time is None:
                    yield ReadProblem(Place(path, number), "a '# Time:' line whose time is not understood")
                continue
            if entry is None:
                if not line.startswith("# User@Host: "):
                    if line.startswith("# Query_time: ") or line.startswith("# Thread_id: "):
                        entry = _Entry(number, None)  # the User@Host line is missing: still an entry
                    else:
                        yield ReadProblem(Place(path, number), "a '#' line outside a slow log entry")
                        continue
                else:
                    entry = _Entry(number, None)
                if pending_line == number - 1:  # the entry starts at its "# Time:" line
                    entry.line = pending_line
                entry.header_time, pending_time = pending_time, None
            if entry.sql:  # a "#" line inside a multi-line statement: a MySQL comment
                entry.sql.append(line)
            elif line.startswith("# User@Host: "):
                _user_host(entry, line)
            elif line.startswith("# administrator command: "):
                yield LogEvent(
                    LogEventKind.OTHER,
                    line[2:].rstrip(";"),
                    Place(path, entry.line),
                    timestamp=entry.header_time,
                    user=entry.user,
                    session=entry.session,
                )
                entry = None
            elif not line.startswith("# explain:"):
                usual = _USUAL_QUERY_LINE.match(line)  # most lines: no extra fields to look for
                if usual is not None:
                    entry.fields.update(zip(_USUAL_FIELDS, usual.groups(), strict=True))
                    continue
                entry.fields.update(_PAIR.findall(line))
                if " Schema: " in line and "Schema" not in entry.fields:
                    entry.fields["Schema"] = ""  # MariaDB: no default database
            continue
        if entry is None:
            if line.strip() and BANNER.match(line) is None:
                yield ReadProblem(Place(path, number), "not part of a slow log entry (no '# User@Host:' header before it)")
            continue
        if not entry.sql:
            matched = _SET_TIMESTAMP.match(line) if line.startswith(("SET timestamp=", "set timestamp=")) else None
            if matched:
                entry.timestamp = float(matched.group(1))
                continue
            matched = _USE.match(line) if line[:4].lower() == "use " else None
            if matched:
                name = matched.group(1)
                entry.database = name[1:-1].replace("``", "`") if name.startswith("`") else name
                databases[_session(entry)] = entry.database
                continue
            if not line.strip():
                continue
        entry.sql.append(line)
    if entry is not None:
        if entry.sql:
            yield _finish(entry, path, databases)
        else:
            yield ReadProblem(Place(path, entry.line), "a slow log entry without its statement (truncated file)")


def _continues_statement(line: str) -> bool:
    """A '#' line after statement text is a new entry's header unless it is a comment in the SQL."""
    return not line.startswith(_ENTRY_STARTS)


def _finish(entry: _Entry, path: str, databases: dict[str | None, str]) -> Item:
    sql = "\n".join(entry.sql).strip()
    if sql.endswith(";"):
        sql = sql[:-1].rstrip()
    fields = entry.fields
    try:
        duration = float(fields["Query_time"]) * 1000.0 if "Query_time" in fields else None
        rows = int(fields["Rows_sent"]) if "Rows_sent" in fields else None
        examined = int(fields["Rows_examined"]) if "Rows_examined" in fields else None
    except ValueError:
        return ReadProblem(Place(path, entry.line), "a '# Query_time:' line with numbers not understood")
    if "Rows_affected" in fields and not rows:
        rows = int(fields["Rows_affected"]) if fields["Rows_affected"].isdigit() else rows
    session = _session(entry)
    if "Schema" in fields:  # MariaDB says it on every entry
        database = fields["Schema"] or None
    else:  # MySQL writes "use db;" only when it changes for the connection
        database = entry.database or databases.get(session)
    # The header time has microseconds (MySQL 5.7+); SET timestamp only whole seconds.
    stamp = entry.header_time if entry.header_time is not None and entry.header_time % 1 else None
    timestamp = stamp if stamp is not None else (entry.timestamp if entry.timestamp is not None else entry.header_time)
    return (sql, path, entry.line, timestamp, duration, database, entry.user, None, entry.client, session, None, (),
            None, None, rows, examined)  # fmt: skip


def _session(entry: _Entry) -> str | None:
    return entry.session or entry.fields.get("Thread_id") or entry.fields.get("Id")


def _user_host(entry: _Entry, line: str) -> None:
    matched = _USER_HOST.match(line)
    if matched is None:
        return
    entry.user = matched.group("user") or None
    entry.client = matched.group("ip") or matched.group("host") or None
    if matched.group("id"):
        entry.session = matched.group("id")


def _header_time(text: str) -> float | None:
    """Seconds since the epoch. MySQL 5.7+ writes UTC (ISO 8601, ``log_timestamps``); the old
    ``YYMMDD H:MM:SS`` form (MySQL 5.6, MariaDB) is the server's local time, taken here as UTC."""
    text = text.strip()
    if len(text) > 19 and text[10] == "T" and text[-1] == "Z":  # the usual form: whole seconds cached
        whole = SECONDS.get(text[:19])
        if whole is None:
            whole = _parse_time(text[:19] + "Z")
            if len(SECONDS) > 4096:
                SECONDS.clear()
            SECONDS[text[:19]] = whole
        fraction = text[19:-1]
        if whole is not None and (not fraction or fraction[0] == "." and fraction[1:].isdigit()):
            return whole + (float(fraction) if fraction else 0.0)
    return _parse_time(text)


SECONDS: dict[str, float | None] = {}


def _parse_time(text: str) -> float | None:
    matched = _ISO_TIME.match(text)
    if matched:
        year, month, day, hour, minute, second = (int(matched.group(i)) for i in range(1, 7))
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        zone = matched.group(8)
        if zone and zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        return seconds + (float(matched.group(7)) if matched.group(7) else 0.0)
    matched = _OLD_TIME.match(text)
    if matched:
        year, month, day, hour, minute, second = (int(matched.group(i)) for i in range(1, 7))
        return float(calendar.timegm((2000 + year, month, day, hour, minute, second, 0, 0, 0)))
    return None


def whole_seconds(text: str) -> float:
    """Seconds since the epoch of ``YYYY-MM-DDTHH:MM:SS`` (UTC, already matched), kept in
    :data:`SECONDS` for the next entries of the same second."""
    value = _parse_time(text + "Z")
    assert value is not None  # the text matched \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d
    if len(SECONDS) > 4096:
        SECONDS.clear()
    SECONDS[text] = value
    return value
