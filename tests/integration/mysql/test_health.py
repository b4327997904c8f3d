"""The MySQL/MariaDB health snapshot and rules on the local MariaDB 10.11, where the binary log is
off (the MariaDB default) and performance_schema is OFF."""

from __future__ import annotations

from urllib.parse import urlsplit

from dbexpert.api.audit import audit
from dbexpert.engines import connect, read_health
from tests.conftest import mysql_execute


def test_snapshot_reads_variables_status_sizes_and_keyless_tables(mysql_url):
    mysql_execute(
        mysql_url,
        "CREATE TABLE events (happened_at DATETIME NOT NULL, payload TEXT) ENGINE=InnoDB;"
        "CREATE TABLE orders (id INT PRIMARY KEY, total DECIMAL(10,2)) ENGINE=InnoDB;"
        "INSERT INTO events VALUES (NOW(), 'a'), (NOW(), 'b');",
    )
    database = urlsplit(mysql_url).path.lstrip("/")
    with connect(mysql_url) as session:
        before = session.round_trips
        snapshot = read_health(session)
        assert session.round_trips - before == 4
    assert snapshot.flavor == "mariadb"
    assert snapshot.setting("log_bin") == "OFF"
    assert snapshot.setting("innodb_buffer_pool_size") and snapshot.setting("max_connections")
    assert isinstance(snapshot.facts["Uptime"], int) and snapshot.facts["Connections"] >= 1
    assert snapshot.facts["innodb_data_bytes"] > 0
    keyless = {(r["table_schema"], r["table_name"]) for r in snapshot.rows("tables_without_primary_key")}
    assert (database, "events") in keyless and (database, "orders") not in keyless
    assert "performance_schema" in snapshot.unavailable  # OFF on this server


def test_audit_reports_the_binlog_off_and_no_false_alarm_on_what_the_test_controls(mysql_url):
    mysql_execute(mysql_url, "CREATE TABLE events (id INT, note TEXT) ENGINE=InnoDB;")
    result = audit([mysql_url])
    fired = {f.rule for f in result.findings}
    assert "backup-mysql-binlog-disabled" in fired
    (binlog,) = [f for f in result.findings if f.rule == "backup-mysql-binlog-disabled"]
    assert binlog.mode.value == "live" and "log_bin = mysql-bin" in (binlog.fix.sql or "")
    # The binary log is off: a key-less table is a schema finding, not a replication one; GTID,
    # format and retention rules only judge a server that writes a binary log.
    assert not fired & {
        "mysql-binlog-table-without-primary-key",
        "backup-mysql-gtid-off",
        "backup-mysql-binlog-not-row",
        "backup-mysql-binlog-retention-short",
    }
    # The buffer-pool rule weighs the whole server, where other tests load data concurrently: when
    # it fires, its evidence must show more InnoDB data than pool.
    for pool in [f for f in result.findings if f.rule == "mysql-buffer-pool-smaller-than-data"]:
        evidence = pool.evidence
        needed = evidence["innodb_data_bytes"] + evidence["innodb_index_bytes"]
        assert needed > evidence["innodb_buffer_pool_size"]
