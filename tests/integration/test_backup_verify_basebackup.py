"""backup verify on real PostgreSQL base backups, started as throw-away servers.

The shared local server's pg_hba.conf has no ``replication`` entry for 127.0.0.1, so pg_basebackup
cannot copy it. These tests start a private PostgreSQL cluster (``engines/postgres/cluster``: initdb
in a temporary folder, its own port, data checksums on) and take real base backups of it with
pg_basebackup. ``backup verify`` then starts each backup in a private folder of its own.
"""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from dbexpert.api import backup_verify_base
from dbexpert.api.backup_manifest import create_manifest, write_manifest
from dbexpert.api.backup_verify import ArtifactKind, Verification, verify_backup
from dbexpert.engines.postgres import basebackup_start as bs
from dbexpert.engines.postgres import cluster as pg_cluster
from dbexpert.engines.postgres import restore_basebackup as bb
from dbexpert.engines.postgres.restore import find_program
from dbexpert.engines.postgres.scratch import connect
from dbexpert.model import InputError

SCHEMA = """
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE orders (
    id int PRIMARY KEY,
    customer_id int NOT NULL REFERENCES customers (id),
    amount numeric(10, 2) NOT NULL,
    created timestamptz NOT NULL
);
CREATE INDEX orders_customer_id_idx ON orders (customer_id);
INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 2000) g;
INSERT INTO orders SELECT g, 1 + g % 2000, g * 1.25, timestamptz '2026-01-01' + g * interval '1 minute'
FROM generate_series(1, 5000) g;
"""


@pytest.fixture(scope="module")
def cluster() -> Iterator[pg_cluster.Cluster]:
    try:
        with pg_cluster.private_cluster(
            {"fsync": "off"}, initdb_options=["--data-checksums"], listen="127.0.0.1"
        ) as running:
            with connect(running.url()) as conn:
                conn.execute("CREATE DATABASE shop")
            with connect(running.url("shop")) as conn:
                conn.execute(SCHEMA)  # type: ignore[arg-type]
            yield running
    except InputError as exc:  # no PostgreSQL server programs here
        pytest.skip(str(exc))


@pytest.fixture
def source(cluster: pg_cluster.Cluster) -> str:
    return str(cluster.url("shop"))


def _basebackup(cluster: pg_cluster.Cluster, target: Path, *options: str) -> Path:
    command = [find_program("pg_basebackup"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
    subprocess.run(
        [*command, "-D", str(target), "-c", "fast", "--no-sync", *options], check=True, capture_output=True
    )
    return target


@pytest.fixture
def base_backup(cluster: pg_cluster.Cluster, tmp_path: Path) -> Path:
    return _basebackup(cluster, tmp_path / "base", "-X", "fetch")


@pytest.fixture(params=["tar", "tar.gz"])
def tar_backup(cluster: pg_cluster.Cluster, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    gzip = ["-z"] if request.param == "tar.gz" else []
    target = _basebackup(cluster, tmp_path / "base-tar", "-Ft", *gzip, "-X", "stream")
    assert (target / f"base.{request.param}").is_file() and (target / f"pg_wal.{request.param}").is_file()
    return target


def _relation_file(url: str, table: str) -> str:
    from dbexpert.engines.url import parse_url

    with connect(parse_url(url)) as conn:
        row = conn.execute("SELECT pg_relation_filepath(%s) AS path", (table,)).fetchone()
    assert row is not None
    return str(row["path"])


def _no_drill_left() -> None:
    """No restore-drill folder and no server started from one is left behind."""
    assert not list(Path(tempfile.gettempdir()).glob(bs.DRILL_PREFIX + "*"))
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert bs.DRILL_PREFIX not in processes


def _statuses(result: Verification) -> dict[str, str]:
    return {t.table: t.status for t in result.tables}


# ----------------------------------------------------------------------------------- started backups


def test_intact_backup_matches_the_source_and_a_manifest(
    base_backup: Path, source: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "shop.manifest.json"
    write_manifest(create_manifest(source), manifest)
    against = verify_backup(base_backup, against=source)
    assert against.kind is ArtifactKind.PG_BASE_BACKUP
    assert against.passed, against.problems
    assert _statuses(against) == {"public.customers": "pass", "public.orders": "pass"}
    assert any(c.startswith("started as a private server") for c in against.checks)
    assert against.restore_seconds is not None and against.seconds_per_gb is not None
    assert against.report().summary["restore_seconds"] is not None
    with_manifest = verify_backup(base_backup, manifest=manifest)
    assert with_manifest.passed, with_manifest.problems
    assert _statuses(with_manifest) == {"public.customers": "pass", "public.orders": "pass"}
    _no_drill_left()


def test_intact_backup_without_reference_reads_every_database(base_backup: Path) -> None:
    result = verify_backup(base_backup)
    assert result.passed, result.problems
    statuses = _statuses(result)
    assert statuses["shop/public.orders"] == "restored" and statuses["shop/public.customers"] == "restored"
    assert "WAL segments named by WAL-Ranges present" in result.checks
    _no_drill_left()


def test_rows_changed_after_the_manifest_fail_the_named_table(
    cluster: pg_cluster.Cluster, base_backup: Path, source: str, tmp_path: Path
) -> None:
    manifest = tmp_path / "shop.manifest.json"
    write_manifest(create_manifest(source), manifest)
    with connect(cluster.url("shop")) as conn:
        conn.execute("UPDATE orders SET amount = amount + 1 WHERE id = 42")
    try:
        result = verify_backup(base_backup, against=source)
        assert not result.passed
        assert _statuses(result) == {"public.customers": "pass", "public.orders": "fail"}
        [finding] = result.findings
        assert finding.rule == "backup-table-content-differs" and finding.table == "public.orders"
        assert verify_backup(base_backup, manifest=manifest).passed  # the backup matches backup time
    finally:
        with connect(cluster.url("shop")) as conn:
            conn.execute("UPDATE orders SET amount = amount - 1 WHERE id = 42")


def test_a_database_the_backup_lacks_fails_every_table(
    cluster: pg_cluster.Cluster, base_backup: Path
) -> None:
    with connect(cluster.url()) as conn:
        conn.execute("CREATE DATABASE late")
    try:
        late = str(cluster.url("late"))
        with connect(cluster.url("late")) as conn:
            conn.execute("CREATE TABLE events (id int PRIMARY KEY)")
        result = verify_backup(base_backup, against=late)
        assert _statuses(result) == {"public.events": "fail"}
        rules = [(f.rule, f.table) for f in result.findings]
        assert rules[0] == ("backup-table-content-differs", "public.events")
        assert set(rules[1:]) == {
            ("backup-schema-object-missing", "public.events")
        }  # its key, index and constraint
    finally:
        with connect(cluster.url()) as conn:
            conn.execute("DROP DATABASE late")


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def test_flipped_byte_in_a_table_file_fails_that_table(base_backup: Path, source: str) -> None:
    relation = _relation_file(source, "public.customers")
    _flip(base_backup / relation, 8150)  # inside the first page's tuples
    result = verify_backup(base_backup, against=source)
    assert not result.passed
    rules = {f.rule: f for f in result.findings}
    assert rules["backup-base-backup-damaged"].evidence["file"] == relation  # pg_verifybackup
    unreadable = rules["backup-integrity-check-failed"]  # the started server: the page's data checksum
    assert unreadable.table == "public.customers" and "invalid page" in unreadable.message
    assert _statuses(result) == {"public.customers": "fail", "public.orders": "pass"}
    _no_drill_left()


def test_missing_wal_segment_fails_and_is_named(base_backup: Path) -> None:
    manifest = bb.read_manifest(base_backup)
    needed = bb.needed_segments(manifest, bb.segment_bytes(base_backup))
    assert needed and all((base_backup / "pg_wal" / name).is_file() for name in needed)
    (base_backup / "pg_wal" / needed[0]).unlink()
    result = verify_backup(base_backup)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-wal-segment-missing"]
    assert needed[0] in result.findings[0].message
    assert result.notes == ("not started: WAL segments it needs are missing",)
    _no_drill_left()


def test_wal_dir_is_searched_instead_of_pg_wal(base_backup: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.move(base_backup / "pg_wal", archive)
    (base_backup / "pg_wal").mkdir()
    assert verify_backup(base_backup, wal_dir=archive).passed
    assert not verify_backup(base_backup).passed


def test_the_server_is_stopped_and_removed_on_ctrl_c(
    base_backup: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def interrupted(artifact: Path, drill: bs.Drill, names: list[str]) -> None:
        assert drill.cluster is not None and pg_cluster.is_running(drill.cluster)
        seen.append(drill.cluster.data)
        raise KeyboardInterrupt

    monkeypatch.setattr(backup_verify_base, "_read_all", interrupted)
    with pytest.raises(KeyboardInterrupt):
        verify_backup(base_backup)
    assert seen and not seen[0].exists()
    _no_drill_left()


def test_no_server_of_the_backups_major_version_is_one_clear_line(base_backup: Path) -> None:
    (base_backup / "PG_VERSION").write_text("11\n")
    with pytest.raises(
        InputError, match=r"^PostgreSQL 11 server programs \(pg_ctl, postgres\) not found: install"
    ):
        verify_backup(base_backup)
    _no_drill_left()


def test_replay_failure_names_the_segment() -> None:
    manifest = {"WAL-Ranges": [{"Timeline": 1, "Start-LSN": "0/2000028", "End-LSN": "0/2000138"}]}
    log = "LOG:  starting point-in-time recovery to earliest consistent point\n" \
          "LOG:  incorrect resource manager data checksum in record at 0/2000060\n" \
          "FATAL:  could not locate required checkpoint record\n"  # fmt: skip
    empty = Path(tempfile.gettempdir()) / "no-such-dbexpert-folder"
    failure = bs.replay_failure(log, empty, empty, manifest)
    assert failure.segment == "000000010000000000000002" and failure.missing
    assert failure.message.startswith("incorrect resource manager data checksum")
    assert bs.replay_failure("FATAL:  something else\n", empty, empty, manifest) == bs.ReplayFailure(
        "something else"
    )


# ------------------------------------------------------------------------------- file checks only


def test_file_checks_without_pg_verifybackup(base_backup: Path) -> None:
    manifest = bb.read_manifest(base_backup)
    assert bb.check_files(base_backup, manifest) == []
    victim = base_backup / "PG_VERSION"
    victim.write_text("15\n\n")
    problems = bb.check_files(base_backup, manifest)
    assert [p.path for p in problems] == ["PG_VERSION"]
    assert "size" in problems[0].message


@pytest.mark.parametrize("algorithm", ["CRC32C", "SHA256"])
def test_checksums_are_checked_without_pg_verifybackup(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path, algorithm: str
) -> None:
    backup = _basebackup(cluster, tmp_path / "base", "-X", "fetch", f"--manifest-checksums={algorithm}")
    manifest = bb.read_manifest(backup)
    assert {e["Checksum-Algorithm"] for e in manifest["Files"]} == {algorithm}
    assert bb.check_files(backup, manifest) == []
    relation = _relation_file(source, "public.orders")
    _flip(backup / relation, 8150)  # same size: only the checksum can tell
    assert [(p.path, p.message) for p in bb.check_files(backup, manifest)] == [
        (relation, f"{algorithm} checksum differs from backup_manifest")
    ]


def test_verify_without_pg_verifybackup_names_the_damaged_file(
    base_backup: Path, source: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bb, "has_verifybackup", lambda: False)
    relation = _relation_file(source, "public.customers")
    _flip(base_backup / relation, 8150)
    result = verify_backup(base_backup, against=source)
    assert not result.passed
    native = "file sizes and checksums (CRC32C or SHA) from backup_manifest (pg_verifybackup not installed)"
    assert native in result.checks
    damaged = [f for f in result.findings if f.rule == "backup-base-backup-damaged"]
    assert [f.evidence["file"] for f in damaged] == [relation]
    assert "CRC32C checksum differs" in damaged[0].message
    _no_drill_left()


def test_needed_segments_across_boundaries() -> None:
    size = 16 * 1024 * 1024
    manifest = {"WAL-Ranges": [{"Timeline": 1, "Start-LSN": "0/2FFFFF0", "End-LSN": "0/3000100"}]}
    assert bb.needed_segments(manifest, size) == ["000000010000000000000002", "000000010000000000000003"]
    # An end LSN exactly on a boundary needs nothing from the next segment.
    manifest = {"WAL-Ranges": [{"Timeline": 2, "Start-LSN": "1/FF000028", "End-LSN": "2/00000000"}]}
    assert bb.needed_segments(manifest, size) == ["0000000200000001000000FF"]
    assert bb.segment_name(2, bb.parse_lsn("1/FF000028"), size) == "0000000200000001000000FF"


def test_not_a_manifest_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "backup_manifest").write_text("{ not json")
    with pytest.raises(InputError, match=r"backup_manifest:1:3: expected a PostgreSQL backup manifest"):
        verify_backup(tmp_path)


def test_crc32c_matches_the_manifest_of_a_plain_backup(base_backup: Path) -> None:
    assert bb.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    entry = next(e for e in bb.read_manifest(base_backup)["Files"] if e["Path"] == "global/pg_control")
    assert entry["Checksum-Algorithm"] == "CRC32C"
    crc = bb.crc32c((base_backup / "global/pg_control").read_bytes())
    assert crc.to_bytes(4, "little").hex() == entry["Checksum"]


# ------------------------------------------------------------------------------------ tar format


def test_intact_tar_backup_matches_the_source(tar_backup: Path, source: str) -> None:
    result = verify_backup(tar_backup, against=source)
    assert result.kind is ArtifactKind.PG_BASE_BACKUP
    assert result.passed, result.problems
    assert _statuses(result) == {"public.customers": "pass", "public.orders": "pass"}
    assert any(c.startswith("tar archives streamed") for c in result.checks)
    assert bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup)) == []
    _no_drill_left()


def test_damaged_member_of_a_tar_backup_fails(tar_backup: Path, source: str) -> None:
    archive = next(tar_backup.glob("base.tar*"))
    relation = _relation_file(source, "public.customers")
    if archive.name.endswith(".gz"):  # a flipped byte in gzip data breaks the stream itself
        _flip(archive, archive.stat().st_size // 2)
        # Either the gzip stream fails (its CRC, or bad deflate data) or members come out wrong.
        assert bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup))
        assert not verify_backup(tar_backup).passed
        _no_drill_left()
        return
    with tarfile.open(archive) as tar:
        victim = tar.getmember(relation)
    _flip(archive, victim.offset_data + 8150)  # inside the member's content: the tar headers stay valid
    result = verify_backup(tar_backup, against=source)
    assert not result.passed
    rules = {f.rule: f for f in result.findings}
    assert rules["backup-base-backup-damaged"].evidence["file"] == relation
    assert "CRC32C checksum differs" in rules["backup-base-backup-damaged"].message
    assert rules["backup-integrity-check-failed"].table == "public.customers"
    _no_drill_left()


def test_member_missing_from_a_tar_backup_fails(tar_backup: Path) -> None:
    archive = next(tar_backup.glob("base.tar*"))
    mode = "gz" if archive.name.endswith(".gz") else ""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, f"w:{mode}") as tar:
        for member, content in members:
            if member.name != "PG_VERSION":
                tar.addfile(member, io.BytesIO(content) if content is not None else None)
    problems = bb.check_tar_files(tar_backup, bb.read_manifest(tar_backup))
    assert [(p.path, p.message) for p in problems] == [
        ("PG_VERSION", "listed in backup_manifest but missing from the tar archives")
    ]


def _compressed_offset(archive: Path, offset: int) -> int:
    """A byte of gzip ``archive`` inflated to about byte ``offset`` of the tar inside (within 64 bytes
    of compressed input)."""
    data = archive.read_bytes()
    inflater = zlib.decompressobj(31)
    produced = 0
    for start in range(0, len(data), 64):
        produced += len(inflater.decompress(data[start : start + 64]))
        if produced > offset:
            return start + 32
    raise AssertionError(f"{archive} inflates to fewer than {offset} bytes")


def _member(archive: Path, name: str) -> tuple[tarfile.TarInfo, str]:
    """Member ``name`` of ``archive`` and the name of the member before it."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
    at = [m.name for m in members].index(name)
    return members[at], members[at - 1].name


def test_flipped_byte_in_a_members_compressed_data_names_that_member(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path
) -> None:
    backup = _basebackup(cluster, tmp_path / "base-gz", "-Ft", "-z", "-X", "stream")
    archive = backup / "base.tar.gz"
    relation = _relation_file(source, "public.orders")
    member, _ = _member(archive, relation)
    _flip(archive, _compressed_offset(archive, member.offset_data + member.size // 2))
    problems = bb.check_tar_files(backup, bb.read_manifest(backup))
    # It inflates to other bytes (the member's CRC32C differs) or not at all (it breaks off there);
    # the archive's own problem comes last (the gzip trailer's CRC, which ISA-L may check ahead, or
    # a tar header after the member that no longer reads). Inflating on past a flipped bit can also
    # shift what follows, so members between them may be reported too, but never one before it.
    assert problems[0].path == relation, problems
    assert problems[-1].path == "base.tar.gz" and 2 <= len(problems) <= 3, problems
    result = verify_backup(backup)
    assert not result.passed
    assert result.findings[0].evidence["file"] == relation
    _no_drill_left()


def test_gzip_archive_cut_in_a_member_names_that_member(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path
) -> None:
    """The data ends inside a member: that member is named, with the archive."""
    backup = _basebackup(cluster, tmp_path / "base-gz", "-Ft", "-z", "-X", "stream")
    archive = backup / "base.tar.gz"
    relation = _relation_file(source, "public.orders")
    member, _ = _member(archive, relation)
    cut = _compressed_offset(archive, member.offset_data + member.size // 2)
    archive.write_bytes(archive.read_bytes()[:cut])
    problems = bb.check_tar_files(backup, bb.read_manifest(backup))
    assert [p.path for p in problems] == [relation, "base.tar.gz"], problems
    assert problems[0].message.startswith("cannot be read from base.tar.gz: ")
    assert problems[1].message.startswith(f"base.tar.gz cannot be read to its end after {relation}: ")


def test_gzip_archive_that_stops_inflating_in_a_member_names_that_member(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path
) -> None:
    """An invalid deflate block near the start of a member's data. ISA-L meets it while an earlier
    member is read (it inflates ahead): the archive is read again, inflating no further than asked,
    which stops in the member the block is in."""
    backup = _basebackup(cluster, tmp_path / "base-gz", "-Ft", "-z", "-X", "stream")
    archive = backup / "base.tar.gz"
    relation = _relation_file(source, "public.orders")
    member, _ = _member(archive, relation)
    with gzip.open(archive) as handle:
        content = handle.read()
    middle = member.offset_data + 100
    deflater = zlib.compressobj(6, zlib.DEFLATED, 31)
    # After a full flush a block starts on a byte boundary: 0b110 is a block of reserved type 3.
    head = deflater.compress(content[:middle]) + deflater.flush(zlib.Z_FULL_FLUSH)
    archive.write_bytes(head + b"\x06" + deflater.compress(content[middle:]) + deflater.flush())
    problems = bb.check_tar_files(backup, bb.read_manifest(backup))
    assert [p.path for p in problems] == [relation, "base.tar.gz"], problems
    assert problems[0].message.startswith("cannot be read from base.tar.gz: ")


def test_damaged_member_header_of_a_tar_backup_is_reported(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path
) -> None:
    """tarfile ends its listing at a header whose checksum fails: the members after it are not
    reported missing, the archive is."""
    backup = _basebackup(cluster, tmp_path / "base-tar", "-Ft", "-X", "stream")
    archive = backup / "base.tar"
    relation = _relation_file(source, "public.orders")
    member, before = _member(archive, relation)
    _flip(archive, member.offset + 10)  # in the member's name: the header checksum fails
    problems = bb.check_tar_files(backup, bb.read_manifest(backup))
    assert [(p.path, p.message) for p in problems] == [
        (
            "base.tar",
            f"base.tar: the header of the member after {before} does not read; the members after it are not checked",
        )
    ]


def _rewrite_wal_tar(backup: Path, change: dict[str, bytes | None]) -> None:
    """Rewrite pg_wal.tar[.gz] with members replaced (bytes) or dropped (None)."""
    archive = next(backup.glob("pg_wal.tar*"))
    mode = "gz" if archive.name.endswith(".gz") else ""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]  # type: ignore[union-attr]
    with tarfile.open(archive, f"w:{mode}") as tar:
        for member, content in members:
            if member.name in change:
                content = change[member.name]
                if content is None:
                    continue
            tar.addfile(member, io.BytesIO(content) if content is not None else None)


def test_missing_wal_segment_of_a_tar_backup_fails(tar_backup: Path) -> None:
    manifest = bb.read_manifest(tar_backup)
    needed = bb.needed_segments(manifest, bb.segment_bytes(tar_backup))
    _rewrite_wal_tar(tar_backup, {needed[0]: None})
    result = verify_backup(tar_backup)
    assert not result.passed
    assert [f.rule for f in result.findings] == ["backup-wal-segment-missing"]
    assert needed[0] in result.findings[0].message
    _no_drill_left()


def test_damaged_wal_segment_of_a_tar_backup_is_named_by_replay(tar_backup: Path) -> None:
    """pg_wal.tar is only checked for presence and size: replaying it is what finds a damaged record."""
    manifest = bb.read_manifest(tar_backup)
    [wal_range] = manifest["WAL-Ranges"]
    start = bb.parse_lsn(wal_range["Start-LSN"])
    size = bb.segment_bytes(tar_backup)
    name = bb.segment_name(int(wal_range["Timeline"]), start, size)
    archive = next(tar_backup.glob("pg_wal.tar*"))
    with tarfile.open(archive) as tar:
        segment = bytearray(tar.extractfile(name).read())  # type: ignore[union-attr]
    segment[start % size + 30] ^= 0xFF  # inside the first record the backup needs
    _rewrite_wal_tar(tar_backup, {name: bytes(segment)})
    result = verify_backup(tar_backup)
    assert not result.passed
    [finding] = result.findings
    assert finding.rule == "backup-base-backup-damaged"
    assert finding.evidence["file"] == f"pg_wal/{name}" and "WAL replay stopped" in finding.message
    _no_drill_left()


def test_tar_backup_with_a_tablespace_is_started_from_its_own_archive(
    cluster: pg_cluster.Cluster, source: str, tmp_path: Path
) -> None:
    location = cluster.data.parent / "tablespace"
    location.mkdir()
    pg_cluster.hand_over(location, cluster.account)
    with connect(cluster.url("shop")) as conn:
        conn.execute(f"CREATE TABLESPACE extra LOCATION '{location}'")
        conn.execute("CREATE TABLE archived (id int PRIMARY KEY) TABLESPACE extra")
        conn.execute("INSERT INTO archived SELECT generate_series(1, 500)")
    try:
        backup = _basebackup(cluster, tmp_path / "base-ts", "-Ft", "-X", "stream")
        assert len(list(backup.glob("[0-9]*.tar"))) == 1
        account = pg_cluster.server_account(backup)
        with bs.private_copy(backup, bb.read_manifest(backup), None, account) as (home, _):
            mapping = (home / "data" / "tablespace_map").read_text()
            assert str(home / "tablespaces") in mapping and str(location) not in mapping  # never the source's
        result = verify_backup(backup, against=source)
        assert result.passed, result.problems
        assert _statuses(result)["public.archived"] == "pass"
        _no_drill_left()
    finally:
        with connect(cluster.url("shop")) as conn:
            conn.execute("DROP TABLE archived")
            conn.execute("DROP TABLESPACE extra")
