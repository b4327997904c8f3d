"""``dbexpert audit`` on SQLAlchemy and Django applications: findings carry the ORM fix and the .py line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import assert_one_line_error, run
from tests.files import write_tree

SQLALCHEMY = """from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)


class Post(Base):
    __tablename__ = "posts"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
"""

DJANGO = """from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, on_delete=models.PROTECT, db_index=False, related_name="+")
"""


def audit_json(target: Path) -> dict:
    result = run("audit", str(target), "--select", "foreign-key-without-index", "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_sqlalchemy_foreign_key_without_index_points_at_the_mapped_column(tmp_path: Path):
    root = write_tree(tmp_path / "svc", {"svc/models.py": SQLALCHEMY, "svc/main.py": "print('hi')\n"})
    [finding] = audit_json(root)["findings"]
    assert finding["location"]["path"].endswith("models.py") and finding["location"]["line"] == 18
    assert (
        "In SQLAlchemy: pass index=True to mapped_column(ForeignKey(...)) of author_id"
        in finding["fix"]["description"]
    )
    assert finding["fix"]["sql"] == "CREATE INDEX CONCURRENTLY posts_author_id_idx ON posts (author_id);"


def test_django_indexes_foreign_keys_unless_told_not_to(tmp_path: Path):
    root = write_tree(tmp_path / "site", {"library/models.py": DJANGO, "library/__init__.py": ""})
    [finding] = audit_json(root)["findings"]
    assert finding["location"]["path"].endswith("models.py") and finding["location"]["line"] == 10
    assert (
        "editor_id" in finding["message"]
        and "In Django: remove db_index=False from editor" in finding["fix"]["description"]
    )


def test_a_broken_models_file_is_a_one_line_error_not_a_traceback(tmp_path: Path):
    root = write_tree(
        tmp_path / "svc",
        {"svc/models.py": SQLALCHEMY, "svc/more.py": "import sqlalchemy\n__tablename__ = (\n"},
    )
    line = assert_one_line_error(run("audit", str(root)), 2)
    assert "more.py:2:17: Python syntax error" in line
