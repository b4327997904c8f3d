"""Schema rules over catalogs read from ORM code give the fix in that ORM's own syntax, with the
model and field names of the code, next to the SQL fix (which stays the same)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.model import Catalog, Engine, Finding
from dbexpert.rules.context import run_rules
from dbexpert.rules.registry import registry
from dbexpert.sources.orm import find_orm_schema
from dbexpert.sources.orm.prisma import catalog_from_prisma
from tests.files import write_tree

PRISMA = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id        Int      @id @default(autoincrement())
  email     String   @db.VarChar(255)
  apiKey    String   @map("api_key_uuid")
  settings  Json     @db.Json
  createdAt DateTime @map("created_at") @db.Timestamp(3)
  orders    Order[]
  profile   UserProfile[]

  @@index([email])
  @@index([email], map: "users_email_again")
  @@map("users")
}

model Order {
  id       Int   @id @default(autoincrement())
  userId   Int   @map("user_id")
  price    Float
  user     User  @relation(fields: [userId], references: [id])
  @@index([userId, price])
  @@index([userId], map: "orders_user_only")
  @@map("orders")
}

model UserProfile {
  id     Int  @id @default(autoincrement())
  userId Int  @map("user_id")
  user   User @relation(fields: [userId], references: [id])
  @@map("user_profiles")
}

model Invoice {
  id         Int @id @default(autoincrement())
  customerId Int @map("user_id")
  @@map("invoices")
}

model PostTag {
  id     Int  @id @default(autoincrement())
  postId Int  @map("post_id")
  tagId  Int  @map("tag_id")
  post   Post @relation(fields: [postId], references: [id])
  tag    Tag  @relation(fields: [tagId], references: [id])
  @@index([postId])
  @@index([tagId])
  @@map("post_tags")
}

model Post {
  id   Int       @id @default(autoincrement())
  tags PostTag[]
  @@map("posts")
}

model Tag {
  id    Int       @id @default(autoincrement())
  posts PostTag[]
  @@map("tags")
}
"""


def _run(catalog: Catalog, name: str) -> list[Finding]:
    return run_rules(catalog, [registry().get(name)])


def _fixes(catalog: Catalog, name: str) -> list[str]:
    return [f.fix.description for f in _run(catalog, name) if f.fix is not None]


@pytest.fixture(scope="module")
def prisma() -> Catalog:
    return catalog_from_prisma(PRISMA)


def test_prisma_column_type_fixes(prisma: Catalog) -> None:
    assert _fixes(prisma, "float-for-money") == [
        "Store money as an exact decimal (integer cents on SQLite). "
        "In Prisma: declare Order.price as Decimal @db.Decimal(19, 4)."
    ]
    [timestamp] = _fixes(prisma, "timestamp-without-time-zone")
    assert timestamp.endswith("In Prisma: declare User.createdAt as DateTime @db.Timestamptz(3).")
    [json] = _fixes(prisma, "json-instead-of-jsonb")
    assert json.endswith("In Prisma: remove @db.Json from User.settings (Json is jsonb by default).")
    [varchar] = _fixes(prisma, "varchar-instead-of-text")
    assert varchar.endswith("In Prisma: remove @db.VarChar(255) from User.email (String is text by default).")


def test_prisma_uuid_stored_as_text(prisma: Catalog) -> None:
    [uuid] = _fixes(prisma, "uuid-stored-as-text")
    assert uuid.endswith("In Prisma: declare User.apiKey as String @db.Uuid.")


def test_prisma_index_removal_names_the_declaration(prisma: Catalog) -> None:
    [duplicate] = _run(prisma, "duplicate-index")
    assert duplicate.fix is not None and duplicate.fix.sql is not None  # the SQL fix is still there
    assert duplicate.fix.description.endswith("In Prisma: remove @@index([email]) from model User.")
    [prefix] = _fixes(prisma, "redundant-prefix-index")
    assert prefix == ("Drop orders_user_only. In Prisma: remove @@index([userId]) from model Order.")


def test_prisma_keys_and_relations(prisma: Catalog) -> None:
    [one] = _fixes(prisma, "one-to-one-without-unique")
    assert one.endswith("In Prisma: add @unique to UserProfile.userId.")
    [junction] = _fixes(prisma, "junction-table-without-unique-pair")
    assert junction.endswith("In Prisma: add @@unique([postId, tagId]) to model PostTag.")
    [missing] = _fixes(prisma, "missing-foreign-key")
    assert missing.endswith(
        "In Prisma: add customer User @relation(fields: [customerId], references: [id]) to model Invoice, "
        "and a back-relation field of type Invoice[] to model User."
    )


def test_plain_sql_catalog_has_no_orm_text() -> None:
    from dbexpert.sources.ddl import catalog_from_sql

    ddl = "CREATE TABLE orders (id bigint PRIMARY KEY, price double precision, created_at timestamp);"
    catalog = catalog_from_sql(ddl, Engine.POSTGRES, path="schema.sql")
    for name in ("float-for-money", "timestamp-without-time-zone"):
        [fix] = _fixes(catalog, name)
        assert " In " not in fix


DRIZZLE = """\
import { pgTable, integer, doublePrecision, varchar, json, timestamp, text, serial } from "drizzle-orm/pg-core";

export const tags = pgTable("tags", {
  id: serial("id").primaryKey(),
  label: text("label"),
});

export const users = pgTable("users", {
  id: integer("id").primaryKey(),
  name: varchar("name", { length: 80 }),
});

export const orders = pgTable("orders", {
  id: integer("id").primaryKey(),
  totalPrice: doublePrecision("total_price"),
  payload: json("payload"),
  createdAt: timestamp("created_at"),
  userId: integer("user_id"),
});
"""


def _orm_catalog(tmp_path: Path, files: dict[str, str], orm: str) -> Catalog:
    schema = find_orm_schema(write_tree(tmp_path, files))
    assert schema is not None and schema.orm == orm, schema
    assert not schema.problems, schema.problems
    return schema.catalog


def test_drizzle_fixes(tmp_path: Path) -> None:
    catalog = _orm_catalog(tmp_path, {"src/db/schema.ts": DRIZZLE}, "drizzle")
    [money] = _fixes(catalog, "float-for-money")
    assert money.endswith(
        'In Drizzle: declare orders.totalPrice as numeric("total_price", { precision: 19, scale: 4 }).'
    )
    [stamp] = _fixes(catalog, "timestamp-without-time-zone")
    assert stamp.endswith(
        'In Drizzle: declare orders.createdAt as timestamp("created_at", { withTimezone: true }).'
    )
    [jsonb] = _fixes(catalog, "json-instead-of-jsonb")
    assert jsonb.endswith('In Drizzle: declare orders.payload as jsonb("payload").')
    [txt] = _fixes(catalog, "varchar-instead-of-text")
    assert txt.endswith('In Drizzle: declare users.name as text("name").')
    [fk] = _fixes(catalog, "missing-foreign-key")
    assert fk.endswith("In Drizzle: add .references(() => users.id) to orders.userId.")
    [identity] = _fixes(catalog, "serial-instead-of-identity")
    assert identity.endswith(
        'In Drizzle: declare tags.id as integer("id").generatedByDefaultAsIdentity() (bigint for a bigserial) '
        "instead of serial()."
    )


SQLALCHEMY = """\
from sqlalchemy import Float, String, DateTime, ForeignKey, Index
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200))


class UserSettings(Base):
    __tablename__ = "user_settings"
    __table_args__ = (Index("ix_settings_user", "user_id"), Index("ix_settings_user_2", "user_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    balance: Mapped[float] = mapped_column(Float)
    updated_at = mapped_column(DateTime)
"""


def test_sqlalchemy_fixes(tmp_path: Path) -> None:
    catalog = _orm_catalog(tmp_path, {"svc/models.py": SQLALCHEMY}, "sqlalchemy")
    [money] = _fixes(catalog, "float-for-money")
    assert money.endswith("In SQLAlchemy: declare UserSettings.balance as mapped_column(Numeric(19, 4)).")
    [stamp] = _fixes(catalog, "timestamp-without-time-zone")
    assert stamp.endswith(
        "In SQLAlchemy: declare UserSettings.updated_at as mapped_column(DateTime(timezone=True))."
    )
    [txt] = _fixes(catalog, "varchar-instead-of-text")
    assert txt.endswith("In SQLAlchemy: declare User.email as mapped_column(Text).")
    [one] = _fixes(catalog, "one-to-one-without-unique")
    assert one.endswith("In SQLAlchemy: pass unique=True to mapped_column(...) of UserSettings.user_id.")
    [dup] = _fixes(catalog, "duplicate-index")
    assert "In SQLAlchemy: remove Index('ix_settings_user_2', ...) from __table_args__ of UserSettings" in dup


DJANGO = """\
from django.db import models


class Post(models.Model):
    title = models.CharField(max_length=120)
    price = models.FloatField()

    class Meta:
        db_table = "posts"


class Tag(models.Model):
    name = models.TextField()


class PostTag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)


class PostDetails(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE)

    class Meta:
        db_table = "post_details"
"""


def test_django_fixes(tmp_path: Path) -> None:
    catalog = _orm_catalog(tmp_path, {"blog/models.py": DJANGO, "blog/__init__.py": ""}, "django")
    [money] = _fixes(catalog, "float-for-money")
    assert money.endswith(
        "In Django: declare Post.price as models.DecimalField(max_digits=19, decimal_places=4)."
    )
    [txt] = _fixes(catalog, "varchar-instead-of-text")
    assert txt.endswith("In Django: declare Post.title as models.TextField().")
    [junction] = _fixes(catalog, "junction-table-without-unique-pair")
    assert "In Django: add models.UniqueConstraint(fields=['post', 'tag'], name=" in junction
    assert junction.endswith("to Meta.constraints of PostTag.")
    [one] = _fixes(catalog, "one-to-one-without-unique")
    assert one.endswith(
        "In Django: declare PostDetails.post as models.OneToOneField instead of models.ForeignKey."
    )


TYPEORM = """\
import { Entity, PrimaryGeneratedColumn, Column, ManyToOne, JoinColumn } from "typeorm";

@Entity("accounts")
export class Account {
  @PrimaryGeneratedColumn()
  id: number;

  @Column("double precision")
  balance: number;

  @Column("timestamp")
  createdAt: Date;

  @Column("json")
  meta: object;

  @Column({ type: "varchar", length: 36 })
  uuid: string;
}

@Entity("account_profiles")
export class AccountProfile {
  @PrimaryGeneratedColumn()
  id: number;

  @ManyToOne(() => Account)
  @JoinColumn({ name: "account_id" })
  account: Account;
}
"""


def test_typeorm_fixes(tmp_path: Path) -> None:
    catalog = _orm_catalog(tmp_path, {"src/entity/Account.ts": TYPEORM}, "typeorm")
    [money] = _fixes(catalog, "float-for-money")
    assert money.endswith(
        'In TypeORM: declare Account.balance as @Column("numeric", { precision: 19, scale: 4 }) (read back as a string).'
    )
    [stamp] = _fixes(catalog, "timestamp-without-time-zone")
    assert 'In TypeORM: declare Account.createdAt as { type: "timestamptz" }' in stamp
    [jsonb] = _fixes(catalog, "json-instead-of-jsonb")
    assert jsonb.endswith('In TypeORM: declare Account.meta as @Column("jsonb").')
    [uuid] = _fixes(catalog, "uuid-stored-as-text")
    assert 'In TypeORM: declare Account.uuid as @Column("uuid")' in uuid
    [one] = _fixes(catalog, "one-to-one-without-unique")
    assert one.endswith(
        "In TypeORM: declare the relation account of AccountProfile with @OneToOne and @JoinColumn() instead of "
        "@ManyToOne (TypeORM then adds the unique constraint)."
    )
