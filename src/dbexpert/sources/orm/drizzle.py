"""Drizzle schemas (``pgTable`` / ``mysqlTable`` / ``sqliteTable`` in ``.ts`` files) -> the catalog
``drizzle-kit push`` or ``generate`` would create.

A table is ``xTable("name", { columns }, (t) => [ extras ])`` (the extras may also be an object,
the older form). Columns are builder chains — ``varchar("email", { length: 256 }).notNull().unique()``
— whose database name is the builder's first argument, else the object key. Names drizzle-kit
gives (https://orm.drizzle.team/docs/indexes-constraints): ``<table>_<column>_unique`` for
``.unique()``, ``<table>_<columns>_pk`` for ``primaryKey({ columns })``,
``<table>_<columns>_<refTable>_<refColumns>_fk`` for foreign keys, ``<table>_pkey`` for a
column's ``.primaryKey()`` on PostgreSQL. The engine follows the table function.

Indexes are exactly those Drizzle creates: primary keys, unique constraints, ``index()`` and
``uniqueIndex()``. ``.references()`` and ``foreignKey()`` create a constraint and no index
(InnoDB adds one itself on MySQL). ``casing: "snake_case"`` in the Drizzle config is not applied:
give column names explicitly when you use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.model import (
    Catalog,
    Column,
    Engine,
    EnumType,
    ForeignKey,
    Index,
    IndexKey,
    Location,
    PrimaryKey,
    Table,
    TypeKind,
)
from dbexpert.model.types import normalize_type
from dbexpert.sources._typescript import (
    Code,
    arguments,
    callee,
    parser,
    position,
    syntax_error,
    text,
    unwrap,
    value,
    walk,
)
from dbexpert.sources.engine_rules import DEFAULT_SCHEMA
from dbexpert.sources.orm import OrmSchema, innodb_fk_indexes, source_files
from dbexpert.sources.orm._ts_common import MISSING, hidden, read

ORM = "drizzle"
_TABLES = {"pgTable": Engine.POSTGRES, "mysqlTable": Engine.MYSQL, "sqliteTable": Engine.SQLITE}
_ENUMS = frozenset({"pgEnum", "mysqlEnum"})
_SUFFIXES = (".ts", ".mts", ".cts", ".js", ".mjs")

# Builder -> the type drizzle-kit writes, where it is not the builder's own name.
_SPELLING = {
    "doublePrecision": "double precision",
    "smallserial": "smallserial",
    "bigserial": "bigserial",
    "decimal": "numeric",
    "customType": "text",
}
_MYSQL_SPELLING = {"decimal": "decimal", "doublePrecision": "double"}
_SERIALS = {"serial": "integer", "bigserial": "bigint", "smallserial": "smallint"}
_ACTIONS = {"cascade": "CASCADE", "set null": "SET NULL", "set default": "SET DEFAULT", "restrict": "RESTRICT",
            "no action": "NO ACTION"}  # fmt: skip
_NOW = {Engine.POSTGRES: "now()", Engine.MYSQL: "(now())", Engine.SQLITE: "(CURRENT_TIMESTAMP)"}


def find(target: Path) -> list[Path]:
    """Files under ``target`` that define a Drizzle table; [] when there is none."""
    found = []
    for path in source_files(target, _SUFFIXES):
        if path.name.endswith(".d.ts") or hidden(path, target):
            continue
        try:
            source = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if "drizzle-orm" in source and any(f"{name}(" in source for name in _TABLES):
            found.append(path)
    return found


@dataclass
class _Table:
    var: str
    name: str
    engine: Engine
    schema: str | None
    path: str
    line: int
    column: int
    columns: dict[str, Column] = field(default_factory=dict)  # key -> column
    primary: list[str] = field(default_factory=list)  # column names
    pk_name: str | None = None
    pk_line: tuple[int, int] | None = None
    indexes: list[Index] = field(default_factory=list)
    references: list[tuple[list[str], Any, dict[str, Any], Location, str | None]] = field(
        default_factory=list
    )


def load(files: Sequence[Path]) -> OrmSchema:
    ts = parser()
    if ts is None:
        return OrmSchema(Catalog(engine=Engine.POSTGRES), ORM, tuple(files), (MISSING,))
    reader = _Reader()
    for path in files:
        source = read(path, reader.problems)
        if source is not None:
            reader.read_file(ts, str(path), source)
    return OrmSchema(reader.catalog(), ORM, tuple(files), tuple(reader.problems))


def _chain(node: Any) -> tuple[Any, list[tuple[str, list[Any], Any]]]:
    """``a(...).b(...).c(...)`` -> (the ``a(...)`` call, [("b", args, node), ("c", args, node)])."""
    methods: list[tuple[str, list[Any], Any]] = []
    node = unwrap(node)
    while node.type == "call_expression":
        function = node.child_by_field_name("function")
        inner = function.child_by_field_name("object") if function.type == "member_expression" else None
        if inner is None or unwrap(inner).type != "call_expression":
            return node, methods
        methods.insert(0, (text(function.child_by_field_name("property")), arguments(node), node))
        node = unwrap(inner)
    return None, methods


def _short(name: str) -> str:
    """``t.integer`` / ``pg.integer`` -> ``integer``."""
    return name.rsplit(".", 1)[-1]


def _body(function: Any) -> Any:
    """An arrow function's returned expression (``=> ({...})``, ``=> [...]`` or ``{ return ... }``)."""
    body = function.child_by_field_name("body")
    if body is None:
        return None
    if body.type == "statement_block":
        found = next((n for n in walk(body) if n.type == "return_statement"), None)
        return unwrap(found.named_children[0]) if found is not None and found.named_children else None
    return unwrap(body)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.tables: dict[str, _Table] = {}
        self.enums: dict[str, tuple[str, tuple[str, ...]]] = {}  # variable -> (type name, values)
        self.schemas: dict[str, str] = {}  # pgSchema variable -> schema name
        self.engines: list[Engine] = []

    def read_file(self, ts: Any, path: str, source: str) -> None:
        root = ts.parse(source.encode("utf-8")).root_node
        bad = syntax_error(root)
        if bad is not None:
            line, column = position(bad)
            near = (
                f"missing {bad.type!r}" if bad.is_missing else f"near {text(bad).split(chr(10), 1)[0][:40]!r}"
            )
            self.problems.append(
                f"{path}:{line}:{column}: TypeScript that does not parse ({near}); file skipped"
            )
            return
        declarators = [n for n in walk(root) if n.type == "variable_declarator"]
        for node in declarators:  # enums and schemas first: tables use them
            self.declaration(node, path, tables=False)
        for node in declarators:
            self.declaration(node, path, tables=True)

    def declaration(self, node: Any, path: str, *, tables: bool) -> None:
        name_node, init = node.child_by_field_name("name"), node.child_by_field_name("value")
        if name_node is None or init is None or unwrap(init).type != "call_expression":
            return
        call = unwrap(init)
        function = _short(callee(call))
        args = arguments(call)
        if not tables:
            first = value(args[0]) if args else None
            if function in _ENUMS and len(args) > 1 and isinstance(first, str):
                values = value(args[1])
                self.enums[text(name_node)] = (
                    first,
                    tuple(str(v) for v in values) if isinstance(values, list) else (),
                )
            elif function == "pgSchema" and isinstance(first, str):
                self.schemas[text(name_node)] = first
            return
        owner = callee(call).rsplit(".", 1)[0] if "." in callee(call) else ""
        if function in _TABLES:
            self.table(text(name_node), _TABLES[function], None, call, path)
        elif function == "table" and owner in self.schemas:
            self.table(text(name_node), Engine.POSTGRES, self.schemas[owner], call, path)

    def problem(self, path: str, node: Any, message: str) -> None:
        line, column = position(node)
        self.problems.append(f"{path}:{line}:{column}: {message}")

    def location(self, path: str, node: Any) -> Location:
        line, column = position(node)
        return Location(path=path, line=line, column=column)

    # tables -----------------------------------------------------------------------------------
    def table(self, var: str, engine: Engine, schema: str | None, call: Any, path: str) -> None:
        args = arguments(call)
        name = value(args[0]) if args else None
        if not isinstance(name, str) or len(args) < 2:
            self.problem(path, call, "a Drizzle table needs a name and its columns")
            return
        columns_node = unwrap(args[1])
        if columns_node.type == "arrow_function":  # pgTable("t", (t) => ({ id: t.integer() }))
            columns_node = _body(columns_node)
        if columns_node is None or columns_node.type != "object":
            self.problem(path, args[1], f"the columns of table {name!r} are not an object literal")
            return
        line, column = position(
            call.parent.parent if call.parent is not None and call.parent.parent else call
        )
        table = _Table(var, name, engine, schema or DEFAULT_SCHEMA.get(engine), path, line, column)
        self.engines.append(engine)
        for pair in columns_node.named_children:
            if pair.type == "pair":
                self.column(table, pair)
        if len(args) > 2:
            self.extras(table, args[2])
        self.tables[var] = table

    def column(self, table: _Table, pair: Any) -> None:
        key = text(pair.child_by_field_name("key")).strip("\"'")
        base, methods = _chain(pair.child_by_field_name("value"))
        if base is None:
            self.problem(table.path, pair, f"column {key!r} is not a Drizzle column builder")
            return
        builder = _short(callee(base))
        args = [value(a) for a in arguments(base)]
        name = args[0] if args and isinstance(args[0], str) else key
        config = next((a for a in args if isinstance(a, dict)), {})
        raw, kind, enum_values = self.column_type(table, builder, config, args)
        nullable, default, autoincrement, identity = True, None, builder in _SERIALS, None
        attrs: dict[str, Any] = {"orm_field": key}
        where = self.location(table.path, pair)
        if builder in _SERIALS and table.engine is Engine.POSTGRES:
            default = f"nextval('{table.name}_{name}_seq'::regclass)"
            nullable = False
        for method, margs, _ in methods:
            given = [value(a) for a in margs]
            if method == "notNull":
                nullable = False
            elif method == "primaryKey":
                nullable = False
                table.primary = [name]
                table.pk_name = {Engine.POSTGRES: f"{table.name}_pkey", Engine.MYSQL: "PRIMARY"}.get(
                    table.engine
                )
                table.pk_line = position(pair)
                option = given[0] if given and isinstance(given[0], dict) else {}
                autoincrement = autoincrement or bool(option.get("autoIncrement"))
            elif method == "autoincrement":
                autoincrement = True
            elif method == "unique":
                unique = given[0] if given and isinstance(given[0], str) else f"{table.name}_{name}_unique"
                keys = (IndexKey(column=name),)
                table.indexes.append(Index(unique, keys, unique=True, constraint=unique, location=where))
            elif method == "default" and given:
                default = self.default(given[0], table.engine)
            elif method == "defaultNow":
                default = _NOW[table.engine]
            elif method == "defaultRandom":
                default = "gen_random_uuid()"
            elif method in ("$defaultFn", "$default"):
                attrs["orm_default"] = "generated by the Drizzle client"
            elif method in ("generatedAlwaysAsIdentity", "generatedByDefaultAsIdentity"):
                identity = "always" if method == "generatedAlwaysAsIdentity" else "by default"
                nullable = False
            elif method == "array":
                raw += "[]"
            elif method == "references" and margs:
                options = given[1] if len(given) > 1 and isinstance(given[1], dict) else {}
                table.references.append(([name], [margs[0]], options, where, None))
        norm = normalize_type(raw, table.engine)
        table.columns[key] = Column(
            name=name,
            raw_type=raw,
            kind=kind or norm.kind,
            nullable=nullable,
            default=default,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            identity=identity,
            autoincrement=autoincrement,
            enum_values=enum_values or norm.enum_values,
            location=where,
            attrs=MappingProxyType(attrs),
        )

    def column_type(
        self, table: _Table, builder: str, config: dict[str, Any], args: list[Any]
    ) -> tuple[str, TypeKind | None, tuple[str, ...]]:
        if builder in self.enums:  # a pgEnum used as a builder
            name, values = self.enums[builder]
            return name, TypeKind.ENUM, values
        if builder == "mysqlEnum":
            listed: list[Any] = next((a for a in args if isinstance(a, list)), [])
            labels = tuple(str(v) for v in listed)
            return (
                "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in labels) + ")",
                TypeKind.ENUM,
                labels,
            )
        spelling = _MYSQL_SPELLING if table.engine is Engine.MYSQL else _SPELLING
        base = spelling.get(builder, builder.lower())
        if builder == "timestamp" and table.engine is Engine.MYSQL:
            base = "timestamp"
        if builder in ("timestamp", "time") and table.engine is Engine.POSTGRES:
            precision = f"({config['precision']})" if isinstance(config.get("precision"), int) else ""
            zone = "with time zone" if config.get("withTimezone") else "without time zone"
            return f"{builder}{precision} {zone}", None, ()
        if isinstance(config.get("length"), int):
            return f"{base}({config['length']})", None, ()
        if isinstance(config.get("precision"), int) and builder in ("numeric", "decimal"):
            scale = config.get("scale")
            return f"{base}({config['precision']}{f',{scale}' if isinstance(scale, int) else ''})", None, ()
        if isinstance(config.get("dimensions"), int):
            return f"{base}({config['dimensions']})", None, ()
        return base, None, ()

    def default(self, given: Any, engine: Engine) -> str | None:
        if isinstance(given, bool):
            return ("true" if given else "false") if engine is Engine.POSTGRES else str(int(given))
        if isinstance(given, int | float):
            return str(given)
        if isinstance(given, str):
            return "'" + given.replace("'", "''") + "'"
        if isinstance(given, Code):
            raw = given.text
            return raw[4:-1] if raw.startswith("sql`") else raw  # sql`now()` is the SQL itself
        return None

    # extras: indexes and constraints ------------------------------------------------------------
    def extras(self, table: _Table, node: Any) -> None:
        node = unwrap(node)
        body = _body(node) if node.type == "arrow_function" else None
        if body is None:
            self.problem(table.path, node, f"the third argument of table {table.name!r} is not (t) => [...]")
            return
        items = [
            c.child_by_field_name("value") if c.type == "pair" else c
            for c in body.named_children
            if c.type in ("pair", "call_expression")
        ]
        for item in items:
            self.extra(table, item)

    def columns_of(self, table: _Table, nodes: Sequence[Any]) -> list[str] | None:
        found = []
        for node in nodes:
            node = unwrap(node)
            if node.type == "array":
                inner = self.columns_of(table, node.named_children)
                if inner is None:
                    return None
                found.extend(inner)
                continue
            key = text(node).rsplit(".", 1)[-1]
            if node.type != "member_expression" or key not in table.columns:
                self.problem(table.path, node, f"{text(node)!r} is not a column of table {table.name!r}")
                return None
            found.append(table.columns[key].name)
        return found

    def extra(self, table: _Table, node: Any) -> None:
        base, methods = _chain(node)
        if base is None:
            return
        kind = _short(callee(base))
        args = arguments(base)
        first = value(args[0]) if args else None
        where = self.location(table.path, node)
        calls = dict((m, a) for m, a, _ in methods)
        if kind in ("index", "uniqueIndex", "unique") and "on" in calls:
            columns = self.columns_of(table, calls["on"])
            if not columns:
                return
            unique = kind != "index"
            suffix = "unique" if kind == "unique" else "index"
            name = first if isinstance(first, str) else "_".join([table.name, *columns, suffix])
            predicate = None
            if "where" in calls and calls["where"]:
                raw = text(calls["where"][0])
                predicate = raw[4:-1] if raw.startswith("sql`") else raw
            method = str(value(calls["using"][0])) if calls.get("using") else "btree"
            keys = tuple(IndexKey(column=c) for c in columns)
            constraint = name if kind == "unique" else None
            index = Index(
                name,
                keys,
                unique=unique,
                constraint=constraint,
                method=method,
                where=predicate,
                location=where,
            )
            table.indexes.append(index)
        elif kind == "primaryKey":
            options = first if isinstance(first, dict) else {}
            column_nodes = self.option_nodes(args[0], "columns") if isinstance(first, dict) else args
            columns = self.columns_of(table, column_nodes)
            if not columns:
                return
            table.primary = columns
            given = options.get("name")
            table.pk_name = given if isinstance(given, str) else "_".join([table.name, *columns, "pk"])
            table.pk_line = position(node)
        elif kind == "foreignKey" and isinstance(first, dict):
            columns = self.columns_of(table, self.option_nodes(args[0], "columns"))
            if not columns:
                return
            options = {m: value(a[0]) for m, a in calls.items() if a and m in ("onDelete", "onUpdate")}
            given = first.get("name")
            table.references.append(
                (
                    columns,
                    self.option_nodes(args[0], "foreignColumns"),
                    options,
                    where,
                    given if isinstance(given, str) else None,
                )
            )

    def option_nodes(self, obj: Any, key: str) -> list[Any]:
        """The element nodes of ``key: [...]`` in an object literal."""
        for pair in unwrap(obj).named_children:
            if pair.type == "pair" and text(pair.child_by_field_name("key")) == key:
                found = unwrap(pair.child_by_field_name("value"))
                return list(found.named_children) if found.type == "array" else [found]
        return []

    # catalog ----------------------------------------------------------------------------------
    def reference(self, table: _Table, node: Any) -> tuple[_Table, str] | None:
        """``() => users.id`` / ``users.id`` -> (users table, its column name)."""
        node = unwrap(node)
        if node.type == "arrow_function":
            node = _body(node)
        parts = text(node).split(".") if node is not None else []
        target = self.tables.get(parts[0]) if len(parts) == 2 else None
        if target is None and len(parts) == 2 and parts[0] == table.var:
            target = table
        column = target.columns.get(parts[1]) if target is not None else None
        if target is None or column is None:
            self.problem(table.path, node, f"cannot tell which column {text(node)!r} references")
            return None
        return target, column.name

    def catalog(self) -> Catalog:
        engine = self.engines[0] if self.engines else Engine.POSTGRES
        if len(set(self.engines)) > 1:
            self.problems.append(
                f"tables of several engines ({', '.join(sorted(set(self.engines)))}): read as {engine}"
            )
        tables = [self.build(t, engine) for t in self.tables.values()]
        enums = tuple(EnumType(n, v, DEFAULT_SCHEMA.get(engine)) for n, v in self.enums.values())
        return Catalog(
            engine=engine,
            tables=tuple(tables),
            enums=enums if engine is Engine.POSTGRES else (),
            default_schema=DEFAULT_SCHEMA.get(engine),
            attrs=MappingProxyType({"orm": ORM}),
        )

    def build(self, table: _Table, engine: Engine) -> Table:
        columns = [
            replace(c, nullable=False) if c.name in table.primary else c for c in table.columns.values()
        ]
        location = Location(path=table.path, line=table.line, column=table.column)
        primary = None
        indexes: list[Index] = []
        if table.primary:
            line, column = table.pk_line or (table.line, table.column)
            where = Location(path=table.path, line=line, column=column)
            pk_name = (
                table.pk_name
                if engine is Engine.POSTGRES
                else ("PRIMARY" if engine is Engine.MYSQL else None)
            )
            primary = PrimaryKey(tuple(table.primary), pk_name, where)
            rowid = (
                engine is Engine.SQLITE and len(table.primary) == 1 and _is_integer(table, table.primary[0])
            )
            if not rowid:
                name = pk_name or f"sqlite_autoindex_{table.name}_1"
                keys = tuple(IndexKey(column=c) for c in table.primary)
                indexes.append(Index(name, keys, unique=True, primary=True, constraint=name, location=where))
        indexes.extend(table.indexes)
        foreign_keys = []
        for cols, refs, options, where, fk_given in table.references:
            targets = [self.reference(table, r) for r in refs]
            if not targets or any(t is None for t in targets):
                continue
            resolved = [t for t in targets if t is not None]
            parent = resolved[0][0]
            ref_columns = [c for _, c in resolved]
            fk_name = fk_given or "_".join([table.name, *cols, parent.name, *ref_columns, "fk"])
            foreign_keys.append(
                ForeignKey(
                    columns=tuple(cols),
                    ref_table=parent.name,
                    ref_columns=tuple(ref_columns),
                    ref_schema=parent.schema,
                    name=fk_name,
                    on_delete=_ACTIONS.get(str(options.get("onDelete", "no action")).lower(), "NO ACTION"),
                    on_update=_ACTIONS.get(str(options.get("onUpdate", "no action")).lower(), "NO ACTION"),
                    location=where,
                )
            )
        if engine is Engine.MYSQL:
            indexes.extend(innodb_fk_indexes(foreign_keys, indexes))
        return Table(
            name=table.name,
            schema=table.schema,
            columns=tuple(columns),
            primary_key=primary,
            foreign_keys=tuple(foreign_keys),
            indexes=tuple(indexes),
            location=location,
            attrs=MappingProxyType({"orm": ORM, "orm_model": table.var}),
        )


def _is_integer(table: _Table, name: str) -> bool:
    column = next((c for c in table.columns.values() if c.name == name), None)
    return column is not None and column.raw_type.lower() == "integer"
