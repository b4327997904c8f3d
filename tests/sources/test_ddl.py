from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbexpert.model import Engine, StatsSource, TypeKind
from dbexpert.sources.ddl import catalog_from_sql, guess_engine, load_ddl
from dbexpert.sql.parse import SqlSyntaxError

PG = """
CREATE TYPE mood AS ENUM ('sad', 'happy');
ALTER TYPE mood ADD VALUE 'ok' AFTER 'sad';
CREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);
CREATE TABLE "Users" (
    id serial PRIMARY KEY,
    email text NOT NULL UNIQUE,
    feeling mood,
    org_id int REFERENCES orgs ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    a int, b int,
    UNIQUE (a, b),
    CHECK (a > 0)
);
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower ON "Users" USING btree (lower(email) DESC) INCLUDE (a) WHERE a > 0;
ALTER TABLE "Users" ADD CONSTRAINT users_org FOREIGN KEY (a, b) REFERENCES orgs (id, id) NOT VALID;
ALTER TABLE "Users" VALIDATE CONSTRAINT users_org;
ALTER TABLE "Users" ADD COLUMN note varchar(40) DEFAULT 'x', ALTER COLUMN a SET NOT NULL, ALTER COLUMN b TYPE bigint;
COMMENT ON TABLE "Users" IS 'people';
COMMENT ON COLUMN "Users".email IS 'login';
CREATE SEQUENCE tickets AS integer;
CREATE VIEW v AS SELECT 1;
CREATE MATERIALIZED VIEW mv AS SELECT 2;
INSERT INTO orgs DEFAULT VALUES;
GRANT SELECT ON orgs TO PUBLIC;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
"""


def test_postgres_replay() -> None:
    catalog = catalog_from_sql(PG, Engine.POSTGRES, path="s.sql")
    assert catalog.source is StatsSource.NONE and catalog.default_schema == "public"
    users = catalog.table("Users")
    assert users is not None and users.schema == "public" and users.comment == "people"
    assert users.column_names == ("id", "email", "feeling", "org_id", "a", "b", "note")
    id_col = users.column("id")
    assert id_col and id_col.raw_type == "serial" and id_col.autoincrement and not id_col.nullable
    seq = catalog.sequence("Users_id_seq")
    assert seq and seq.max_value == 2147483647 and seq.owned_by == ("Users", "id")
    feeling = users.column("feeling")
    assert feeling and feeling.kind is TypeKind.ENUM and feeling.enum_values == ("sad", "ok", "happy")
    assert users.primary_key and users.primary_key.name == "Users_pkey"
    names = [i.name for i in users.indexes]
    assert names == ["Users_pkey", "Users_email_key", "Users_a_b_key", "users_lower"]
    lower = users.indexes[-1]
    assert lower.expressions == ("lower(email)",) and lower.keys[0].descending
    assert lower.where == "a > 0" and lower.include == ("a",) and lower.unique
    fk, composite = users.foreign_keys
    assert fk.name == "Users_org_id_fkey" and fk.ref_columns == ("id",) and fk.on_delete == "CASCADE"
    assert fk.deferrable and fk.initially_deferred
    assert composite.columns == ("a", "b") and composite.validated
    assert users.checks[0].name == "Users_check" and users.checks[0].expression == "a > 0"
    a, b, note = users.column("a"), users.column("b"), users.column("note")
    assert a and not a.nullable and b and b.kind is TypeKind.BIGINT
    assert note and note.length == 40 and note.default == "'x'"
    assert users.column("email").comment == "login"  # type: ignore[union-attr]
    orgs = catalog.table("orgs")
    assert orgs and orgs.columns[0].identity == "always" and not orgs.columns[0].nullable
    assert catalog.sequence("tickets").data_type == "integer"  # type: ignore[union-attr]
    assert [(v.name, v.materialized) for v in catalog.views] == [("v", False), ("mv", True)]


def test_postgres_locations() -> None:
    catalog = catalog_from_sql(PG, Engine.POSTGRES, path="s.sql")
    users = catalog.table("Users")
    assert users and users.location and (users.location.path, users.location.line) == ("s.sql", 5)
    email = users.column("email")
    assert email and email.location and (email.location.line, email.location.column) == (7, 5)
    assert email.location.object == "public.Users.email"


def test_postgres_drop_rename_and_not_valid() -> None:
    catalog = catalog_from_sql(
        """CREATE TABLE p (id int PRIMARY KEY);
        CREATE TABLE c (id int, p_id int, old int);
        ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p_id) REFERENCES p NOT VALID;
        CREATE INDEX c_old ON c (old);
        ALTER TABLE c DROP COLUMN old;
        ALTER TABLE c RENAME COLUMN p_id TO parent_id;
        ALTER TABLE c RENAME TO child;
        ALTER TABLE p RENAME TO parent;
        CREATE TABLE gone (x int); DROP TABLE IF EXISTS gone, never;
        CREATE INDEX i ON child (id); DROP INDEX i;""",
        Engine.POSTGRES,
    )
    child = catalog.table("child")
    assert child and child.column_names == ("id", "parent_id") and child.indexes == ()
    (fk,) = child.foreign_keys
    assert fk.columns == ("parent_id",) and fk.ref_table == "parent" and fk.ref_columns == ("id",)
    assert not fk.validated
    assert [t.name for t in catalog.tables] == ["child", "parent"]


def test_hostile_and_folded_names_survive() -> None:
    catalog = catalog_from_sql(
        'CREATE TABLE "a""; drop table x; --" ("Select" int, ünï int, MixedCase int);', Engine.POSTGRES
    )
    (table,) = catalog.tables
    assert table.name == 'a"; drop table x; --'
    assert table.column_names == ("Select", "ünï", "mixedcase")


def test_mysql_replay() -> None:
    catalog = catalog_from_sql(
        """CREATE TABLE p (id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, code varchar(10) NOT NULL,
             UNIQUE KEY (code)) ENGINE=InnoDB;
        CREATE TABLE `c` (
          id BIGINT NOT NULL AUTO_INCREMENT,
          p_id INT UNSIGNED REFERENCES p (id),
          s ENUM('a','b') DEFAULT 'a',
          PRIMARY KEY (id),
          KEY ix_s (s(3)),
          CONSTRAINT fk_p FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
        ALTER TABLE c MODIFY COLUMN s ENUM('a','b','c') NOT NULL;
        ALTER TABLE c CHANGE COLUMN p_id parent_id INT UNSIGNED;
        ALTER TABLE c ADD INDEX ix2 (parent_id, s);""",
        Engine.MYSQL,
    )
    assert catalog.default_schema is None
    p, c = catalog.tables
    assert p.schema is None and p.engine_options["ENGINE"] == "InnoDB"
    assert p.columns[0].raw_type == "INT UNSIGNED" and p.columns[0].autoincrement
    assert [(i.name, i.primary, i.unique) for i in p.indexes] == [
        ("PRIMARY", True, True),
        ("code", False, True),
    ]
    assert c.column_names == ("id", "parent_id", "s")
    s = c.column("s")
    assert s and s.kind is TypeKind.ENUM and s.enum_values == ("a", "b", "c") and not s.nullable
    # MySQL ignores inline REFERENCES; the table-level key gets an index named after it.
    (fk,) = c.foreign_keys
    assert fk.name == "fk_p" and fk.columns == ("parent_id",)
    assert [i.name for i in c.indexes] == ["PRIMARY", "ix_s", "fk_p", "ix2"]
    assert c.indexes[1].keys[0].prefix_length == 3
    assert c.column("parent_id").location.line == 12  # type: ignore[union-attr]


def test_mysql_fk_reuses_leading_index() -> None:
    catalog = catalog_from_sql(
        "CREATE TABLE p (id int PRIMARY KEY);"
        "CREATE TABLE c (a int, b int, KEY ab (a, b), FOREIGN KEY (a) REFERENCES p (id));",
        Engine.MYSQL,
    )
    c = catalog.table("c")
    assert c and [i.name for i in c.indexes] == ["ab"] and c.foreign_keys[0].name == "c_ibfk_1"


def test_sqlite_replay() -> None:
    catalog = catalog_from_sql(
        """CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, b VARCHAR(10) UNIQUE, c INT REFERENCES a);
        CREATE TABLE w (k TEXT PRIMARY KEY, v) WITHOUT ROWID, STRICT;
        CREATE INDEX ix ON a (b COLLATE NOCASE) WHERE c > 0;
        ALTER TABLE a ADD COLUMN d INT NOT NULL DEFAULT 0;
        ALTER TABLE a RENAME COLUMN d TO e;""",
        Engine.SQLITE,
    )
    assert catalog.default_schema == "main"
    a, w = catalog.tables
    assert a.schema == "main" and a.columns[0].autoincrement and a.columns[0].raw_type == "INTEGER"
    assert [i.name for i in a.indexes] == ["sqlite_autoindex_a_1", "ix"]  # the rowid alias has no index
    assert a.foreign_keys[0].ref_columns == ("id",)
    assert a.indexes[1].where == "c > 0" and a.indexes[1].keys[0].collation == "NOCASE"
    assert a.column_names[-1] == "e"
    assert set(w.engine_options) == {"WITHOUT ROWID", "STRICT"}
    assert w.indexes[0].primary and not w.columns[0].nullable


@pytest.mark.parametrize("engine", [Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE])
def test_composite_keys(engine: Engine) -> None:
    catalog = catalog_from_sql(
        "CREATE TABLE p (a int, b int, PRIMARY KEY (a, b));"
        "CREATE TABLE c (x int, y int, FOREIGN KEY (x, y) REFERENCES p (a, b));"
        "ALTER TABLE c ADD CONSTRAINT c_u UNIQUE (y, x);",
        engine,
    )
    p, c = catalog.tables
    assert p.primary_key and p.primary_key.columns == ("a", "b")
    assert all(not col.nullable for col in p.columns) or engine is Engine.SQLITE
    assert c.foreign_keys[0].columns == ("x", "y") and c.foreign_keys[0].ref_columns == ("a", "b")
    assert c.uniques[0].columns == ("y", "x")


@pytest.mark.parametrize("engine", [Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE])
def test_catalog_from_sql_raises_on_bad_sql(engine: Engine) -> None:
    with pytest.raises(SqlSyntaxError):
        catalog_from_sql("CREATE TABLE a (x int));", engine, path="x.sql")


def test_load_ddl_folder_with_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "V10__late.sql").write_text("ALTER TABLE a ADD COLUMN late int;")
    (tmp_path / "V2__early.sql").write_text("CREATE TABLE a (x int);")
    (tmp_path / "V3__broken.sql").write_text("CREATE TABLE b (x int;\nCREATE TABLE c (y int);")
    load = load_ddl([tmp_path], Engine.POSTGRES)
    assert [f.name for f in load.files] == ["V2__early.sql", "V3__broken.sql", "V10__late.sql"]
    assert [t.name for t in load.catalog.tables] == ["a", "c"]
    assert load.catalog.table("a").column_names == ("x", "late")  # type: ignore[union-attr]
    (problem,) = load.problems
    assert problem.path.endswith("V3__broken.sql") and problem.line == 1
    assert "engine_guessed" not in load.catalog.attrs


def test_load_ddl_guesses_engine(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE `a` (id int AUTO_INCREMENT PRIMARY KEY);")
    load = load_ddl([tmp_path / "schema.sql"])
    assert load.catalog.engine is Engine.MYSQL and load.catalog.attrs["engine_guessed"] == "mysql"


@pytest.mark.parametrize(
    ("text", "engine"),
    [
        ("CREATE TABLE `a` (x int)", Engine.MYSQL),
        ("CREATE TABLE a (x int) ENGINE = InnoDB", Engine.MYSQL),
        ("CREATE TABLE a (x INTEGER PRIMARY KEY AUTOINCREMENT)", Engine.SQLITE),
        ("CREATE TABLE a (x int) WITHOUT ROWID", Engine.SQLITE),
        ("CREATE TABLE a (x int) STRICT", Engine.SQLITE),
        ('CREATE TABLE "a" (x serial)', Engine.POSTGRES),
    ],
)
def test_guess_engine(text: str, engine: Engine) -> None:
    assert guess_engine(text) is engine


_IDENT = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True).filter(lambda s: s not in _RESERVED)
_RESERVED = {
    "select",
    "table",
    "from",
    "where",
    "order",
    "group",
    "check",
    "primary",
    "key",
    "index",
    "create",
    "default",
    "unique",
    "int",
    "all",
    "and",
    "as",
    "by",
    "in",
    "is",
    "not",
    "null",
    "on",
    "or",
    "to",
    "for",
    "user",
    "end",
    "do",
    "desc",
    "asc",
    "case",
    "when",
    "then",
    "else",
    "limit",
    "with",
    "into",
    "union",
    "join",
    "left",
    "right",
    "references",
    "constraint",
    "foreign",
    "add",
    "column",
    "set",
    "values",
    "update",
    "delete",
    "insert",
    "drop",
    "alter",
    "grant",
    "having",
    "distinct",
    "both",
}
_TYPES = st.sampled_from(["integer", "bigint", "text", "varchar(20)", "boolean", "date", "numeric(10,2)"])


@settings(max_examples=40, deadline=None)
@given(
    table=_IDENT,
    columns=st.lists(st.tuples(_IDENT, _TYPES), min_size=1, max_size=8, unique_by=lambda c: c[0]),
    engine=st.sampled_from([Engine.POSTGRES, Engine.MYSQL, Engine.SQLITE]),
)
def test_create_table_columns_round_trip(table: str, columns: list[tuple[str, str]], engine: Engine) -> None:
    quote = "`" if engine is Engine.MYSQL else '"'
    body = ", ".join(f"{quote}{name}{quote} {kind}" for name, kind in columns)
    catalog = catalog_from_sql(f"CREATE TABLE {quote}{table}{quote} ({body});", engine)
    (result,) = catalog.tables
    assert result.name == table
    assert result.column_names == tuple(name for name, _ in columns)


MIGRATION_PG = """
CREATE TYPE state AS ENUM ('new', 'paid');
CREATE TABLE parent (id bigint PRIMARY KEY);
CREATE TABLE orders (id bigint, code text, during tstzrange, state state);
CREATE UNIQUE INDEX CONCURRENTLY orders_code_uq ON orders (code);
ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX orders_code_uq;
CREATE UNIQUE INDEX orders_id_uq ON orders (id);
ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_id_uq;
ALTER TABLE orders ADD CONSTRAINT orders_no_overlap EXCLUDE USING gist (during WITH &&);
ALTER TABLE orders ADD COLUMN parent_id bigint REFERENCES parent (id);
ALTER TYPE state RENAME VALUE 'paid' TO 'settled';
ALTER TABLE orders SET UNLOGGED;
CREATE INDEX orders_state_idx ON orders (state);
DROP INDEX CONCURRENTLY orders_state_idx;
BEGIN;
SET LOCAL lock_timeout = '1s';
LOCK TABLE orders;
UPDATE orders SET code = 'x' WHERE code IS NULL;
COMMIT;
"""


def test_postgres_replay_of_migration_forms() -> None:
    catalog = catalog_from_sql(MIGRATION_PG, Engine.POSTGRES)
    orders = catalog.table("orders")
    assert orders is not None
    summary = [(i.name, i.unique, i.primary, i.constraint, i.method) for i in orders.indexes]
    assert summary == [
        ("orders_code_key", True, False, "orders_code_key", "btree"),
        ("orders_pkey", True, True, "orders_pkey", "btree"),
        ("orders_no_overlap", False, False, "orders_no_overlap", "gist"),
    ]
    assert orders.primary_key is not None and orders.primary_key.columns == ("id",)
    assert [u.columns for u in orders.uniques] == [("code",)]
    assert [(f.columns, f.ref_table, f.ref_columns) for f in orders.foreign_keys] == [
        (("parent_id",), "parent", ("id",))
    ]
    (state,) = catalog.enums
    assert state.values == ("new", "settled")


def test_replayer_index_table() -> None:
    from dbexpert.sources.replay import Replayer
    from dbexpert.sql.ddl import Name
    from dbexpert.sql.ddl_actions import ddl_actions
    from dbexpert.sql.parse import split_statements

    replayer = Replayer(Engine.POSTGRES)
    sql = "CREATE TABLE app.t (a int); CREATE INDEX t_a ON app.t (a); CREATE TABLE u (a int PRIMARY KEY);"
    for statement in split_statements(sql, Engine.POSTGRES):
        replayer.apply(statement, ddl_actions(statement))
    assert replayer.index_table(Name("t_a", "app")) == Name("t", "app")
    assert replayer.index_table(Name("t_a")) is None  # public.t_a does not exist
    assert replayer.index_table(Name("u_pkey")) == Name("u", "public")
    assert replayer.index_table(Name("nothing")) is None
