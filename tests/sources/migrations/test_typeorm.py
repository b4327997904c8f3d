from __future__ import annotations

from pathlib import Path

import pytest

from dbexpert.api.migrations import lint_paths
from dbexpert.sources.migrations import typeorm
from dbexpert.sources.migrations.layouts import discover
from dbexpert.sources.migrations.steps import _padded
from tests.sources.migrations.conftest import Layout

pytest.importorskip("tree_sitter_typescript")

INIT = """import { MigrationInterface, QueryRunner } from "typeorm";

export class Init1690000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
            `CREATE TABLE "user" (
                "id" SERIAL NOT NULL,
                CONSTRAINT "PK_user" PRIMARY KEY ("id"))`
        );
        await queryRunner.query('ALTER TABLE "user" ADD "age" integer'); // dbexpert: ignore[some-rule]
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "user"`);
    }
}
"""

INDEX = """import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";

export class AddIndex1700000000001 implements MigrationInterface {
    name = 'AddIndex1700000000001'
    transaction = false

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX CONCURRENTLY "IDX_user_age" ON "user" ("age")`);
        await queryRunner.query(`UPDATE "user" SET age = ${value}`);
        await queryRunner.addColumn("user", new TableColumn({ name: "a", type: "int" }));
        for (const t of tables) {
            await queryRunner.query(`DROP TABLE ${t}`);
        }
    }
}
"""


def _lines(text: str) -> dict[int, str]:
    return {n: line for n, line in enumerate(text.splitlines(), 1) if line.strip()}


def test_queries_in_timestamp_order_on_their_lines(layout: Layout) -> None:
    root = layout(
        {"src/migrations/1700000000001-AddIndex.ts": INDEX, "src/migrations/1690000000000-Init.ts": INIT}
    )
    found = discover([root])
    init, index = found.migrations
    assert (init.id, init.tool, init.transactional) == ("1690000000000-Init", "typeorm", True)
    assert (index.id, index.transactional) == ("1700000000001-AddIndex", False)
    assert _lines(_padded(init.up)) == {
        6: 'CREATE TABLE "user" (',
        7: '                "id" SERIAL NOT NULL,',
        8: '                CONSTRAINT "PK_user" PRIMARY KEY ("id"));',
        10: 'ALTER TABLE "user" ADD "age" integer;  -- dbexpert: ignore[some-rule]',
    }
    assert init.down is not None and _lines(_padded(init.down)) == {14: 'DROP TABLE "user";'}
    assert _lines(_padded(index.up)) == {8: 'CREATE INDEX CONCURRENTLY "IDX_user_age" ON "user" ("age");'}
    assert index.down is None


def test_dynamic_queries_and_other_calls_are_reported(layout: Layout) -> None:
    root = layout({"migrations/1700000000001-AddIndex.ts": INDEX})
    found = discover([root / "migrations/1700000000001-AddIndex.ts"])
    path = str(root / "migrations/1700000000001-AddIndex.ts")
    assert [(where, reason.rpartition("(")[2]) for where, reason in found.skipped] == [
        (f"{path}:9", "the SQL is not a literal string)"),
        (f"{path}:10", "queryRunner.addColumn is not translated)"),
        (f"{path}:12", "inside a loop, condition or callback)"),
    ]


def test_missing_tree_sitter_is_reported_not_a_crash(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(typeorm, "_parser", lambda: None)
    file = tmp_path / "1-Init.ts"
    file.write_text(INIT)
    assert typeorm.read([file]) == ([], [(str(file), typeorm.MISSING)])
    assert "tree-sitter-typescript" in typeorm.MISSING


def test_end_to_end_index_flagged_and_concurrent_form_clean(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "1690000000000-Init.ts").write_text(INIT)
    plain = INDEX.replace("    transaction = false\n", "").replace(" CONCURRENTLY", "")
    plain = plain.replace('`UPDATE "user" SET age = ${value}`', "`SET lock_timeout = '2s'`")
    (folder / "1700000000001-AddIndex.ts").write_text(plain)
    result = lint_paths([tmp_path])
    flagged = [f for f in result.findings if f.rule == "create-index-not-concurrently"]
    assert [(f.location.path, f.location.line) for f in flagged] == [
        (str(folder / "1700000000001-AddIndex.ts"), 7)
    ]

    concurrent = INDEX.replace('`UPDATE "user" SET age = ${value}`', "`SET lock_timeout = '2s'`")
    (folder / "1700000000001-AddIndex.ts").write_text(concurrent)
    result = lint_paths([tmp_path])
    assert not [f for f in result.findings if f.location.path.endswith("AddIndex.ts")], result.findings
