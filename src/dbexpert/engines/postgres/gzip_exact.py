"""A gzip file read without read-ahead, so that an error is raised by the read whose bytes it damages.

``gzip.GzipFile`` puts a buffered reader over its inflater (it fills 8 KB past what is asked) and
ISA-L inflates further ahead still: a flipped byte at the start of one tar member is then reported
while the member before it is read. Here each read inflates at most the bytes it returns (zlib's
``max_length``; zlib only looks on to the next block's header), and the file is only ever read
forwards, as ``tarfile`` does in order: a seek forwards inflates and drops what it skips. Several
gzip members one after the other (as ``pg_basebackup`` 15 writes ``pg_wal.tar.gz``) and zero
padding after them read as one stream, as ``gzip`` reads them; each member's trailer (CRC-32 and
length) is checked by zlib.
"""

from __future__ import annotations

import io
import zlib
from pathlib import Path

_INPUT = 64 * 1024  # compressed bytes read from the file at a time
_GZIP = 16 + zlib.MAX_WBITS  # zlib's window bits for the gzip wrapper


class ExactGzipReader(io.RawIOBase):
    """The inflated bytes of a gzip file, read forwards, inflated no further than asked."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("rb")
        self._inflater = zlib.decompressobj(_GZIP)
        self._input = b""  # compressed bytes not yet given to the inflater
        self._position = 0  # of the inflated stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        target = offset if whence == io.SEEK_SET else self._position + offset
        if whence not in (io.SEEK_SET, io.SEEK_CUR) or target < self._position:
            raise io.UnsupportedOperation("only forward seeks from the start or the current position")
        scratch = bytearray(min(target - self._position, _INPUT) or 1)
        while self._position < target:
            if not self.readinto(memoryview(scratch)[: target - self._position]):
                break
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        """``size`` bytes, fewer only at the end of the stream (``tarfile`` reads a header at once)."""
        if size is None or size < 0:
            return self.readall()
        buffer = bytearray(size)
        view, filled = memoryview(buffer), 0
        while filled < size:
            count = self.readinto(view[filled:])
            if not count:
                break
            filled += count
        return bytes(buffer[:filled])

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Up to ``len(buffer)`` bytes; 0 at the end. EOFError when the data stops inside a member,
        zlib.error when it does not inflate (or a trailer does not match)."""
        wanted = len(buffer)
        while wanted:
            if self._inflater.eof and not self._next_member():
                return 0
            if not self._input:
                self._input = self._file.read(_INPUT)
                if not self._input:
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
            out = self._inflater.decompress(self._input, wanted)
            self._input = self._inflater.unconsumed_tail
            if out:
                buffer[: len(out)] = out
                self._position += len(out)
                return len(out)
        return 0

    def _next_member(self) -> bool:
        """Start the next gzip member, skipping zero padding; False at the end of the file."""
        rest = self._inflater.unused_data
        while not (rest := rest.lstrip(b"\0")):
            rest = self._file.read(_INPUT)
            if not rest:
                return False
        self._inflater = zlib.decompressobj(_GZIP)
        self._input = rest
        return True

    def close(self) -> None:
        self._file.close()
        super().close()
