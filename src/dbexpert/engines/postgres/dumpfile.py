"""Read a PostgreSQL custom-format dump (``pg_dump -Fc``) block by block, without a server.

The layout follows PostgreSQL's ``src/bin/pg_dump/pg_backup_archiver.c`` (header and table of
contents) and ``pg_backup_custom.c`` (data blocks):

- header: ``PGDMP``, archive version (3 bytes), int size, offset size, format (1 = custom), the
  compression (an int level before archive 1.15, an algorithm byte since: 0 none, 1 gzip, 2 lz4,
  3 zstd), the dump's timestamp (7 ints), database name, server and pg_dump versions;
- the table of contents: one entry per object (dump id, tag, description, schema, ...), each
  ending with the offset of its data block (flag byte 1 = not set, 2 = set, 3 = no data);
- data blocks: a type byte (1 = table data, 3 = large objects), the dump id, then length-prefixed
  chunks ending with a zero length. Large-object blocks hold, per object, its OID and its chunks,
  then an OID of 0. Each table's (and each large object's) chunks form one zlib stream when the
  dump is compressed with gzip, raw bytes when it is not (``-Z 0``).

An int is a sign byte followed by ``int size`` bytes, least significant first; a string is an int
length (-1 for NULL) and the bytes. :func:`read_dump` walks every block of the memory-mapped file,
inflating about 64 KB of chunks at a time with ISA-L's zlib-compatible inflater (``isal_zlib``,
about 2.5 times zlib's speed) and holding only that batch and its inflated output: the inflater
checks each stream's adler32, so a byte flipped inside compressed data fails there (the failing
chunk is then found by inflating that stream again chunk by chunk); the block structure and the
offsets the table of contents records are checked against where the blocks really are, so a
truncated dump fails too; and the rows of every table's COPY data are counted (one line per row:
COPY's text format escapes newlines inside values).

Archive versions 1.12 to 1.16 (PostgreSQL 9.0 to 17) are read; only 1.14 (pg_dump 12 to 15) was
checked against real dumps here. lz4 and zstd compression (pg_dump 16 and later) are recognised
but not inflated: the reading says so and ``pg_restore`` remains the only check of those blocks.
"""

from __future__ import annotations

import mmap
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from isal import isal_zlib

from dbexpert.model import InputError

BLK_DATA = 1
BLK_BLOBS = 3
_OFFSET_NOT_SET, _OFFSET_SET, _OFFSET_NO_DATA = 1, 2, 3
_ALGORITHMS = {0: "none", 1: "gzip", 2: "lz4", 3: "zstd"}
_OLDEST, _NEWEST = (1, 12), (1, 16)  # the archive versions whose layout is read here
# isal's stubs declare its exception as an instance; it is the class every inflate error raises
_INFLATE_ERROR = cast(type[Exception], isal_zlib.error)
_BATCH = 64 * 1024  # stored bytes inflated at a time: about 16 of pg_dump's 4 KB chunks
# inflated bytes produced at a time: kept under glibc's mmap threshold (128 KB), so the buffers are
# reused from the heap instead of mapped and faulted in afresh every time (a quarter more CPU)
_PIECE = 64 * 1024
_TAIL = 16  # bytes kept from the end of a table's data, enough for COPY's end marker


@dataclass(frozen=True, slots=True)
class TableData:
    """One table's data block as read from the dump."""

    name: str  # schema.table
    dump_id: int
    offset: int  # where the block starts in the file
    stored_bytes: int  # chunk bytes as stored (compressed when the dump is)
    data_bytes: int  # COPY text after inflating
    rows: int  # newlines in the COPY text


@dataclass(frozen=True, slots=True)
class DumpDamage:
    """Something wrong with the dump, at a byte offset of the file."""

    offset: int
    message: str
    table: str | None = None  # schema.table whose data block is concerned
    truncated: bool = False  # the file ends before the structure does


@dataclass(frozen=True, slots=True)
class DumpReading:
    """What :func:`read_dump` found; ``checked`` is False when the blocks could not be inflated here."""

    path: str
    archive_version: str
    compression: str  # none | gzip | lz4 | zstd
    checked: bool
    file_bytes: int
    tables: tuple[TableData, ...] = ()
    large_objects: int = 0
    damage: tuple[DumpDamage, ...] = ()
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.damage

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def data_bytes(self) -> int:
        return sum(t.data_bytes for t in self.tables)


@dataclass(frozen=True, slots=True)
class _Entry:
    dump_id: int
    desc: str
    name: str
    offset_flag: int
    offset: int


class _Truncated(Exception):
    """The file ended inside a structure."""


class _Reader:
    """Sequential reads of the archive's primitive values from the mapped file, tracking the byte offset."""

    def __init__(self, data: bytes | mmap.mmap, pos: int = 0) -> None:
        self.data = data
        self.size = len(data)
        self.pos = pos
        self.int_size = 4
        self.offset_size = 8

    def take(self, count: int) -> bytes:
        end = self.pos + count
        if end > self.size:
            self.pos = self.size
            raise _Truncated
        data = self.data[self.pos : end]
        self.pos = end
        return data

    def octet(self) -> int:
        return self.take(1)[0]

    def integer(self) -> int:
        raw = self.take(1 + self.int_size)
        value = int.from_bytes(raw[1:], "little")
        return -value if raw[0] else value

    def string(self) -> str | None:
        length = self.integer()
        if length < 0:
            return None
        return self.take(length).decode("utf-8", errors="replace")

    def data_offset(self) -> tuple[int, int]:
        flag = self.octet()
        return flag, int.from_bytes(self.take(self.offset_size), "little")

    def at_end(self) -> bool:
        return self.pos >= self.size


def read_dump(path: Path) -> DumpReading:
    """Walk every block of the custom-format dump at ``path``; InputError when it is not one."""
    try:
        with path.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if not stat.S_ISREG(status.st_mode):
                raise InputError(f"{path}:1:1: expected a dump file, found a pipe, socket or device")
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if status.st_size else None
    except OSError as exc:
        raise InputError(f"{path}:1:1: cannot read the dump: {exc.strerror or exc}") from None
    if mapped is None:  # an empty file cannot be mapped
        return _read(path, b"")
    with mapped:
        mapped.madvise(mmap.MADV_SEQUENTIAL)
        return _read(path, mapped)


def _read(path: Path, data: bytes | mmap.mmap) -> DumpReading:
    size = len(data)
    reader = _Reader(data)
    try:
        version, compression = _header(reader, path)
    except _Truncated:
        return DumpReading(
            str(path), "", "", True, size,
            damage=(DumpDamage(reader.pos, "the file ends inside the archive header", truncated=True),),
        )
    shown = f"{version[0]}.{version[1]}"
    if not _OLDEST <= version <= _NEWEST:
        return DumpReading(
            str(path), shown, compression, False, size,
            note=f"archive version {shown} is not read natively: pg_restore is the only check of its blocks",
        )
    if compression not in ("none", "gzip"):
        return DumpReading(
            str(path), shown, compression, False, size,
            note=f"{compression} compression is not checked natively, falling back to pg_restore",
        )
    try:
        entries = _toc(reader, version)
    except _Truncated:
        return DumpReading(
            str(path), shown, compression, True, size,
            damage=(DumpDamage(reader.pos, "the file ends inside the table of contents", truncated=True),),
        )
    walk = _Walk(reader, entries, compressed=compression == "gzip")
    walk.run()
    damage = [*walk.damage, *_unseen(entries, walk.seen, size, walk.truncated)]
    return DumpReading(
        str(path), shown, compression, True, size,
        tables=tuple(walk.tables), large_objects=walk.large_objects, damage=tuple(damage),
    )


def _header(reader: _Reader, path: Path) -> tuple[tuple[int, int], str]:
    if reader.take(5) != b"PGDMP":
        raise InputError(f"{path}:1:1: expected a pg_dump custom archive starting with PGDMP")
    major, minor, _revision = reader.take(3)
    reader.int_size, reader.offset_size = reader.octet(), reader.octet()
    if not 1 <= reader.int_size <= 8 or not 1 <= reader.offset_size <= 8:
        raise InputError(f"{path}:1:9: expected int and offset sizes of 1 to 8 bytes in the archive header")
    archive_format = reader.octet()
    if archive_format != 1:
        # 3 is what pg_dump 15 writes in a directory archive's toc.dat and a tar archive's
        raise InputError(f"{path}:1:11: expected a custom-format archive (pg_dump -Fc), found format {archive_format}")
    version = (major, minor)
    if version >= (1, 15):
        algorithm = reader.octet()
        compression = _ALGORITHMS.get(algorithm, f"algorithm {algorithm}")
    else:
        compression = "none" if reader.integer() == 0 else "gzip"  # a zlib level; -1 is zlib's default
    for _ in range(7):  # the dump's timestamp: sec, min, hour, mday, mon, year, isdst
        reader.integer()
    _skip_strings(reader, 3)  # database name, server version, pg_dump version
    return version, compression


def _skip_strings(reader: _Reader, count: int) -> None:
    for _ in range(count):
        reader.string()


def _toc(reader: _Reader, version: tuple[int, int]) -> dict[int, _Entry]:
    entries: dict[int, _Entry] = {}
    for _ in range(reader.integer()):
        dump_id = reader.integer()
        reader.integer()  # had a data dumper
        _skip_strings(reader, 2)  # catalog id: table oid, oid
        tag = reader.string() or ""
        desc = reader.string() or ""
        reader.integer()  # section
        _skip_strings(reader, 3)  # definition, drop statement, COPY statement
        namespace = reader.string()
        reader.string()  # tablespace
        if version >= (1, 14):
            reader.string()  # table access method
        if version >= (1, 16):
            reader.integer()  # relkind
        _skip_strings(reader, 2)  # owner, "false" (WITH OIDS)
        while reader.string() is not None:  # dependencies, ended by NULL
            pass
        flag, offset = reader.data_offset()
        name = "large objects" if desc == "BLOBS" else (f"{namespace}.{tag}" if namespace else tag)
        entries[dump_id] = _Entry(dump_id, desc, name, flag, offset)
    return entries


class _Walk:
    """The data blocks from the end of the table of contents to the end of the file."""

    def __init__(self, reader: _Reader, entries: dict[int, _Entry], *, compressed: bool) -> None:
        self.reader = reader
        self.entries = entries
        self.compressed = compressed
        self.tables: list[TableData] = []
        self.large_objects = 0
        self.damage: list[DumpDamage] = []
        self.seen: set[int] = set()
        self.truncated = False

    def run(self) -> None:
        reader = self.reader
        while not reader.at_end():
            start = reader.pos
            name: str | None = None
            try:
                kind = reader.octet()
                if kind not in (BLK_DATA, BLK_BLOBS):
                    self.damage.append(DumpDamage(start, f"expected a data block (type 1 or 3), found byte {kind}"))
                    return  # the block structure is lost from here on
                dump_id = reader.integer()
                entry = self.entries.get(dump_id)
                name = entry.name if entry else f"dump id {dump_id}"
                self._check_position(entry, dump_id, start)
                self.seen.add(dump_id)
                if kind == BLK_DATA:
                    stored, inflated, newlines, tail = self._stream(name)
                    rows = newlines - _marker_lines(tail)
                    self.tables.append(TableData(name, dump_id, start, stored, inflated, rows))
                else:
                    self._large_objects(name)
            except _Truncated:
                self.truncated = True
                where = f"inside the data block of {name}" if name else "inside a data block"
                self.damage.append(
                    DumpDamage(reader.pos, f"the file ends {where}: the dump was cut short", name, truncated=True)
                )
                return

    def _check_position(self, entry: _Entry | None, dump_id: int, start: int) -> None:
        if entry is None:
            self.damage.append(DumpDamage(start, f"data block for dump id {dump_id}, which the table of contents lacks"))
        elif entry.offset_flag == _OFFSET_SET and entry.offset != start:
            self.damage.append(
                DumpDamage(start, f"the table of contents puts the data of {entry.name} at byte {entry.offset}", entry.name)
            )

    def _large_objects(self, name: str) -> None:
        while self.reader.integer() != 0:  # each object: its OID, then its own stream
            self._stream(name)
            self.large_objects += 1

    def _stream(self, name: str) -> tuple[int, int, int, bytes]:
        """Read chunks up to the zero length, inflating them (when compressed) a batch at a time.
        Stored and inflated bytes, newlines, and the last bytes of the inflated data."""
        reader = self.reader
        start = reader.pos
        flow = _Inflow(self.compressed)
        batch: list[bytes] = []
        stored = batched = 0
        try:
            while (length := reader.integer()) > 0:
                batch.append(reader.take(length))
                stored += length
                batched += length
                if batched >= _BATCH:
                    flow.feed(b"".join(batch))
                    batch.clear()
                    batched = 0
            if length < 0:
                self.damage.append(DumpDamage(reader.pos, f"negative chunk length {length} in the data of {name}", name))
                raise _Truncated  # nothing after this can be located
        finally:  # a truncated stream still reports the damage inside what was read of it
            flow.feed(b"".join(batch))
            if flow.error is not None:
                offset = _failing_chunk(reader, start)
                self.damage.append(DumpDamage(offset, f"the data of {name} does not inflate: {flow.error}", name))
        problem = flow.unfinished(name)
        if problem:
            self.damage.append(DumpDamage(start, problem, name))
        return stored, flow.inflated, flow.newlines, flow.tail


class _Inflow:
    """One stream's stored bytes, fed a batch at a time: inflated (isal's zlib, adler32 checked at the
    end of the stream) when the dump is compressed, then measured, newlines counted."""

    def __init__(self, compressed: bool) -> None:
        self.inflater = isal_zlib.decompressobj() if compressed else None
        self.inflated = self.newlines = 0
        self.tail = b""
        self.error: str | None = None

    def feed(self, stored: bytes) -> None:
        if self.error is not None or not stored:
            return
        inflater = self.inflater
        if inflater is None:
            self._measure(stored)
            return
        try:
            data = inflater.decompress(stored, _PIECE)
            self._measure(data)
            while inflater.unconsumed_tail or (len(data) == _PIECE and not inflater.eof):
                data = inflater.decompress(inflater.unconsumed_tail, _PIECE)
                self._measure(data)
        except _INFLATE_ERROR as exc:
            self.error = str(exc)

    def _measure(self, data: bytes) -> None:
        self.inflated += len(data)
        self.newlines += data.count(b"\n")
        self.tail = (self.tail + data)[-_TAIL:] if len(data) < _TAIL else data[-_TAIL:]

    def unfinished(self, name: str) -> str:
        """What is wrong with the end of the compressed data of ``name``, inflated so far without error."""
        if self.inflater is None or self.error is not None:
            return ""
        if not self.inflater.eof:
            return f"the compressed data of {name} stops before its end"
        return f"bytes after the end of the compressed data of {name}" if self.inflater.unused_data else ""


def _failing_chunk(reader: _Reader, start: int) -> int:
    """Offset of the first chunk of the stream at ``start`` that does not inflate, found by inflating
    the stream again chunk by chunk (only after a batch failed: damage is rare)."""
    again = _Reader(reader.data, start)
    again.int_size = reader.int_size
    inflater = isal_zlib.decompressobj()
    try:
        while (length := again.integer()) > 0:
            at = again.pos
            try:
                inflater.decompress(again.take(length))
            except _INFLATE_ERROR:
                return at
    except _Truncated:
        pass
    return start


def _marker_lines(tail: bytes) -> int:
    """Newlines of COPY's end-of-data marker: pg_dump stores ``\\.`` and blank lines after the rows."""
    stripped = tail.rstrip(b"\n")
    if not stripped.endswith(b"\\.") or not (len(stripped) == 2 or stripped[-3:-2] == b"\n"):
        return 0
    return len(tail) - len(stripped)


def _unseen(entries: dict[int, _Entry], seen: set[int], size: int, truncated: bool) -> list[DumpDamage]:
    """Entries whose data the table of contents promises but the walk never met (after a truncation
    every later block is missing: the truncation already says so)."""
    if truncated:
        return []
    missing = [e for e in entries.values() if e.offset_flag != _OFFSET_NO_DATA and e.dump_id not in seen]
    past = [e for e in missing if e.offset_flag == _OFFSET_SET and e.offset >= size]
    damage: list[DumpDamage] = []
    if past:
        more = f" and {len(past) - 1} more" if len(past) > 1 else ""
        damage.append(
            DumpDamage(
                size,
                f"the table of contents puts the data of {past[0].name}{more} at byte {past[0].offset},"
                f" past the end of the file ({size} bytes): the dump was cut short",
                past[0].name,
                truncated=True,
            )
        )
    for entry in missing:
        if entry not in past:
            where = f" (byte {entry.offset})" if entry.offset_flag == _OFFSET_SET else ""
            damage.append(DumpDamage(entry.offset, f"the data block of {entry.name}{where} is missing", entry.name))
    return damage
