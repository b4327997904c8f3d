"""CRC32C, the default checksum of a base backup's manifest, against published check values."""

from __future__ import annotations

import pytest

from dbexpert.engines.postgres.restore_basebackup import crc32c

# RFC 3720 (iSCSI), appendix B.4: 32-byte buffers and their CRC32C.
RFC_3720 = [
    (bytes(32), 0x8A9136AA),
    (b"\xff" * 32, 0x62A8AB43),
    (bytes(range(32)), 0x46DD794E),
    (bytes(range(31, -1, -1)), 0x113FDB5C),
]


def test_check_value() -> None:
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0


@pytest.mark.parametrize(("data", "expected"), RFC_3720, ids=["zeros", "ones", "incrementing", "decrementing"])
def test_rfc_3720_vectors(data: bytes, expected: int) -> None:
    assert crc32c(data) == expected


def test_continues_from_the_bytes_before() -> None:
    data = bytes(range(256)) * 4099  # odd length: the hardware path's unaligned head and tail
    assert crc32c(data[1000:], crc32c(data[:1000])) == crc32c(data)
    assert crc32c(b"6789", crc32c(b"12345")) == 0xE3069283
