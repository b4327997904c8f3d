"""Alembic migrations (``versions/*.py``), read with the stdlib ``ast``: the code is never run.

Order (https://alembic.sqlalchemy.org/en/latest/branches.html): the ``down_revision`` chain
(``depends_on`` counts too); a merge revision names several parents in a tuple. Revisions are
ordered topologically, ties broken by file name.

Each ``op.*`` call of ``upgrade()`` and ``downgrade()`` becomes the SQL Alembic emits for it on
PostgreSQL, starting on the line of the call; ``op.execute`` text keeps the lines of its string.
``with op.batch_alter_table(t) as batch_op:`` calls apply to ``t`` (on SQLite the batch recreates
the table: the migration description says so). A call that cannot be translated from the source
alone (dynamic arguments, helpers, loops, ``if``) is reported in :attr:`Discovery.skipped` as
``path:line`` with the reason; the rest of the migration is still read.

Transactions: on PostgreSQL Alembic runs migrations inside a transaction (transactional DDL), so
a migration is transactional. ``with op.get_context().autocommit_block():`` commits it, runs its
body in autocommit mode and begins a new one: such a migration is written as explicit
``BEGIN`` / ``COMMIT`` around the statements outside the block and marked non-transactional, so
the rules see the block's statements outside any transaction.
"""

from __future__ import annotations

import ast
import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations import _pyast as py
from dbexpert.sources.migrations._code import (
    Chunk,
    NotUnderstood,
    column_list,
    ident,
    literal,
    qualified,
    script,
    suppressions,
    within,
)
from dbexpert.sources.migrations._files import Skipped, read_text

TOOL = "alembic"

_MARKER = re.compile(r"(?m)^(down_revision|revision)\s*(:[^=]*)?=")

_SIMPLE_TYPES = {
    "integer": "integer",
    "biginteger": "bigint",
    "smallinteger": "smallint",
    "bigint": "bigint",
    "smallint": "smallint",
    "int": "integer",
    "text": "text",
    "unicodetext": "text",
    "boolean": "boolean",
    "date": "date",
    "interval": "interval",
    "largebinary": "bytea",
    "bytea": "bytea",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "jsonb",
    "float": "double precision",
    "double": "double precision",
    "double_precision": "double precision",
    "real": "real",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "tsvector": "tsvector",
    "hstore": "hstore",
    "citext": "citext",
    "money": "money",
    "oid": "oid",
}
_VARCHAR = frozenset({"string", "varchar", "unicode", "nvarchar"})
_NUMERIC = frozenset({"numeric", "decimal"})
_TIMESTAMP = frozenset({"datetime", "timestamp"})
_SERIAL = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}
# Position of the table argument a batch_op call leaves out (op.create_index(name, table, ...)).
_BATCH_TABLE_POSITION = {
    "add_column": 0,
    "drop_column": 0,
    "alter_column": 0,
    "create_index": 1,
    "create_foreign_key": 1,
    "create_unique_constraint": 1,
    "create_check_constraint": 1,
    "create_primary_key": 1,
    "drop_constraint": 1,
}


def is_alembic_source(text: str) -> bool:
    return _MARKER.search(text) is not None and "def upgrade" in text


@dataclass
class _Revision:
    file: Path
    revision: str
    parents: tuple[str, ...]
    tree: ast.Module
    source: str


def read(files: Sequence[Path]) -> tuple[list[Migration], list[Skipped]]:
    """Alembic revisions among ``files``, in the order ``alembic upgrade head`` applies them."""
    skipped: list[Skipped] = []
    revisions: dict[str, _Revision] = {}
    for file in sorted(files, key=lambda f: f.name):
        source = read_text(file)
        try:
            tree = ast.parse(source, str(file))
        except SyntaxError as exc:
            skipped.append((f"{file}:{exc.lineno or 1}", f"Python syntax error: {exc.msg}"))
            continue
        env = py.module_env(tree)
        try:
            revision = py.value(env.get("revision"), env)
            parents = [*_ids(env.get("down_revision"), env), *_ids(env.get("depends_on"), env)]
        except NotUnderstood as exc:
            skipped.append((str(file), f"revision identifiers not understood: {exc}"))
            continue
        if not isinstance(revision, str):
            skipped.append((str(file), "no revision identifier: Alembic ignores it"))
            continue
        revisions[revision] = _Revision(file, revision, tuple(parents), tree, source)
    migrations: list[Migration] = []
    for rev in _ordered(revisions):
        migration, left = _translate(rev)
        migrations.append(migration)
        skipped.extend(left)
    return migrations, skipped


def _ids(node: ast.expr | None, env: py.Env) -> list[str]:
    found = py.value(node, env)
    if found is None:
        return []
    return [found] if isinstance(found, str) else [str(item) for item in found]


def _ordered(revisions: dict[str, _Revision]) -> list[_Revision]:
    """Topological order of the revision graph, ties (branches) broken by file name."""
    waiting = {rev: {p for p in r.parents if p in revisions} for rev, r in revisions.items()}
    children: dict[str, list[str]] = {}
    for rev, parents in waiting.items():
        for parent in parents:
            children.setdefault(parent, []).append(rev)
    ready = [(r.file.name, rev) for rev, r in revisions.items() if not waiting[rev]]
    heapq.heapify(ready)
    order: list[_Revision] = []
    while ready:
        _, rev = heapq.heappop(ready)
        order.append(revisions[rev])
        for child in children.get(rev, []):
            waiting[child].discard(rev)
            if not waiting[child]:
                heapq.heappush(ready, (revisions[child].file.name, child))
    done = {r.revision for r in order}  # a cycle: keep the rest in file order
    order.extend(sorted((r for r in revisions.values() if r.revision not in done), key=lambda r: r.file.name))
    return order


# -- translation -------------------------------------------------------------------------------


@dataclass
class _Body:
    path: str
    lines: list[str]
    env: py.Env
    chunks: list[tuple[int, str, bool]] = field(default_factory=list)  # (line, sql, autocommit)
    skipped: list[Skipped] = field(default_factory=list)
    batch: bool = False


def _translate(rev: _Revision) -> tuple[Migration, list[Skipped]]:
    path = str(rev.file)
    env = py.module_env(rev.tree)
    functions = {f.name: f for f in rev.tree.body if isinstance(f, ast.FunctionDef)}
    comments = suppressions(rev.source)
    lines = rev.source.splitlines()
    skipped: list[Skipped] = []
    scripts: dict[str, tuple[MigrationScript, bool, bool]] = {}
    for name in ("upgrade", "downgrade"):
        function = functions.get(name)
        if function is None:
            continue
        body = _Body(path, lines, dict(env))
        _statements(body, function.body, {"op": None}, autocommit=False)
        skipped.extend(body.skipped)
        autocommit = any(a for _, _, a in body.chunks)
        chunks = (
            _with_transactions(body.chunks, function)
            if autocommit
            else [Chunk(line, sql) for line, sql, _ in body.chunks]
        )
        mine = within(comments, function.lineno, function.end_lineno or function.lineno)
        scripts[name] = (script(path, chunks, mine), autocommit, body.batch)
    up, autocommit, batch = scripts.get("upgrade", (MigrationScript(path, ""), False, False))
    down = scripts.get("downgrade")
    docstring = (ast.get_docstring(rev.tree) or "").strip().splitlines()
    notes = [docstring[0] if docstring else rev.file.stem]
    if autocommit:
        notes.append("autocommit_block: its statements run outside the migration's transaction")
    if batch:
        notes.append("batch_alter_table: on SQLite the table is recreated (copied) instead")
    return (
        Migration(
            id=rev.revision,
            tool=TOOL,
            up=up,
            down=down[0] if down and down[0].text else None,
            transactional=not autocommit,
            description="; ".join(notes),
        ),
        skipped,
    )


def _with_transactions(found: list[tuple[int, str, bool]], function: ast.FunctionDef) -> list[Chunk]:
    """Explicit BEGIN/COMMIT around what runs in Alembic's transaction, none around autocommit blocks."""
    chunks: list[Chunk] = []
    inside = False
    for line, sql, autocommit in found:
        if not autocommit and not inside:
            chunks.append(Chunk(line if chunks else function.lineno, "BEGIN;"))
            inside = True
        elif autocommit and inside:
            chunks.append(Chunk(line, "COMMIT;"))
            inside = False
        chunks.append(Chunk(line, sql))
    if inside:
        chunks.append(Chunk(function.end_lineno or function.lineno, "COMMIT;"))
    return chunks


Receivers = dict[
    str, "tuple[str, str | None] | str | None"
]  # op: None, batch_op: (table, schema), conn: "bind"


def _statements(body: _Body, statements: list[ast.stmt], receivers: Receivers, autocommit: bool) -> None:
    for statement in statements:
        try:
            _statement(body, statement, receivers, autocommit)
        except NotUnderstood as exc:
            body.skipped.append(
                (
                    f"{body.path}:{statement.lineno}",
                    f"not understood: {py.first_line(body.lines, statement)} ({exc})",
                )
            )


def _statement(body: _Body, statement: ast.stmt, receivers: Receivers, autocommit: bool) -> None:
    if isinstance(statement, ast.Pass) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
    ):
        return
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        call = statement.value
        target = call.func
        if (
            isinstance(target, ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in receivers
        ):
            receiver = receivers[target.value.id]
            sql, line = _call(body, target.attr, call, receiver)
            body.chunks.append((line or call.lineno, sql, autocommit))
            return
        raise NotUnderstood("a call that is not an op.* operation")
    if isinstance(statement, ast.Assign | ast.AnnAssign):
        value = statement.value
        name = statement.targets[0] if isinstance(statement, ast.Assign) else statement.target
        if (
            isinstance(value, ast.Call)
            and py.dotted(value.func) == "op.get_bind"
            and isinstance(name, ast.Name)
        ):
            receivers[name.id] = "bind"
            return
        py.bind([statement], body.env)
        return
    if isinstance(statement, ast.With):
        inner = dict(receivers)
        inner_autocommit = autocommit
        for item in statement.items:
            expr = item.context_expr
            opener = (
                expr.func.attr if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) else ""
            )
            if isinstance(expr, ast.Call) and opener == "batch_alter_table":
                table = py.text(py.argument(expr, 0, "table_name"), body.env)
                schema = py.value(py.kwargs(expr).get("schema"), body.env)
                if isinstance(item.optional_vars, ast.Name):
                    inner[item.optional_vars.id] = (table, schema)
                body.batch = True
            elif opener == "autocommit_block":
                inner_autocommit = True
            else:
                raise NotUnderstood("a with block other than batch_alter_table or autocommit_block")
        _statements(body, statement.body, inner, inner_autocommit)
        return
    raise NotUnderstood(f"{type(statement).__name__.lower()} statement")


def _call(
    body: _Body, method: str, call: ast.Call, receiver: tuple[str, str | None] | str | None
) -> tuple[str, int | None]:
    env = body.env
    if receiver == "bind":
        if method not in ("execute", "exec_driver_sql"):
            raise NotUnderstood(f"connection.{method}")
        method = "execute"
    elif isinstance(receiver, tuple):  # batch_op: the table comes from the with statement
        table, schema = receiver
        table_node = ast.Constant(table)
        call = ast.Call(call.func, list(call.args), list(call.keywords))
        if method == "drop_index":
            call.keywords.append(ast.keyword("table_name", table_node))
        elif method in _BATCH_TABLE_POSITION:
            call.args.insert(_BATCH_TABLE_POSITION[method], table_node)
        if schema and method not in ("execute",):
            call.keywords.append(ast.keyword("schema", ast.Constant(schema)))
    if method == "execute":
        sql = py.value(py.argument(call, 0, "sqltext"), env)
        if not isinstance(sql, str):
            raise NotUnderstood("op.execute of a SQLAlchemy construct")
        sql = sql.rstrip().rstrip(";")
        return sql + ";", py.string_line(py.argument(call, 0, "sqltext") or call, env)
    handler = _OPERATIONS.get(method)
    if handler is None:
        raise NotUnderstood(f"op.{method} is not translated")
    return handler(call, py.kwargs(call), env), None


# -- operations --------------------------------------------------------------------------------

Kw = dict[str, ast.expr]


def _table(call: ast.Call, kw: Kw, env: py.Env, position: int = 0, name: str = "table_name") -> str:
    return qualified(py.text(py.argument(call, position, name), env), py.value(kw.get("schema"), env))


def _if(kw: Kw, env: py.Env, key: str, sql: str) -> str:
    return sql if py.value(kw.get(key), env) else ""


def _create_table(call: ast.Call, kw: Kw, env: py.Env) -> str:
    name = py.text(py.argument(call, 0, "table_name"), env)
    schema = py.value(kw.get("schema"), env)
    table = qualified(name, schema)
    columns: list[_Column] = []
    constraints: list[str] = []
    after: list[str] = []
    for element in call.args[1:]:
        element = py.resolve(element, env)
        kind = py.last(element).lower() if isinstance(element, ast.Call) else ""
        if kind == "column" and isinstance(element, ast.Call):
            columns.append(_column(element, env))
        elif kind == "index" and isinstance(element, ast.Call):
            index_name = py.text(element.args[0], env)
            after.append(
                f"CREATE INDEX {ident(index_name)} ON {table} ({_index_items(element.args[1:], env)});"
            )
        elif kind.endswith("constraint") and isinstance(element, ast.Call):
            constraints.append(_constraint(element, env))
        else:
            raise NotUnderstood(f"table element {ast.unparse(element)[:40]}")
    declared = [
        [py.text(a, env) for a in found.args]
        for element in call.args[1:]
        if isinstance(found := py.resolve(element, env), ast.Call)
        and py.last(found) == "PrimaryKeyConstraint"
    ]
    keys = declared[0] if declared else [c.name for c in columns if c.primary_key]
    parts = [c.sql(len(keys) == 1 and c.name in keys) for c in columns]
    if keys and not declared:
        parts.append(f"PRIMARY KEY ({column_list(keys)})")
    for column in columns:
        if column.references:
            parts.append(f"FOREIGN KEY({ident(column.name)}) REFERENCES {column.references}")
        if column.index:
            unique = "UNIQUE " if column.unique_index else ""
            after.append(
                f"CREATE {unique}INDEX {ident(f'ix_{name}_{column.name}')} ON {table} ({ident(column.name)});"
            )
    parts.extend(constraints)
    before = [e for c in columns if (e := c.enum_ddl(schema))]
    exists = _if(kw, env, "if_not_exists", "IF NOT EXISTS ")
    return " ".join([*before, f"CREATE TABLE {exists}{table} ({', '.join(parts)});", *after])


def _drop_table(call: ast.Call, kw: Kw, env: py.Env) -> str:
    return f"DROP TABLE {_if(kw, env, 'if_exists', 'IF EXISTS ')}{_table(call, kw, env)};"


def _add_column(call: ast.Call, kw: Kw, env: py.Env) -> str:
    table = _table(call, kw, env)
    node = py.resolve(py.argument(call, 1, "column") or call, env)
    if not (isinstance(node, ast.Call) and py.last(node) == "Column"):
        raise NotUnderstood("the column is not an sa.Column(...) call")
    column = _column(node, env)
    exists = _if(kw, env, "if_not_exists", "IF NOT EXISTS ")
    sql = [f"ALTER TABLE {table} ADD COLUMN {exists}{column.sql(False)};"]
    if column.references:
        sql.append(
            f"ALTER TABLE {table} ADD FOREIGN KEY({ident(column.name)}) REFERENCES {column.references};"
        )
    if column.index:
        unique = "UNIQUE " if column.unique_index else ""
        bare = py.text(py.argument(call, 0, "table_name"), env)
        sql.append(
            f"CREATE {unique}INDEX {ident(f'ix_{bare}_{column.name}')} ON {table} ({ident(column.name)});"
        )
    return " ".join(sql)


def _drop_column(call: ast.Call, kw: Kw, env: py.Env) -> str:
    column = py.text(py.argument(call, 1, "column_name"), env)
    return f"ALTER TABLE {_table(call, kw, env)} DROP COLUMN {ident(column)};"


def _alter_column(call: ast.Call, kw: Kw, env: py.Env) -> str:
    table = _table(call, kw, env)
    column = ident(py.text(py.argument(call, 1, "column_name"), env))
    sql: list[str] = []
    if "nullable" in kw:
        action = "DROP NOT NULL" if py.value(kw["nullable"], env) else "SET NOT NULL"
        sql.append(f"ALTER TABLE {table} ALTER COLUMN {column} {action};")
    if "server_default" in kw:
        default = py.resolve(kw["server_default"], env)
        if isinstance(default, ast.Constant) and default.value is False:
            pass
        elif isinstance(default, ast.Constant) and default.value is None:
            sql.append(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT;")
        else:
            sql.append(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {_default(default, env)};")
    if "type_" in kw:
        using = py.value(kw.get("postgresql_using"), env)
        suffix = f" USING {using}" if using else ""
        sql.append(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {_type(kw['type_'], env)}{suffix};")
    if "new_column_name" in kw:
        new = ident(py.text(kw["new_column_name"], env))
        sql.append(f"ALTER TABLE {table} RENAME COLUMN {column} TO {new};")
    if not sql:
        raise NotUnderstood("op.alter_column changing nothing Alembic emits SQL for")
    return " ".join(sql)


def _create_index(call: ast.Call, kw: Kw, env: py.Env) -> str:
    table = _table(call, kw, env, 1)
    items_node = py.argument(call, 2, "columns")
    items = py.resolve(items_node, env) if items_node is not None else None
    elements = items.elts if isinstance(items, ast.List | ast.Tuple) else [items] if items else []
    name_value = py.value(py.argument(call, 0, "index_name"), env)
    name = name_value or f"ix_{py.text(py.argument(call, 1, 'table_name'), env)}_{py.text(elements[0], env)}"
    words = ["CREATE"]
    words += ["UNIQUE"] if py.value(kw.get("unique"), env) else []
    words += ["INDEX"]
    words += ["CONCURRENTLY"] if py.value(kw.get("postgresql_concurrently"), env) else []
    words += ["IF NOT EXISTS"] if py.value(kw.get("if_not_exists"), env) else []
    words += [ident(name), "ON", table]
    using = py.value(kw.get("postgresql_using"), env)
    words += [f"USING {using}"] if using else []
    words += [f"({_index_items(elements, env)})"]
    include = py.value(kw.get("postgresql_include"), env)
    words += [f"INCLUDE ({column_list(include)})"] if include else []
    where = kw.get("postgresql_where")
    words += [f"WHERE {_expression(where, env)}"] if where is not None else []
    return " ".join(words) + ";"


def _index_items(elements: Sequence[ast.expr], env: py.Env) -> str:
    items: list[str] = []
    for element in elements:
        element = py.resolve(element, env)
        if isinstance(element, ast.Call) and py.last(element) == "text":
            items.append(py.text(element, env))
        elif isinstance(element, ast.Call) and py.last(element) in ("desc", "asc") and not element.args:
            items.append(f"{_expression(element.func, env)} {py.last(element).upper()}")
        else:
            items.append(ident(py.text(element, env)))
    return ", ".join(items)


def _expression(node: ast.expr, env: py.Env) -> str:
    """SQL of ``sa.text("...")``, a string, or a ``sa.column("x")``-style reference."""
    node = py.resolve(node, env)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call):
        return _expression(node.value, env)
    if isinstance(node, ast.Call) and py.last(node) in ("column", "literal_column") and node.args:
        return py.text(node.args[0], env)
    return py.text(node, env)


def _drop_index(call: ast.Call, kw: Kw, env: py.Env) -> str:
    name = qualified(py.text(py.argument(call, 0, "index_name"), env), py.value(kw.get("schema"), env))
    concurrently = _if(kw, env, "postgresql_concurrently", "CONCURRENTLY ")
    return f"DROP INDEX {concurrently}{_if(kw, env, 'if_exists', 'IF EXISTS ')}{name};"


def _constraint_name(call: ast.Call, env: py.Env) -> str:
    name = py.value(py.argument(call, 0, "constraint_name"), env)
    return f"CONSTRAINT {ident(name)} " if name else ""


def _create_foreign_key(call: ast.Call, kw: Kw, env: py.Env) -> str:
    source = qualified(
        py.text(py.argument(call, 1, "source_table"), env), py.value(kw.get("source_schema"), env)
    )
    referent = qualified(
        py.text(py.argument(call, 2, "referent_table"), env), py.value(kw.get("referent_schema"), env)
    )
    local = py.strings(py.argument(call, 3, "local_cols"), env)
    remote = py.strings(py.argument(call, 4, "remote_cols"), env)
    return (
        f"ALTER TABLE {source} ADD {_constraint_name(call, env)}FOREIGN KEY ({column_list(local)}) "
        f"REFERENCES {referent} ({column_list(remote)}){_fk_options(kw, env)};"
    )


def _fk_options(kw: Kw, env: py.Env) -> str:
    out = ""
    for key, words in (("match", "MATCH"), ("ondelete", "ON DELETE"), ("onupdate", "ON UPDATE")):
        if value := py.value(kw.get(key), env):
            out += f" {words} {value}"
    if py.value(kw.get("deferrable"), env):
        out += " DEFERRABLE"
    if initially := py.value(kw.get("initially"), env):
        out += f" INITIALLY {initially}"
    if py.value(kw.get("postgresql_not_valid"), env):
        out += " NOT VALID"
    return out


def _create_unique_constraint(call: ast.Call, kw: Kw, env: py.Env) -> str:
    columns = py.strings(py.argument(call, 2, "columns"), env)
    return f"ALTER TABLE {_table(call, kw, env, 1)} ADD {_constraint_name(call, env)}UNIQUE ({column_list(columns)});"


def _create_check_constraint(call: ast.Call, kw: Kw, env: py.Env) -> str:
    condition = _expression(py.argument(call, 2, "condition") or call, env)
    not_valid = _if(kw, env, "postgresql_not_valid", " NOT VALID")
    return f"ALTER TABLE {_table(call, kw, env, 1)} ADD {_constraint_name(call, env)}CHECK ({condition}){not_valid};"


def _create_primary_key(call: ast.Call, kw: Kw, env: py.Env) -> str:
    columns = py.strings(py.argument(call, 2, "columns"), env)
    return f"ALTER TABLE {_table(call, kw, env, 1)} ADD {_constraint_name(call, env)}PRIMARY KEY ({column_list(columns)});"


def _drop_constraint(call: ast.Call, kw: Kw, env: py.Env) -> str:
    name = ident(py.text(py.argument(call, 0, "constraint_name"), env))
    return f"ALTER TABLE {_table(call, kw, env, 1)} DROP CONSTRAINT {_if(kw, env, 'if_exists', 'IF EXISTS ')}{name};"


def _rename_table(call: ast.Call, kw: Kw, env: py.Env) -> str:
    new = ident(py.text(py.argument(call, 1, "new_table_name"), env))
    return f"ALTER TABLE {_table(call, kw, env, 0, 'old_table_name')} RENAME TO {new};"


def _bulk_insert(call: ast.Call, kw: Kw, env: py.Env) -> str:
    target = py.resolve(py.argument(call, 0, "table") or call, env)
    if not (isinstance(target, ast.Call) and py.last(target).lower() == "table" and target.args):
        raise NotUnderstood("the table is not an sa.table(...) construct")
    table = qualified(py.text(target.args[0], env), py.value(py.kwargs(target).get("schema"), env))
    rows = py.value(py.argument(call, 1, "rows"), env)
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise NotUnderstood("rows are not a literal list of dicts")
    columns = list(dict.fromkeys(key for row in rows for key in row))
    values = ", ".join("(" + ", ".join(literal(row.get(c)) for c in columns) + ")" for row in rows)
    return f"INSERT INTO {table} ({column_list(columns)}) VALUES {values};"


_OPERATIONS = {
    "create_table": _create_table,
    "drop_table": _drop_table,
    "add_column": _add_column,
    "drop_column": _drop_column,
    "alter_column": _alter_column,
    "create_index": _create_index,
    "drop_index": _drop_index,
    "create_foreign_key": _create_foreign_key,
    "create_unique_constraint": _create_unique_constraint,
    "create_check_constraint": _create_check_constraint,
    "create_primary_key": _create_primary_key,
    "drop_constraint": _drop_constraint,
    "rename_table": _rename_table,
    "bulk_insert": _bulk_insert,
}


# -- columns, types, constraints ---------------------------------------------------------------


@dataclass
class _Column:
    name: str
    type: str
    nullable: bool
    primary_key: bool
    default: str | None = None
    unique: bool = False
    index: bool = False
    unique_index: bool = False
    references: str | None = None
    identity: str | None = None
    autoincrement: bool = True
    enum: tuple[str, list[str]] | None = None

    def sql(self, serial_key: bool) -> str:
        kind = self.type
        if (
            serial_key
            and self.autoincrement
            and not self.identity
            and not self.references
            and kind in _SERIAL
        ):
            kind = _SERIAL[kind]
        words = [ident(self.name), kind]
        if self.identity:
            words.append(self.identity)
        if self.default is not None:
            words.append(f"DEFAULT {self.default}")
        if not self.nullable or self.primary_key or serial_key:
            words.append("NOT NULL")
        if self.unique:
            words.append("UNIQUE")
        return " ".join(words)

    def enum_ddl(self, schema: str | None) -> str:
        if self.enum is None:
            return ""
        name, labels = self.enum
        return f"CREATE TYPE {qualified(name, schema)} AS ENUM ({', '.join(literal(v) for v in labels)});"


def _column(call: ast.Call, env: py.Env) -> _Column:
    kw = py.kwargs(call)
    args = [py.resolve(a, env) for a in call.args]
    name = py.value(kw.get("name"), env)
    if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        name, args = args[0].value, args[1:]
    if not isinstance(name, str):
        raise NotUnderstood("a column without a literal name")
    type_node = kw.get("type_")
    references = identity = None
    for arg in args:
        kind = py.last(arg).lower() if isinstance(arg, ast.Call) else ""
        if kind == "foreignkey" and isinstance(arg, ast.Call):
            target = py.text(arg.args[0], env)
            ref_table, _, ref_column = target.rpartition(".")
            schema, _, bare = ref_table.rpartition(".")
            references = f"{qualified(bare, schema or None)} ({ident(ref_column)})" + _fk_options(
                py.kwargs(arg), env
            )
        elif kind == "identity" and isinstance(arg, ast.Call):
            always = py.value(py.kwargs(arg).get("always"), env)
            identity = f"GENERATED {'ALWAYS' if always else 'BY DEFAULT'} AS IDENTITY"
        elif kind == "computed" and isinstance(arg, ast.Call):
            raise NotUnderstood("a computed column")
        elif type_node is None:
            type_node = arg
    if type_node is None:
        raise NotUnderstood(f"column {name} without a type")
    primary_key = bool(py.value(kw.get("primary_key"), env))
    nullable = py.value(kw.get("nullable"), env)
    index = py.value(kw.get("index"), env)
    unique = bool(py.value(kw.get("unique"), env))
    default = kw.get("server_default")
    return _Column(
        name=name,
        type=_type(type_node, env),
        nullable=(not primary_key) if nullable is None else bool(nullable),
        primary_key=primary_key,
        default=_default(default, env) if default is not None else None,
        unique=unique and not index,
        index=bool(index),
        unique_index=bool(index) and unique,
        references=references,
        identity=identity,
        autoincrement=py.value(kw.get("autoincrement"), env) is not False,
        enum=_enum(type_node, env),
    )


def _type(node: ast.expr, env: py.Env) -> str:
    node = py.resolve(node, env)
    call = node if isinstance(node, ast.Call) else None
    name = py.last(node).lower()
    args = call.args if call else []
    kw = py.kwargs(call) if call else {}
    if call and name in ("with_variant", "evaluates_none"):
        return _type(call.func.value, env) if isinstance(call.func, ast.Attribute) else "text"
    if name in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[name]
    if name in _VARCHAR:
        length = py.value(args[0] if args else kw.get("length"), env)
        return f"varchar({length})" if length else "varchar"
    if name == "char":
        length = py.value(args[0] if args else kw.get("length"), env)
        return f"char({length})" if length else "char"
    if name in _NUMERIC:
        precision = py.value(args[0] if args else kw.get("precision"), env)
        scale = py.value(args[1] if len(args) > 1 else kw.get("scale"), env)
        if precision is None:
            return "numeric"
        return f"numeric({precision}, {scale})" if scale is not None else f"numeric({precision})"
    if name in _TIMESTAMP or name == "time":
        zone = py.value(args[0] if args else kw.get("timezone"), env)
        base = "timestamp" if name != "time" else "time"
        return f"{base} with time zone" if zone else f"{base} without time zone"
    if name == "array" and args:
        return _type(args[0], env) + "[]"
    if name == "enum":
        enum = _enum(node, env)
        return qualified(enum[0]) if enum else "varchar"
    if not name:
        raise NotUnderstood(f"type {ast.unparse(node)[:40]}")
    return name


def _enum(node: ast.expr, env: py.Env) -> tuple[str, list[str]] | None:
    node = py.resolve(node, env)
    if not (isinstance(node, ast.Call) and py.last(node).lower() == "enum"):
        return None
    kw = py.kwargs(node)
    name = py.value(kw.get("name"), env)
    if py.value(kw.get("create_type"), env) is False:
        return None
    labels = (
        [py.value(a, env) for a in node.args]
        if all(isinstance(py.resolve(a, env), ast.Constant) for a in node.args)
        else []
    )
    if not name:
        if not node.args or labels:
            raise NotUnderstood("an Enum without a name")
        name = py.last(node.args[0]).lower()  # sa.Enum(MyEnum): SQLAlchemy names the type after the class
    return str(name), [str(label) for label in labels]


def _default(node: ast.expr, env: py.Env) -> str:
    node = py.resolve(node, env)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return literal(node.value)
    if isinstance(node, ast.Call):
        name = py.dotted(node.func)
        if py.last(node) in ("text", "literal_column") and node.args:
            return py.text(node.args[0], env)
        if py.last(node) in ("true", "false") and not node.args:
            return py.last(node)
        if ".func." in f".{name}" and not node.args:
            return f"{name.rpartition('.')[2]}()"
    raise NotUnderstood(f"server_default {ast.unparse(node)[:40]}")


def _constraint(call: ast.Call, env: py.Env) -> str:
    kind = py.last(call).lower()
    kw = py.kwargs(call)
    name = py.value(kw.get("name"), env)
    prefix = f"CONSTRAINT {ident(name)} " if name else ""
    if kind == "primarykeyconstraint":
        return f"{prefix}PRIMARY KEY ({column_list(py.text(a, env) for a in call.args)})"
    if kind == "uniqueconstraint":
        return f"{prefix}UNIQUE ({column_list(py.text(a, env) for a in call.args)})"
    if kind == "checkconstraint":
        return f"{prefix}CHECK ({_expression(py.argument(call, 0, 'sqltext') or call, env)})"
    if kind == "foreignkeyconstraint":
        local = py.strings(py.argument(call, 0, "columns"), env)
        remote = py.strings(py.argument(call, 1, "refcolumns"), env)
        tables = {r.rpartition(".")[0] for r in remote}
        if len(tables) != 1:
            raise NotUnderstood("a foreign key to several tables")
        schema, _, table = tables.pop().rpartition(".")
        columns = column_list(r.rpartition(".")[2] for r in remote)
        return (
            f"{prefix}FOREIGN KEY({column_list(local)}) REFERENCES {qualified(table, schema or None)} "
            f"({columns}){_fk_options(kw, env)}"
        )
    raise NotUnderstood(f"{py.last(call)}")
