"""``dbexpert audit`` on TypeORM and Drizzle application folders: the entities/schemas are read into
a catalog and every schema rule runs, with fixes worded in the ORM's own syntax."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import run
from tests.files import write_tree

TYPEORM_USER = """import { Entity, PrimaryGeneratedColumn, Column, OneToMany } from "typeorm";

@Entity()
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @OneToMany(() => Post, (post) => post.author)
  posts: Post[];
}
"""

TYPEORM_POST = """import { Entity, PrimaryGeneratedColumn, Column, ManyToOne } from "typeorm";

@Entity()
export class Post {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  title: string;

  @ManyToOne(() => User, (user) => user.posts, { onDelete: "CASCADE" })
  author: User;
}
"""

DATA_SOURCE = """import { DataSource } from "typeorm";
export default new DataSource({ type: "%s", entities: ["src/entity/*.ts"] });
"""

DRIZZLE = """import { pgTable, integer, text } from "drizzle-orm/pg-core";

export const users = pgTable("users", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
});

export const posts = pgTable("posts", {
  id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
  title: text("title").notNull(),
  authorId: integer("author_id").references(() => users.id),
});

export const auditLog = pgTable("audit_log", {
  message: text("message"),
});
"""


def typeorm_app(tmp_path: Path, db_type: str = "postgres") -> Path:
    return write_tree(
        tmp_path / "api",
        {
            "src/entity/User.ts": TYPEORM_USER,
            "src/entity/Post.ts": TYPEORM_POST,
            "src/data-source.ts": DATA_SOURCE % db_type,
            "package.json": '{ "name": "api", "dependencies": { "typeorm": "^0.3.20" } }\n',
        },
    )


def audit_json(target: Path, select: str = "foreign-key-without-index") -> dict:
    result = run("audit", str(target), "--select", select, "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_typeorm_many_to_one_without_index_fires_at_the_relation_with_a_typeorm_fix(tmp_path: Path):
    document = audit_json(typeorm_app(tmp_path))
    [finding] = document["findings"]
    assert finding["rule"] == "foreign-key-without-index" and finding["mode"] == "static"
    assert finding["location"]["path"].endswith("Post.ts") and finding["location"]["line"] == 11
    assert finding["location"]["object"] == "public.post.authorId"
    assert "@Index() above the relation property author of entity Post" in finding["fix"]["description"]
    assert '@Index(["author"])' in finding["fix"]["description"]
    assert finding["fix"]["sql"] == 'CREATE INDEX CONCURRENTLY "post_authorId_idx" ON post ("authorId");'
    assert finding["severity"] == "error"  # ON DELETE CASCADE
    assert finding["evidence"]["foreign_key"].startswith("FK_")


def test_typeorm_on_mysql_innodb_indexes_the_foreign_key(tmp_path: Path):
    assert audit_json(typeorm_app(tmp_path, "mysql"))["findings"] == []


def test_drizzle_references_without_index_gets_a_drizzle_fix(tmp_path: Path):
    root = write_tree(tmp_path / "web", {"src/db/schema.ts": DRIZZLE})
    [finding] = audit_json(root)["findings"]
    assert finding["location"]["path"].endswith("schema.ts") and finding["location"]["line"] == 10
    assert 'index("posts_author_id_idx").on(t.authorId)' in finding["fix"]["description"]
    assert finding["severity"] == "warning"


def test_drizzle_table_without_primary_key_suggests_a_drizzle_key(tmp_path: Path):
    root = write_tree(tmp_path / "web", {"src/db/schema.ts": DRIZZLE})
    [finding] = audit_json(root, "table-without-primary-key")["findings"]
    assert finding["location"]["line"] == 13
    assert 'integer("id").primaryKey().generatedAlwaysAsIdentity()' in finding["fix"]["description"]


def test_a_broken_entity_is_reported_and_the_rest_audited(tmp_path: Path):
    root = typeorm_app(tmp_path)
    (root / "src" / "entity" / "Broken.ts").write_text("@Entity()\nexport class Broken {\n  @Column(\n")
    result = run("audit", str(root), "--select", "foreign-key-without-index", "-f", "json")
    # input problems make the exit code 2; the report of what could be read is still printed
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{root / 'src' / 'entity' / 'Broken.ts'}:3:10: TypeScript that does not parse" in result.stderr
    assert len(json.loads(result.stdout)["findings"]) == 1
