from __future__ import annotations

from pathlib import Path

from dbexpert.api.migrations import lint_paths
from dbexpert.sources.migrations.layouts import discover
from dbexpert.sources.migrations.steps import _padded
from tests.sources.migrations.conftest import Layout

HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "{rev}"\ndown_revision = {down}\n\n\n'

CREATE = (
    HEAD.format(rev="a1", down="None")
    + """def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("status", sa.Enum("active", "banned", name="user_status")),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("org_id", sa.BigInteger(), sa.ForeignKey("orgs.id", ondelete="CASCADE")),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_index(op.f("ix_users_org_id"), "users", ["org_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_users_org_id"), table_name="users")
    op.drop_table("users")
"""
)

ALTER = (
    HEAD.format(rev="b2", down='"a1"')
    + '''def upgrade():
    op.add_column("users", sa.Column("name", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("users") as batch_op:
        batch_op.alter_column("name", nullable=True, existing_type=sa.Text())
    with op.get_context().autocommit_block():
        op.create_index("ix_users_name", "users", ["name"], postgresql_concurrently=True)
    op.execute("""
        UPDATE users SET name = 'x' WHERE name IS NULL;
    """)
    for table in ["a", "b"]:
        op.drop_table(table)
    op.bulk_insert(sa.table("users", sa.column("id")), [{"id": 1, "email": "a'b"}])
'''
)


def _lines(script_text: str) -> dict[int, str]:
    return {n: line for n, line in enumerate(script_text.splitlines(), 1) if line.strip()}


def test_create_table_and_index_become_postgres_sql_on_their_lines(layout: Layout) -> None:
    root = layout({"versions/a1_create.py": CREATE})
    (m,) = discover([root]).migrations
    assert (m.id, m.tool, m.transactional) == ("a1", "alembic", True)
    lines = _lines(_padded(m.up))
    assert lines[9].startswith("CREATE TYPE user_status AS ENUM ('active', 'banned'); CREATE TABLE users (")
    assert "id serial NOT NULL" in lines[9] and "email varchar(255) NOT NULL" in lines[9]
    assert "created_at timestamp with time zone DEFAULT now() NOT NULL" in lines[9]
    assert "FOREIGN KEY(org_id) REFERENCES orgs (id) ON DELETE CASCADE" in lines[9]
    assert "CONSTRAINT uq_users_email UNIQUE (email)" in lines[9]
    assert lines[19] == "CREATE INDEX ix_users_org_id ON users (org_id);"
    assert m.down is not None
    assert _lines(_padded(m.down)) == {23: "DROP INDEX ix_users_org_id;", 24: "DROP TABLE users;"}


def test_revision_chain_order_autocommit_block_and_not_understood(layout: Layout) -> None:
    # File names sort against the chain: the order comes from down_revision.
    root = layout({"versions/z_a1.py": CREATE, "versions/a_b2.py": ALTER})
    found = discover([root])
    assert [m.id for m in found.migrations] == ["a1", "b2"]
    b2 = found.migrations[1]
    assert (
        not b2.transactional
        and "autocommit_block" in b2.description
        and "batch_alter_table" in b2.description
    )
    lines = _lines(_padded(b2.up))
    assert lines[8] == "BEGIN;"  # on the def line: Alembic's transaction, made explicit
    assert lines[9] == "ALTER TABLE users ADD COLUMN name text DEFAULT '' NOT NULL;"
    assert lines[11] == "ALTER TABLE users ALTER COLUMN name DROP NOT NULL;"
    assert lines[13] == "COMMIT; CREATE INDEX CONCURRENTLY ix_users_name ON users (name);"
    assert lines[14] == "BEGIN;" and lines[15].strip() == "UPDATE users SET name = 'x' WHERE name IS NULL;"
    assert lines[19] == "INSERT INTO users (id, email) VALUES (1, 'a''b'); COMMIT;"
    path = str(root / "versions/a_b2.py")
    assert found.skipped == ((f"{path}:17", 'not understood: for table in ["a", "b"]: (for statement)'),)


def test_merge_revisions_order_topologically(layout: Layout) -> None:
    empty = "def upgrade():\n    op.execute('SELECT 1')\n"
    root = layout(
        {
            "versions/1_base.py": HEAD.format(rev="base", down="None") + empty,
            "versions/3_left.py": HEAD.format(rev="left", down='"base"') + empty,
            "versions/2_right.py": HEAD.format(rev="right", down='"base"') + empty,
            "versions/0_merge.py": HEAD.format(rev="merge", down='("left", "right")') + empty,
        }
    )
    assert [m.id for m in discover([root], tool="alembic").migrations] == ["base", "right", "left", "merge"]


def test_unreadable_arguments_are_reported_and_the_rest_kept(layout: Layout) -> None:
    source = HEAD.format(rev="c3", down="None") + (
        "def upgrade():\n"
        '    op.add_column("t", make_column())\n'
        '    op.execute(f"DROP TABLE {name}")\n'
        '    op.drop_column("t", "old")  # dbexpert: ignore[drop-column]\n'
    )
    root = layout({"versions/c3.py": source})
    found = discover([root / "versions/c3.py"])
    (m,) = found.migrations
    assert _lines(_padded(m.up)) == {11: "ALTER TABLE t DROP COLUMN old;  -- dbexpert: ignore[drop-column]"}
    assert [s[0].rsplit(":", 1)[1] for s in found.skipped] == ["9", "10"]
    assert "f-string" in found.skipped[1][1]


def test_end_to_end_index_on_existing_table_flagged_at_the_op_line(tmp_path: Path) -> None:
    versions = tmp_path / "versions"
    versions.mkdir()
    body = (
        "def upgrade():\n"
        "    op.execute(\"SET lock_timeout = '2s'\")\n"
        '    op.create_index("ix_orders_user", "orders", ["user_id"])\n'
    )
    (versions / "d4.py").write_text(HEAD.format(rev="d4", down="None") + body)
    findings = lint_paths([tmp_path]).findings
    flagged = [f for f in findings if f.rule == "create-index-not-concurrently"]
    assert [(f.location.path, f.location.line) for f in flagged] == [(str(versions / "d4.py"), 10)]

    safe = body.replace("def upgrade():\n", "def upgrade():\n    with op.get_context().autocommit_block():\n")
    safe = safe.replace("    op.", "        op.").replace(
        '["user_id"])', '["user_id"], postgresql_concurrently=True)'
    )
    (versions / "d4.py").write_text(HEAD.format(rev="d4", down="None") + safe)
    result = lint_paths([tmp_path])
    assert not [f for f in result.findings if f.category.value == "safety"], result.findings
