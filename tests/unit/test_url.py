from pathlib import Path

import pytest

from dbexpert.engines.url import is_url, parse_url, redact
from dbexpert.model import Engine, InputError


def test_postgres_url_parts_and_redaction():
    url = parse_url("postgresql://app:s3cr%40t@db.example:6543/shop?sslmode=require")
    assert url.engine is Engine.POSTGRES
    assert (url.host, url.port, url.user, url.password, url.database) == (
        "db.example",
        6543,
        "app",
        "s3cr@t",
        "shop",
    )
    assert url.params["sslmode"] == "require"
    assert "s3cr" not in url.redacted() and "s3cr" not in repr(url) and "s3cr" not in str(url)
    assert url.redacted() == "postgresql://app:***@db.example:6543/shop"


@pytest.mark.parametrize(
    "text",
    [
        "connection to postgresql://bob:hunter2@h/db failed",
        "mysql://root:hunter2@127.0.0.1:3306/x refused",
        "dsn host=h password=hunter2 user=bob",
    ],
)
def test_redact_removes_passwords_from_any_text(text):
    assert "hunter2" not in redact(text)


def test_mysql_and_mariadb_schemes():
    assert parse_url("mysql://root@127.0.0.1/test").engine is Engine.MYSQL
    assert parse_url("mariadb://root@127.0.0.1/test").engine is Engine.MYSQL


def test_sqlite_urls_and_bare_paths(tmp_path):
    db = tmp_path / "shop.db"
    db.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert parse_url(f"sqlite:///{db}").path == db
    assert parse_url(str(db)).engine is Engine.SQLITE
    assert parse_url("sqlite:///relative/file.db").path == Path("relative/file.db")


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://:5432",
        "postgresql://h:notaport/db",
        "ftp://h/x",
        "just-some-words",
        "sqlite://",
        "sqlite:///",
    ],
)
def test_malformed_urls_are_input_errors(text):
    with pytest.raises(InputError):
        parse_url(text)


def test_is_url():
    assert is_url("postgresql://h/db") and not is_url("schema.sql")
