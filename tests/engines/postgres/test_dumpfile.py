"""The custom-format dump reader, on dumps made by the local pg_dump 15 (archive version 1.14)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from dbexpert.engines.postgres.dumpfile import DumpReading, read_dump
from dbexpert.engines.postgres.restore import client_env, find_program
from dbexpert.engines.url import parse_url
from dbexpert.model import InputError

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL, note text);
CREATE TABLE empty (id int);
INSERT INTO customers SELECT g, 'c' || g || E'@example.com\\nsecond line' FROM generate_series(1, 300) g;
INSERT INTO orders SELECT g, g % 300 + 1, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 20000) g;
SELECT lo_from_bytea(0, convert_to(repeat('large object ', 1000), 'UTF8'));
SELECT lo_from_bytea(0, '\\x00ff');
"""
ROWS = {"public.customers": 300, "public.orders": 20000, "public.empty": 0}


@pytest.fixture
def source(pg_url: str) -> str:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return pg_url


def pg_dump(url: str, target: Path, *options: str) -> Path:
    subprocess.run(
        [find_program("pg_dump"), "-Fc", *options, "-f", str(target)], env=client_env(parse_url(url)), check=True
    )
    return target


def _rows(reading: DumpReading) -> dict[str, int]:
    return {t.name: t.rows for t in reading.tables}


def _block(reading: DumpReading, name: str) -> tuple[int, int]:
    table = next(t for t in reading.tables if t.name == name)
    return table.offset, table.stored_bytes


@pytest.mark.parametrize(("options", "compression"), [((), "gzip"), (("-Z", "0"), "none")], ids=["zlib", "Z0"])
def test_intact_dump_reads_every_block_and_counts_rows(
    source: str, tmp_path: Path, options: tuple[str, ...], compression: str
) -> None:
    reading = read_dump(pg_dump(source, tmp_path / "db.dump", *options))
    assert reading.ok and reading.checked, reading.damage
    assert (reading.archive_version, reading.compression) == ("1.14", compression)
    assert _rows(reading) == ROWS  # embedded newlines are escaped by COPY: one line per row
    assert reading.large_objects == 2
    orders = next(t for t in reading.tables if t.name == "public.orders")
    assert orders.data_bytes > 20000 * 64
    assert (orders.stored_bytes < orders.data_bytes) is (compression == "gzip")


def test_highly_compressible_data_inflates_piece_by_piece_to_the_same_text(pg_url: str, tmp_path: Path) -> None:
    # 4 MB of COPY text that zlib packs a few hundred times smaller: one stored batch inflates to
    # far more than one piece, and the compressed reading must match the uncompressed one.
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE padded AS SELECT g AS id, repeat('x', 20000) AS pad FROM generate_series(1, 200) g")
    compressed = read_dump(pg_dump(pg_url, tmp_path / "z.dump"))
    plain = read_dump(pg_dump(pg_url, tmp_path / "z0.dump", "-Z", "0"))
    assert compressed.ok and plain.ok, (compressed.damage, plain.damage)
    (zipped,), (unzipped,) = compressed.tables, plain.tables
    assert zipped.stored_bytes * 100 < zipped.data_bytes
    assert (zipped.rows, zipped.data_bytes) == (unzipped.rows, unzipped.data_bytes)
    assert zipped.rows == 200
    assert unzipped.data_bytes > 200 * 20000


def test_dump_written_to_a_pipe_has_no_offsets_and_still_reads(source: str, tmp_path: Path) -> None:
    target = tmp_path / "piped.dump"
    with target.open("wb") as out:
        dump = subprocess.Popen(
            [find_program("pg_dump"), "-Fc"], env=client_env(parse_url(source)), stdout=subprocess.PIPE
        )
        assert dump.stdout is not None
        copy = subprocess.run(["cat"], stdin=dump.stdout, stdout=out, check=True)
        assert dump.wait() == 0 and copy.returncode == 0
    reading = read_dump(target)
    assert reading.ok, reading.damage
    assert _rows(reading) == ROWS


def test_flipped_byte_inside_a_compressed_block_is_caught_and_the_walk_goes_on(
    source: str, tmp_path: Path
) -> None:
    artifact = pg_dump(source, tmp_path / "db.dump")
    offset, stored = _block(read_dump(artifact), "public.orders")
    data = bytearray(artifact.read_bytes())
    data[offset + stored // 2] ^= 0x01  # inside the compressed bytes, far from any chunk length
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(bytes(data))
    reading = read_dump(damaged)
    assert [(d.table, d.truncated) for d in reading.damage] == [("public.orders", False)]
    assert "does not inflate" in reading.damage[0].message
    assert offset < reading.damage[0].offset < offset + stored + 100
    assert reading.large_objects == 2  # the blocks after the damaged one were still read


@pytest.mark.parametrize("where", ["inside-orders", "block-boundary", "inside-header", "inside-toc"])
def test_truncated_dump_fails(source: str, tmp_path: Path, where: str) -> None:
    artifact = pg_dump(source, tmp_path / "db.dump")
    intact = read_dump(artifact)
    offset, stored = _block(intact, "public.orders")
    first = min(t.offset for t in intact.tables)
    cut = {
        "inside-orders": offset + stored // 2,
        "block-boundary": offset,  # every block before orders is whole: only the TOC offsets tell
        "inside-header": 20,
        "inside-toc": first - 50,
    }[where]
    short = tmp_path / "short.dump"
    short.write_bytes(artifact.read_bytes()[:cut])
    reading = read_dump(short)
    assert not reading.ok
    assert reading.damage[0].truncated
    if where == "inside-orders":
        assert reading.damage[0].table == "public.orders"
        assert "cut short" in reading.damage[0].message
    if where == "block-boundary":
        assert "past the end of the file" in reading.damage[0].message


def test_not_a_custom_dump_is_bad_input(source: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.dump"
    junk.write_bytes(b"PGDUMP? no\n")
    with pytest.raises(InputError, match=r"junk.dump:1:1: expected a pg_dump custom archive"):
        read_dump(junk)
    directory = tmp_path / "db.dir"
    subprocess.run(
        [find_program("pg_dump"), "-Fd", "-f", str(directory)], env=client_env(parse_url(source)), check=True
    )
    with pytest.raises(InputError, match=r"toc.dat:1:11: expected a custom-format archive .*found format 3"):
        read_dump(directory / "toc.dat")


def test_lz4_and_zstd_are_recognised_not_inflated(tmp_path: Path) -> None:
    # pg_dump 16+ writes archive version 1.15 with an algorithm byte after the format byte
    # (pg_backup_archiver.c, WriteHead); no such pg_dump is installed here, so the header is
    # written by hand from that layout: PGDMP, 1.15.0, int size 4, offset size 8, custom, lz4.
    for algorithm, name in ((2, "lz4"), (3, "zstd")):
        path = tmp_path / f"{name}.dump"
        path.write_bytes(b"PGDMP" + bytes([1, 15, 0, 4, 8, 1, algorithm]) + b"\x00" * 64)
        reading = read_dump(path)
        assert (reading.checked, reading.compression, reading.ok) == (False, name, True)
        assert reading.note == f"{name} compression is not checked natively, falling back to pg_restore"


def test_empty_file_is_cut_short_and_a_pipe_is_bad_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.dump"
    empty.write_bytes(b"")
    reading = read_dump(empty)
    assert [(d.offset, d.truncated) for d in reading.damage] == [(0, True)]
    fifo = tmp_path / "fifo.dump"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a writer is waiting, so opening it does not block
    writer = os.open(fifo, os.O_WRONLY)
    try:
        with pytest.raises(InputError, match=r"fifo.dump:1:1: expected a dump file, found a pipe"):
            read_dump(fifo)
    finally:
        os.close(writer)
        os.close(reader)
