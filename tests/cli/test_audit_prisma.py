"""``dbexpert audit`` on a Prisma project: the schema is read into a catalog and every schema rule runs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import assert_one_line_error, run

SCHEMA = """datasource db {{
  provider = "{provider}"
  url      = env("DATABASE_URL"){extra}
}}

model User {{
  id    BigInt @id @default(autoincrement())
  email String @unique
  posts Post[]
}}

model Post {{
  id       BigInt @id @default(autoincrement())
  title    String
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)
  authorId BigInt
}}
"""


def project(tmp_path: Path, provider: str = "postgresql", extra: str = "") -> Path:
    folder = tmp_path / "app" / "prisma"
    folder.mkdir(parents=True)
    (folder / "schema.prisma").write_text(SCHEMA.format(provider=provider, extra=extra))
    return tmp_path / "app"


def audit_json(target: Path) -> dict:
    result = run("audit", str(target), "--select", "foreign-key-without-index", "-f", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def test_foreign_key_without_index_fires_at_the_relation_field_with_a_prisma_fix(tmp_path: Path):
    document = audit_json(project(tmp_path))
    [finding] = document["findings"]
    assert finding["rule"] == "foreign-key-without-index" and finding["mode"] == "static"
    assert finding["location"]["path"].endswith("schema.prisma")
    assert finding["location"]["line"] == 15 and finding["location"]["object"] == "public.Post.authorId"
    assert "@@index([authorId])" in finding["fix"]["description"]
    assert finding["fix"]["sql"] == 'CREATE INDEX CONCURRENTLY "Post_authorId_idx" ON "Post" ("authorId");'
    assert finding["severity"] == "error"  # ON DELETE CASCADE
    assert document["summary"]["mode"] == "static"


def test_relation_mode_prisma_has_no_foreign_key_constraint(tmp_path: Path):
    assert audit_json(project(tmp_path, extra='\n  relationMode = "prisma"'))["findings"] == []


def test_mysql_creates_the_index_itself(tmp_path: Path):
    assert audit_json(project(tmp_path, provider="mysql"))["findings"] == []


def test_table_without_primary_key_suggests_id_and_the_schema_file_can_be_named(tmp_path: Path):
    schema = project(tmp_path) / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text() + "\nmodel Log {\n  message String\n}\n")
    result = run("audit", str(schema), "--select", "table-without-primary-key", "-f", "json")
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["location"]["line"] == 19 and "@id" in finding["fix"]["description"]


def test_a_syntax_error_is_a_one_line_input_error(tmp_path: Path):
    schema = project(tmp_path) / "prisma" / "schema.prisma"
    schema.write_text(schema.read_text().replace("title    String", "title    String @default("))
    line = assert_one_line_error(run("audit", str(tmp_path / "app")), 2)
    assert "schema.prisma:14:" in line


def test_a_multi_file_schema_folder_is_read_whole_with_each_file_in_locations(tmp_path: Path):
    folder = tmp_path / "app" / "prisma" / "schema"
    folder.mkdir(parents=True)
    (folder / "schema.prisma").write_text('datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\n')
    (folder / "user.prisma").write_text("model User {\n  id BigInt @id\n  posts Post[]\n}\n")
    (folder / "post.prisma").write_text(
        "model Post {\n  id BigInt @id\n  author User @relation(fields: [authorId], references: [id])\n"
        "  authorId BigInt\n}\n"
    )
    document = audit_json(tmp_path / "app")
    [finding] = document["findings"]
    assert finding["location"]["path"].endswith("post.prisma")
    assert finding["location"]["line"] == 3
    assert document["summary"]["files"] == 3


def test_ignore_comments_in_the_schema_silence_a_rule_and_unknown_names_are_errors(tmp_path: Path):
    app = project(tmp_path)
    schema = app / "prisma" / "schema.prisma"
    text = schema.read_text()
    text = text.replace(
        "  author   User",
        "  // dbexpert: ignore[foreign-key-without-index]\n  author   User",
    )
    schema.write_text(text)
    document = audit_json(app)
    assert document["findings"] == [] and document["summary"]["suppressed"] == 1
    schema.write_text(text.replace("ignore[foreign-key-without-index]", "ignore[no-such-rule]"))
    result = run("audit", str(app), "--select", "foreign-key-without-index", "-f", "json")
    assert result.returncode == 2
    assert "unknown rule 'no-such-rule'" in result.stderr
