"""The gzip reader that inflates no further than asked (engines/postgres/gzip_exact)."""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path

import pytest

from dbexpert.engines.postgres.gzip_exact import ExactGzipReader

CONTENT = os.urandom(50_000) + bytes(300_000) + b"tail" * 1000


def test_members_and_zero_padding_read_as_one_stream(tmp_path: Path) -> None:
    path = tmp_path / "several.gz"
    # An empty member first, as pg_basebackup 15 writes pg_wal.tar.gz, and zeros after the last.
    path.write_bytes(
        gzip.compress(b"") + gzip.compress(CONTENT[:1000]) + gzip.compress(CONTENT[1000:]) + bytes(700)
    )
    with ExactGzipReader(path) as reader:
        assert reader.read(10) == CONTENT[:10]
        assert reader.seek(60_000) == 60_000 and reader.tell() == 60_000
        assert reader.read() == CONTENT[60_000:]
        assert reader.read(5) == b""
        with pytest.raises(io.UnsupportedOperation):
            reader.seek(0)


def test_errors_come_from_the_read_that_reaches_them(tmp_path: Path) -> None:
    deflater = zlib.compressobj(6, zlib.DEFLATED, 31)
    head = deflater.compress(CONTENT[:200_000]) + deflater.flush(zlib.Z_FULL_FLUSH)
    path = tmp_path / "damaged.gz"
    path.write_bytes(head + b"\x06" + deflater.compress(CONTENT[200_000:]) + deflater.flush())  # block type 3
    with ExactGzipReader(path) as reader:
        # Everything before the damage reads (zlib looks at most at the next block's header ahead).
        assert reader.read(199_000) == CONTENT[:199_000]
        with pytest.raises(zlib.error, match="invalid block type"):
            reader.read(2000)
    path.write_bytes(gzip.compress(CONTENT)[:-20])
    with ExactGzipReader(path) as reader, pytest.raises(EOFError):
        reader.read()
    whole = bytearray(gzip.compress(CONTENT))
    whole[-8] ^= 0xFF  # the trailer's CRC-32
    path.write_bytes(bytes(whole))
    with ExactGzipReader(path) as reader:
        assert reader.read(len(CONTENT) - 1000) == CONTENT[:-1000]
        with pytest.raises(zlib.error, match="incorrect data check"):
            reader.read()
