"""SQLAlchemy declarative models read into the catalog ``metadata.create_all()`` would create."""

from __future__ import annotations

from pathlib import Path

from dbexpert.model import Engine, TypeKind
from dbexpert.sources.orm import find_orm_schema
from dbexpert.sources.orm.sqlalchemy import find, load
from tests.files import write_tree

MODELS = """import enum
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Optional

from sqlalchemy import (
    CheckConstraint, Column, DateTime, Enum, ForeignKey, ForeignKeyConstraint, Index, Integer,
    Numeric, PrimaryKeyConstraint, String, Table, Text, UniqueConstraint, func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

intpk = Annotated[int, mapped_column(primary_key=True)]


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    DRAFT = "draft"
    PUBLISHED = "published"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


post_tags = Table(
    "post_tags",
    Base.metadata,
    Column("post_id", ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id"), primary_key=True),
)


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[Optional[str]]
    bio: Mapped[str | None] = mapped_column(Text)
    posts: Mapped[list["Post"]] = relationship(back_populates="author")


class Post(TimestampMixin, Base):
    __tablename__ = "posts"
    __table_args__ = (
        Index("ix_posts_title_status", "title", "status"),
        UniqueConstraint("author_id", "slug"),
        CheckConstraint("price >= 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), index=True)
    slug: Mapped[str] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(default=Status.DRAFT)
    price: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    author: Mapped["User"] = relationship(back_populates="posts")


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    label = Column(String(50), nullable=False)


class Edition(Base):
    __tablename__ = "editions"
    __table_args__ = (
        PrimaryKeyConstraint("post_id", "number"),
        ForeignKeyConstraint(["post_id"], ["posts.id"]),
    )
    post_id: Mapped[int]
    number: Mapped[int]
"""


def app(tmp_path: Path, models: str = MODELS, **extra: str) -> Path:
    return write_tree(tmp_path / "app", {"app/models.py": models, "app/util.py": "X = 1\n", **extra})


def test_a_folder_without_models_is_not_sqlalchemy(tmp_path: Path):
    root = write_tree(
        tmp_path, {"a.py": "import sqlalchemy\nprint(1)\n", "schema.sql": "CREATE TABLE t (id int);"}
    )
    assert find(root) == []


def test_models_become_tables_with_columns_keys_and_indexes(tmp_path: Path):
    root = app(tmp_path)
    files = find(root)
    assert [f.name for f in files] == ["models.py"]
    schema = load(files)
    catalog = schema.catalog
    assert (
        schema.problems == () and catalog.engine is Engine.POSTGRES and catalog.attrs["orm"] == "sqlalchemy"
    )
    users = catalog.table("users")
    assert users is not None and users.attrs["orm_model"] == "User"
    assert users.column_names == ("created_at", "id", "email", "name", "bio")
    assert users.column("id").raw_type == "serial" and users.column("id").autoincrement
    assert users.column("email").raw_type == "varchar(255)" and not users.column("email").nullable
    assert users.column("name").nullable and users.column("name").kind is TypeKind.VARCHAR
    assert users.column("bio").nullable and users.column("created_at").kind is TypeKind.TIMESTAMPTZ
    assert users.column("created_at").default == "now()"
    assert users.column("email").location.line == 40 and users.column("email").attrs["orm_field"] == "email"
    assert [i.name for i in users.indexes] == ["users_pkey", "users_email_key"]
    posts = catalog.table("posts")
    assert posts.column("status").kind is TypeKind.ENUM and posts.column("status").enum_values == (
        "DRAFT",
        "PUBLISHED",
    )
    assert posts.column("price").raw_type == "numeric(10, 2)"
    assert [i.name for i in posts.indexes] == [
        "posts_pkey",
        "ix_posts_title",
        "ix_posts_title_status",
        "posts_author_id_slug_key",
    ]
    [fk] = posts.foreign_keys
    assert (fk.columns, fk.ref_table, fk.on_delete, fk.name) == (
        ("author_id",),
        "users",
        "CASCADE",
        "posts_author_id_fkey",
    )
    assert fk.location.line == 55
    assert posts.checks[0].name == "price_positive"
    assert [e.name for e in catalog.enums] == ["status"]


def test_foreign_keys_create_no_index(tmp_path: Path):
    catalog = load(find(app(tmp_path))).catalog
    posts = catalog.table("posts")
    assert not any(i.columns == ("author_id",) for i in posts.indexes)
    assert not any(i.columns[:1] == ("tag_id",) for i in catalog.table("post_tags").indexes)


def test_association_tables_and_table_args_keys(tmp_path: Path):
    catalog = load(find(app(tmp_path))).catalog
    assoc = catalog.table("post_tags")
    assert assoc.primary_key.columns == ("post_id", "tag_id") and assoc.attrs["orm_model"] == "post_tags"
    assert assoc.column("post_id").raw_type == "integer"  # the referenced column's type
    assert [f.ref_table for f in assoc.foreign_keys] == ["posts", "tags"]
    editions = catalog.table("editions")
    assert editions.primary_key.columns == ("post_id", "number")
    assert not editions.column("number").autoincrement
    assert editions.foreign_keys[0].ref_columns == ("id",)


def test_engine_from_the_database_url_gives_mysql_types_and_innodb_indexes(tmp_path: Path):
    root = app(
        tmp_path,
        **{
            "app/db.py": 'from sqlalchemy import create_engine\nengine = create_engine("mysql+pymysql://u@h/db")\n'
        },
    )
    schema = find_orm_schema(root)
    assert schema is not None and schema.orm == "sqlalchemy" and schema.catalog.engine is Engine.MYSQL
    posts = schema.catalog.table("posts")
    assert posts.column("status").raw_type == "enum('DRAFT','PUBLISHED')"
    tag = next(i for i in schema.catalog.table("post_tags").indexes if i.columns == ("tag_id",))
    assert tag.attrs["implicit"] == "innodb" and tag.name == "post_tags_ibfk_2"
    assert not any(i.columns == ("author_id",) for i in posts.indexes)  # the unique key leads with it


def test_flask_sqlalchemy_models_are_named_after_the_class(tmp_path: Path):
    models = """from flask_sqlalchemy import SQLAlchemy
db = SQLAlchemy()


class OrderLine(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    order_id = db.Column(db.Integer, db.ForeignKey("orders.id"))
    __tablename__ = "order_line"


class Customer(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""
    catalog = load(find(app(tmp_path, models))).catalog
    assert [t.name for t in catalog.tables] == ["order_line", "customer"]


def test_bad_files_are_problems_with_a_location(tmp_path: Path):
    root = app(tmp_path, **{"app/broken.py": "from sqlalchemy import Table\n__tablename__ = (\n"})
    schema = load(find(root))
    [line] = schema.problems
    assert line.startswith(f"{root / 'app' / 'broken.py'}:") and "syntax error" in line
    assert schema.catalog.table("users") is not None


def test_an_annotation_outside_the_type_map_is_a_problem(tmp_path: Path):
    models = MODELS.replace("    name: Mapped[Optional[str]]\n", "    name: Mapped[Optional[Frob]]\n")
    schema = load(find(app(tmp_path, models)))
    [line] = schema.problems
    assert ":41:5: " in line and "Frob" in line
