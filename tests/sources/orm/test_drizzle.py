"""Drizzle schemas read into the catalog ``drizzle-kit`` creates, one engine per table function."""

from __future__ import annotations

from pathlib import Path

from dbexpert.model import Engine, TypeKind
from dbexpert.sources.orm import find_orm_schema
from dbexpert.sources.orm.drizzle import find, load
from tests.files import write_tree

PG_USERS = """import { pgTable, pgEnum, serial, varchar, timestamp, integer } from "drizzle-orm/pg-core";

export const roleEnum = pgEnum("role", ["admin", "member"]);

export const users = pgTable("users", {
  id: serial("id").primaryKey(),
  email: varchar("email", { length: 256 }).notNull().unique(),
  role: roleEnum("role").default("member").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).defaultNow().notNull(),
  managerId: integer("manager_id").references((): AnyPgColumn => users.id),
});
"""

PG_POSTS = """import {
  pgTable, uuid, text, integer, numeric, boolean, jsonb, doublePrecision, timestamp,
  index, uniqueIndex, primaryKey, foreignKey, unique,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { users } from "./users";

export const posts = pgTable(
  "posts",
  {
    id: uuid("id").defaultRandom().primaryKey(),
    title: text("title").notNull(),
    authorId: integer("author_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    price: numeric("price", { precision: 10, scale: 2 }),
    score: doublePrecision(),
    published: boolean("published").default(false),
    tags: text("tags").array(),
    meta: jsonb("meta"),
    publishedAt: timestamp("published_at", { precision: 3 }),
  },
  (t) => [
    index("posts_title_idx").on(t.title),
    uniqueIndex().on(t.title, t.published),
    index("posts_live_idx").on(t.publishedAt).where(sql`published`),
    unique("posts_slug").on(t.title, t.authorId),
  ],
);

export const postTags = pgTable(
  "post_tags",
  {
    postId: uuid("post_id").notNull(),
    tag: text("tag").notNull(),
  },
  (t) => ({
    pk: primaryKey({ columns: [t.postId, t.tag] }),
    post: foreignKey({ columns: [t.postId], foreignColumns: [posts.id] }).onDelete("set null"),
  }),
);

export const auditLog = pgTable("audit_log", {
  message: text("message").notNull(),
});
"""

MYSQL = """import { mysqlTable, int, varchar, mysqlEnum, datetime } from "drizzle-orm/mysql-core";

export const authors = mysqlTable("authors", {
  id: int("id").autoincrement().primaryKey(),
  name: varchar("name", { length: 120 }).notNull(),
  kind: mysqlEnum("kind", ["person", "company"]).default("person"),
});

export const books = mysqlTable("books", {
  id: int("id").autoincrement().primaryKey(),
  authorId: int("author_id").notNull().references(() => authors.id),
  printedAt: datetime("printed_at"),
});
"""

SQLITE = """import { sqliteTable, integer, text } from "drizzle-orm/sqlite-core";

export const notes = sqliteTable("notes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  body: text("body").notNull(),
  parentId: integer("parent_id").references((): AnySQLiteColumn => notes.id),
});
"""


def pg_app(tmp_path: Path, **extra: str) -> Path:
    files = {"src/db/schema/users.ts": PG_USERS, "src/db/schema/posts.ts": PG_POSTS, **extra}
    return write_tree(tmp_path / "app", files)


def test_find_takes_the_files_that_define_tables(tmp_path: Path):
    root = pg_app(
        tmp_path, **{"src/index.ts": "import { db } from './db';\n", "drizzle.config.ts": "export {}\n"}
    )
    assert [p.name for p in find(root)] == ["posts.ts", "users.ts"]
    assert find(write_tree(tmp_path / "none", {"a.ts": "export const pgTable = 1;\n"})) == []


def test_postgres_tables_columns_types_and_lines(tmp_path: Path):
    schema = find_orm_schema(pg_app(tmp_path))
    assert schema is not None and schema.orm == "drizzle" and schema.problems == ()
    catalog = schema.catalog
    assert catalog.engine is Engine.POSTGRES and catalog.attrs["orm"] == "drizzle"
    users = catalog.table("users")
    assert users.attrs["orm_model"] == "users" and users.location.line == 5
    ident = users.column("id")
    assert ident.raw_type == "serial" and ident.autoincrement and not ident.nullable
    assert ident.default == "nextval('users_id_seq'::regclass)"
    email = users.column("email")
    assert email.length == 256 and not email.nullable and email.location.line == 7
    assert email.attrs["orm_field"] == "email"
    role = users.column("role")
    assert (
        role.kind is TypeKind.ENUM and role.enum_values == ("admin", "member") and role.default == "'member'"
    )
    assert [e.name for e in catalog.enums] == ["role"]
    created = users.column("created_at")
    assert created.kind is TypeKind.TIMESTAMPTZ and created.default == "now()"
    assert created.attrs["orm_field"] == "createdAt"
    posts = catalog.table("posts")
    assert posts.column("id").default == "gen_random_uuid()" and posts.column("id").kind is TypeKind.UUID
    assert posts.column("price").precision == 10 and posts.column("price").scale == 2
    assert posts.column("score").raw_type == "double precision"  # no name: the key is the column name
    assert posts.column("published").default == "false"
    assert posts.column("tags").kind is TypeKind.ARRAY and posts.column("meta").raw_type == "jsonb"
    assert posts.column("published_at").raw_type == "timestamp(3) without time zone"


def test_keys_indexes_and_drizzle_kit_names(tmp_path: Path):
    catalog = find_orm_schema(pg_app(tmp_path)).catalog
    users = catalog.table("users")
    assert users.primary_key.name == "users_pkey"
    assert {i.name for i in users.indexes} == {"users_pkey", "users_email_unique"}
    [self_ref] = users.foreign_keys
    assert self_ref.ref_table == "users" and self_ref.name == "users_manager_id_users_id_fk"
    posts = catalog.table("posts")
    indexes = {i.name: i for i in posts.indexes}
    assert set(indexes) == {
        "posts_pkey",
        "posts_title_idx",
        "posts_title_published_index",
        "posts_live_idx",
        "posts_slug",
    }
    assert indexes["posts_title_published_index"].unique and indexes["posts_slug"].constraint == "posts_slug"
    assert indexes["posts_live_idx"].where == "published"
    assert indexes["posts_title_idx"].location.line == 24
    [fk] = posts.foreign_keys
    assert fk.name == "posts_author_id_users_id_fk" and fk.on_delete == "CASCADE"
    assert fk.columns == ("author_id",) and fk.location.line == 13
    # .references() creates no index on PostgreSQL
    assert not any(i.columns[:1] == ("author_id",) for i in posts.indexes)
    tags = catalog.table("post_tags")
    assert (
        tags.primary_key.columns == ("post_id", "tag") and tags.primary_key.name == "post_tags_post_id_tag_pk"
    )
    [tag_fk] = tags.foreign_keys
    assert tag_fk.ref_table == "posts" and tag_fk.on_delete == "SET NULL"
    assert tag_fk.name == "post_tags_post_id_posts_id_fk"
    assert catalog.table("audit_log").primary_key is None


def test_mysql_tables_get_innodb_foreign_key_indexes(tmp_path: Path):
    catalog = find_orm_schema(write_tree(tmp_path / "app", {"schema.ts": MYSQL})).catalog
    assert catalog.engine is Engine.MYSQL
    authors = catalog.table("authors")
    assert authors.column("id").autoincrement and authors.primary_key.name == "PRIMARY"
    assert authors.column("kind").raw_type == "enum('person','company')"
    assert authors.column("kind").kind is TypeKind.ENUM
    books = catalog.table("books")
    [implicit] = [i for i in books.indexes if i.attrs.get("implicit") == "innodb"]
    assert implicit.columns == ("author_id",) and implicit.name == "books_author_id_authors_id_fk"


def test_sqlite_integer_primary_key_is_the_rowid(tmp_path: Path):
    catalog = find_orm_schema(write_tree(tmp_path / "app", {"schema.ts": SQLITE})).catalog
    assert catalog.engine is Engine.SQLITE
    notes = catalog.table("notes")
    assert notes.column("id").autoincrement and notes.primary_key.columns == ("id",)
    assert notes.indexes == () and notes.foreign_keys[0].ref_table == "notes"


def test_a_broken_file_is_a_problem_and_the_others_are_still_read(tmp_path: Path):
    broken = (
        'import { pgTable, text } from "drizzle-orm/pg-core";\nexport const x = pgTable("x", {\n  a: text(,\n'
    )
    schema = load(find(pg_app(tmp_path, **{"src/db/schema/broken.ts": broken})))
    [problem] = schema.problems
    assert problem.startswith(str(tmp_path / "app" / "src" / "db" / "schema" / "broken.ts") + ":3:")
    assert schema.catalog.table("users") is not None and schema.catalog.table("x") is None


def test_unknown_references_and_columns_are_problems(tmp_path: Path):
    odd = """import { pgTable, integer, index } from "drizzle-orm/pg-core";
export const odd = pgTable("odd", {
  id: integer("id").primaryKey(),
  ghostId: integer("ghost_id").references(() => ghosts.id),
}, (t) => [index("odd_x_idx").on(t.missing)]);
"""
    schema = load(find(write_tree(tmp_path / "odd", {"odd.ts": odd})))
    assert len(schema.problems) == 2
    assert any(":5:34: 't.missing' is not a column" in p for p in schema.problems)
    assert any(":4:" in p and "ghosts.id" in p for p in schema.problems)
    assert schema.catalog.table("odd").foreign_keys == ()
