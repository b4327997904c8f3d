"""The InnoDB size model against indexes really built on the local MariaDB (a calibration test).

Each shape is built with CREATE INDEX on 200,000 rows and measured as ``mysql.innodb_index_stats``
``size`` (pages the index's segments reserve) × ``@@innodb_page_size`` after ANALYZE TABLE. The
model gets the exact row count and, for the variable-length columns, the measured average width and
null fraction: what is checked is the model, not InnoDB's row estimate.
"""

from __future__ import annotations

from dataclasses import replace

import pymysql
import pytest

from dbexpert.advisors.index.candidates import Candidate, estimated_bytes
from dbexpert.advisors.index.size_innodb import innodb_bytes, segment_pages
from dbexpert.engines import connect
from dbexpert.engines.url import parse_url
from dbexpert.model import ColumnStats, Engine, Table, TableStats
from tests.conftest import mysql_connect_args, mysql_execute

pytestmark = pytest.mark.mysql

ROWS = 200_000
TOLERANCE = 0.10
SETUP = f"""
CREATE TABLE t_int (id int PRIMARY KEY, a int NOT NULL, email varchar(100) NOT NULL,
    status varchar(10) NOT NULL, created datetime NOT NULL);
INSERT INTO t_int SELECT seq, (seq * 7919) % 50000, CONCAT('user', seq, '@example.com'),
    IF(seq % 100 = 0, 'failed', 'done'), TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq * 10 SECOND
    FROM seq_1_to_{ROWS};
CREATE TABLE t_big (id bigint PRIMARY KEY, b bigint NOT NULL);
INSERT INTO t_big SELECT seq, seq * 3 FROM seq_1_to_{ROWS};
CREATE TABLE t_nopk (a int NOT NULL, created datetime NOT NULL);
INSERT INTO t_nopk SELECT a, created FROM t_int;
CREATE TABLE t_cpk (x int NOT NULL, y int NOT NULL, email varchar(100) NULL, PRIMARY KEY (x, y));
INSERT INTO t_cpk SELECT seq DIV 10, seq MOD 10, IF(seq % 10 = 0, NULL, CONCAT('user', seq, '@example.com'))
    FROM seq_1_to_{ROWS};
"""
SHAPES = [
    ("t_int", ("a",)),  # int key, int primary key
    ("t_big", ("b",)),  # bigint key, bigint primary key
    ("t_int", ("email",)),  # varchar
    ("t_int", ("status",)),  # two values: InnoDB does not deduplicate
    ("t_int", ("a", "created")),  # composite
    ("t_nopk", ("a",)),  # no primary key: the hidden 6-byte row id
    ("t_nopk", ("a", "created")),
    ("t_cpk", ("email",)),  # composite primary key, nullable varchar
]


def _measured(url: str) -> dict[tuple[str, tuple[str, ...]], int]:
    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cursor:
        for number, (table, keys) in enumerate(SHAPES):
            cursor.execute(f"CREATE INDEX i{number} ON {table} ({', '.join(keys)})")
        cursor.execute("ANALYZE TABLE t_int, t_big, t_nopk, t_cpk")
        cursor.fetchall()
        cursor.execute(
            "SELECT table_name, index_name, stat_value * @@innodb_page_size FROM mysql.innodb_index_stats"
            " WHERE database_name = DATABASE() AND stat_name = 'size'"
        )
        sizes = {(str(t), str(i)): int(v) for t, i, v in cursor.fetchall()}
    return {shape: sizes[(shape[0], f"i{n}")] for n, shape in enumerate(SHAPES)}


def _exact(url: str, table: Table) -> Table:
    """The table with its exact row count and the measured width and null share of varchar columns."""
    conn = pymysql.connect(**mysql_connect_args(url))
    with conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table.name}")
        rows = int(cursor.fetchone()[0])
        columns = []
        for column in table.columns:
            if column.raw_type.lower().startswith("varchar"):
                cursor.execute(f"SELECT AVG(LENGTH({column.name})), AVG({column.name} IS NULL) FROM {table.name}")
                width, nulls = cursor.fetchone()
                stats = ColumnStats(avg_width=round(float(width)), null_fraction=float(nulls))
                column = replace(column, stats=stats)
            columns.append(column)
    return replace(table, columns=tuple(columns), stats=TableStats(row_estimate=rows))


def test_the_innodb_size_model_is_calibrated_against_real_indexes(mysql_url: str) -> None:
    mysql_execute(mysql_url, SETUP)
    real = _measured(mysql_url)
    with connect(parse_url(mysql_url)) as session:
        catalog = session.introspect()
    tables = {t.name: _exact(mysql_url, t) for t in catalog.tables}
    report = []
    for table, keys in SHAPES:
        model = innodb_bytes(tables[table], keys)
        error = model / real[(table, keys)] - 1
        report.append(f"{table}({', '.join(keys)}): real {real[(table, keys)]:,} model {model:,} {error:+.1%}")
    text = "\n".join(report)
    for line in report:
        assert abs(float(line.rsplit(" ", 1)[1].rstrip("%")) / 100) <= TOLERANCE, text
    # MySQL candidates are sized with this model, not PostgreSQL's B-tree
    status = Candidate("t_int", ("status",), engine=Engine.MYSQL)
    assert estimated_bytes(status, tables["t_int"]) == innodb_bytes(tables["t_int"], ("status",))


def test_segments_reserve_fragments_then_extents_kept_an_eighth_free() -> None:
    assert segment_pages(20) == 20
    assert segment_pages(250) == 288  # 32 + 4 extents, 38 pages free >= 288 / 8
    assert segment_pages(269) == 352  # 4 extents would leave less than 1/8 free
    assert segment_pages(3974) == 32 + 66 * 64  # large: 62 extents used + 4 spare (measured)
