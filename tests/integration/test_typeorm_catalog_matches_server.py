"""The catalog read from TypeORM entities matches what a real server has after running the DDL
TypeORM generates for them: the same columns, types, keys and indexes — in particular no index for
a ``@ManyToOne`` on PostgreSQL and the one InnoDB adds by itself on MariaDB.

The DDL is written the way ``typeorm migration:generate`` writes it (SERIAL keys, PK_/FK_ names,
``ALTER TABLE ... ADD CONSTRAINT`` for foreign keys).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.engines import SessionOptions, connect
from dbexpert.sources.orm import find_orm_schema
from tests.cli.test_audit_typescript_orms import typeorm_app
from tests.conftest import mysql_execute, pg_execute

PG_DDL = """
CREATE TABLE "user" ("id" SERIAL NOT NULL, CONSTRAINT "PK_cace4a159ff9f2512dd42373760" PRIMARY KEY ("id"));
CREATE TABLE "post" ("id" SERIAL NOT NULL, "title" character varying NOT NULL, "authorId" integer,
  CONSTRAINT "PK_be5fda3aac270b134ff9c21cdee" PRIMARY KEY ("id"));
ALTER TABLE "post" ADD CONSTRAINT "FK_c6fb082a3114f35d0cc27c518e0" FOREIGN KEY ("authorId")
  REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE NO ACTION;
"""

MYSQL_DDL = """
CREATE TABLE `user` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;
CREATE TABLE `post` (`id` int NOT NULL AUTO_INCREMENT, `title` varchar(255) NOT NULL, `authorId` int NULL,
  PRIMARY KEY (`id`)) ENGINE=InnoDB;
ALTER TABLE `post` ADD CONSTRAINT `FK_c6fb082a3114f35d0cc27c518e0` FOREIGN KEY (`authorId`)
  REFERENCES `user`(`id`) ON DELETE CASCADE ON UPDATE NO ACTION;
"""


def _shape(catalog, table: str) -> dict:
    found = catalog.table(table)
    return {
        "columns": {c.name: (c.kind, c.nullable) for c in found.columns},
        "primary": found.primary_key.columns,
        "indexes": sorted((i.name, i.columns, i.unique) for i in found.indexes),
        "foreign_keys": [(f.name, f.columns, f.ref_table, f.on_delete) for f in found.foreign_keys],
    }


def _live(url: str):
    with connect(url, SessionOptions()) as session:
        return session.introspect()


@pytest.mark.postgres
def test_postgres_has_no_index_for_the_many_to_one(pg_url, tmp_path: Path):
    pg_execute(pg_url, PG_DDL)
    orm = find_orm_schema(typeorm_app(tmp_path)).catalog
    live = _live(pg_url)
    for table in ("user", "post"):
        assert _shape(orm, table) == _shape(live, table)
    assert [i.columns for i in live.table("post").indexes] == [("id",)]


@pytest.mark.mysql
def test_mariadb_indexes_the_many_to_one_itself(mysql_url, tmp_path: Path):
    mysql_execute(mysql_url, MYSQL_DDL)
    orm = find_orm_schema(typeorm_app(tmp_path, "mysql")).catalog
    live = _live(mysql_url)
    for table in ("user", "post"):
        assert _shape(orm, table) == _shape(live, table)
    assert ("FK_c6fb082a3114f35d0cc27c518e0", ("authorId",), False) in _shape(live, "post")["indexes"]
