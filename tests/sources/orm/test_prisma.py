"""A Prisma schema read into the catalog ``prisma migrate`` would create."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.model import Engine, InputError, TypeKind
from dbexpert.sources.orm.prisma import catalog_from_prisma, find

HEADER = """
datasource db {{
  provider = "{provider}"
  url      = env("DATABASE_URL"){extra}
}}
"""

BLOG = """
generator client {
  provider = "prisma-client-js"
}

enum Role {
  USER
  ADMIN @map("admin")
}

/// A person who writes
model User {
  id        Int      @id @default(autoincrement())
  email     String   @unique @db.VarChar(255)
  name      String?
  role      Role     @default(USER)
  createdAt DateTime @default(now()) @map("created_at")
  updatedAt DateTime @updatedAt
  posts     Post[]
  profile   Profile?
  followers User[]   @relation("follows")
  following User[]   @relation("follows")

  @@map("users")
}

model Profile {
  id     String @id @default(uuid()) @db.Uuid
  bio    String // free text
  user   User   @relation(fields: [userId], references: [id], onDelete: Cascade)
  userId Int    @unique
}

model Post {
  id         BigInt     @id @default(autoincrement())
  title      String
  published  Boolean    @default(false)
  score      Float      @default(0)
  body       Json?
  author     User       @relation(fields: [authorId], references: [id])
  authorId   Int        @map("author_id")
  categories Category[]
  tags       Tag[]

  @@index([title(sort: Desc), published])
}

model Category {
  id       Int        @id @default(autoincrement())
  name     String
  parent   Category?  @relation("tree", fields: [parentId], references: [id], onDelete: SetNull)
  parentId Int?
  children Category[] @relation("tree")
  posts    Post[]
}

model Tag {
  id    String @id @default(cuid())
  label String @unique
  posts Post[]
}

model OrderItem {
  orderId   Int
  productId Int
  quantity  Int      @default(1)
  price     Decimal  @db.Decimal(10, 2)
  paidAt    DateTime @db.Timestamptz(6)

  @@id([orderId, productId])
  @@unique([productId, orderId], map: "item_unique")
  @@map("order_items")
}
"""


def load(provider: str = "postgresql", extra: str = "", body: str = BLOG):
    return catalog_from_prisma(HEADER.format(provider=provider, extra=extra) + body, "schema.prisma")


def test_models_become_tables_with_prisma_types_names_and_lines():
    catalog = load()
    assert catalog.engine is Engine.POSTGRES and catalog.attrs["orm"] == "prisma"
    users = catalog.table("users")
    assert users is not None and users.attrs["orm_model"] == "User"
    assert users.location is not None and users.location.line == 17
    created = users.column("created_at")
    assert created is not None
    assert created.raw_type == "timestamp(3) without time zone" and created.kind is TypeKind.TIMESTAMP
    assert created.default == "CURRENT_TIMESTAMP" and not created.nullable
    assert created.attrs["orm_field"] == "createdAt" and created.location.line == 22
    ident = users.column("id")
    assert ident.raw_type == "serial" and ident.autoincrement and ident.default.startswith("nextval(")
    assert users.column("email").kind is TypeKind.VARCHAR and users.column("email").length == 255
    assert users.column("name").nullable and users.column("name").kind is TypeKind.TEXT
    role = users.column("role")
    assert role.kind is TypeKind.ENUM and role.enum_values == ("USER", "admin") and role.default == "'USER'"
    assert [e.name for e in catalog.enums] == ["Role"]
    post = catalog.table("Post")
    assert post.column("id").raw_type == "bigserial" and post.column("score").raw_type == "double precision"
    assert post.column("body").raw_type == "jsonb" and post.column("body").nullable
    assert catalog.table("Profile").column("id").kind is TypeKind.UUID
    items = catalog.table("order_items")
    assert items.column("price").precision == 10 and items.column("price").scale == 2
    assert items.column("paidAt").kind is TypeKind.TIMESTAMPTZ


def test_ids_uniques_and_indexes_carry_prisma_names():
    catalog = load()
    users = catalog.table("users")
    assert users.primary_key.columns == ("id",) and users.primary_key.name == "users_pkey"
    assert {i.name: (i.columns, i.unique) for i in users.indexes} == {
        "users_pkey": (("id",), True),
        "users_email_key": (("email",), True),
    }
    items = catalog.table("order_items")
    assert items.primary_key.columns == ("orderId", "productId")
    assert items.primary_key.name == "order_items_pkey"
    assert {i.name for i in items.indexes} == {"order_items_pkey", "item_unique"}
    [index] = [i for i in catalog.table("Post").indexes if not i.unique]
    assert index.name == "Post_title_published_idx" and index.columns == ("title", "published")
    assert index.keys[0].descending and index.location.line == 50


def test_relations_become_foreign_keys_without_indexes_on_postgres():
    catalog = load()
    post = catalog.table("Post")
    [fk] = post.foreign_keys
    assert fk.columns == ("author_id",) and fk.ref_table == "users" and fk.ref_columns == ("id",)
    assert fk.name == "Post_author_id_fkey" and fk.on_delete == "RESTRICT" and fk.on_update == "CASCADE"
    assert fk.location.line == 45  # the relation field
    assert not any(i.columns == ("author_id",) for i in post.indexes)
    [tree] = catalog.table("Category").foreign_keys  # self-relation, optional: SET NULL
    assert tree.ref_table == "Category" and tree.on_delete == "SET NULL"
    [one_to_one] = catalog.table("Profile").foreign_keys
    assert one_to_one.on_delete == "CASCADE"
    assert any(i.unique and i.columns == ("userId",) for i in catalog.table("Profile").indexes)


def test_implicit_many_to_many_relations_become_junction_tables():
    catalog = load()
    names = {t.name for t in catalog.tables}
    assert {"_CategoryToPost", "_PostToTag", "_follows"} <= names
    junction = catalog.table("_PostToTag")
    assert junction.column_names == ("A", "B")
    assert junction.column("A").raw_type == "bigint" and junction.column("B").raw_type == "text"
    assert {i.name: (i.columns, i.unique) for i in junction.indexes} == {
        "_PostToTag_AB_unique": (("A", "B"), True),
        "_PostToTag_B_index": (("B",), False),
    }
    assert [(f.columns, f.ref_table, f.on_delete) for f in junction.foreign_keys] == [
        (("A",), "Post", "CASCADE"),
        (("B",), "Tag", "CASCADE"),
    ]
    follows = catalog.table("_follows")
    assert {f.ref_table for f in follows.foreign_keys} == {"users"}


def test_relation_mode_prisma_creates_no_foreign_keys():
    catalog = load(extra='\n  relationMode = "prisma"')
    assert catalog.attrs["relation_mode"] == "prisma"
    assert all(not t.foreign_keys for t in catalog.tables)


def test_mysql_types_and_innodb_foreign_key_indexes():
    catalog = load("mysql")
    assert catalog.engine is Engine.MYSQL
    users = catalog.table("users")
    assert users.column("name").raw_type == "varchar(191)" and users.column("id").autoincrement
    assert users.column("created_at").raw_type == "datetime(3)"
    assert users.column("role").raw_type == "enum('USER','admin')" and catalog.enums == ()
    assert users.primary_key.name == "PRIMARY"
    post = catalog.table("Post")
    assert any(i.columns == ("author_id",) and i.name == "Post_author_id_fkey" for i in post.indexes)


def test_sqlite_provider():
    catalog = load("sqlite", body="model Note {\n  id Int @id @default(autoincrement())\n  text String\n}\n")
    note = catalog.table("Note")
    assert catalog.engine is Engine.SQLITE and note.column("text").raw_type == "TEXT"
    assert note.indexes == ()  # an INTEGER PRIMARY KEY is the rowid


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("model A {\n  id Int @id\n", "schema.prisma:6:1"),  # not closed: points at the block
        ("model A {\n  id Int @id @default(\n}\n", "schema.prisma:8:1"),
        ("model A {\n  id Int @id\n  name Strin\n}\n", "schema.prisma:8:3"),
        ("model A {\n  id Int @id ยง\n}\n", "schema.prisma:7:14"),
        ("modle A {\n}\n", "schema.prisma:6:1"),
    ],
)
def test_errors_say_path_line_and_column(body: str, where: str):
    with pytest.raises(InputError) as info:
        load(body=body)
    assert str(info.value).startswith(where + ":"), str(info.value)


def test_unsupported_provider_and_missing_datasource_are_input_errors():
    with pytest.raises(InputError, match="sqlserver"):
        load("sqlserver")
    with pytest.raises(InputError, match="datasource"):
        catalog_from_prisma("model A {\n  id Int @id\n}\n", "schema.prisma")


def test_find_schema_in_a_folder_but_not_in_node_modules(tmp_path: Path):
    assert find(tmp_path) == []
    vendored = tmp_path / "node_modules" / "pkg" / "prisma"
    vendored.mkdir(parents=True)
    (vendored / "schema.prisma").write_text("")
    assert find(tmp_path) == []
    ours = tmp_path / "prisma"
    ours.mkdir()
    (ours / "schema.prisma").write_text("")
    assert find(tmp_path) == [ours / "schema.prisma"]
    assert find(ours / "schema.prisma") == [ours / "schema.prisma"]
    assert find(tmp_path / "schema.sql") == []
