"""SQLAlchemy declarative models -> the catalog ``metadata.create_all()`` would create.

Read with the stdlib ``ast``, never imported. Mapped classes are those with a ``__tablename__``
(Flask-SQLAlchemy's ``db.Model`` without one gets its snake-cased class name); columns come from
``mapped_column(...)`` / ``Column(...)`` and from bare ``Mapped[...]`` annotations, with the type
of SQLAlchemy's default type map when none is given (``Optional[X]`` / ``X | None`` is nullable),
columns of mixins and ``__abstract__`` bases included. ``__table_args__`` (``Index``,
``UniqueConstraint``, ``PrimaryKeyConstraint``, ``ForeignKeyConstraint``, ``CheckConstraint``),
module-level ``Index(...)`` and ``Table("assoc", metadata, Column(...))`` are read too.

As in SQLAlchemy, a ``ForeignKey`` creates no index; ``index=True`` creates ``ix_<table>_<column>``.
The engine is that of a database URL in the files (``create_engine("postgresql://...")``), else
that of imported dialect types (``sqlalchemy.dialects.mysql``), else PostgreSQL.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.model import (
    Catalog,
    CheckConstraint,
    Column,
    Engine,
    EnumType,
    ForeignKey,
    Index,
    IndexKey,
    Location,
    PrimaryKey,
    TypeKind,
)
from dbexpert.model.types import normalize_type
from dbexpert.sources.engine_rules import DEFAULT_SCHEMA
from dbexpert.sources.migrations import _pyast as py
from dbexpert.sources.migrations._code import NotUnderstood, literal
from dbexpert.sources.orm import OrmSchema, source_files
from dbexpert.sources.orm._python import (
    PyFile,
    TableDraft,
    class_bases,
    engine_from_urls,
    location,
    problem,
    read_python,
)

ORM = "sqlalchemy"

_COLUMN_CALLS = frozenset({"mapped_column", "Column"})
_DIALECT = re.compile(r"sqlalchemy\.dialects\.(postgresql|mysql|sqlite)")
_DIALECT_ENGINES = {"postgresql": Engine.POSTGRES, "mysql": Engine.MYSQL, "sqlite": Engine.SQLITE}

# Lower-cased type class -> its column type on (PostgreSQL, MySQL, SQLite), for types without arguments.
_SIMPLE: dict[str, tuple[str, str, str]] = {
    "integer": ("integer", "integer", "INTEGER"),
    "int": ("integer", "integer", "INTEGER"),
    "biginteger": ("bigint", "bigint", "BIGINT"),
    "bigint": ("bigint", "bigint", "BIGINT"),
    "smallinteger": ("smallint", "smallint", "SMALLINT"),
    "smallint": ("smallint", "smallint", "SMALLINT"),
    "text": ("text", "text", "TEXT"),
    "unicodetext": ("text", "text", "TEXT"),
    "boolean": ("boolean", "bool", "BOOLEAN"),
    "date": ("date", "date", "DATE"),
    "interval": ("interval", "datetime", "DATETIME"),  # non-native Interval: an epoch-based DATETIME
    "largebinary": ("bytea", "blob", "BLOB"),
    "bytea": ("bytea", "blob", "BLOB"),
    "uuid": ("uuid", "char(32)", "CHAR(32)"),
    "json": ("json", "json", "JSON"),
    "jsonb": ("jsonb", "json", "JSON"),
    "float": ("double precision", "float", "FLOAT"),
    "double": ("double precision", "double", "DOUBLE"),
    "double_precision": ("double precision", "double", "DOUBLE"),
    "real": ("real", "real", "REAL"),
}
_VARCHAR = frozenset({"string", "varchar", "unicode", "nvarchar"})
_ENGINE_COLUMN = {Engine.POSTGRES: 0, Engine.MYSQL: 1, Engine.SQLITE: 2}

# SQLAlchemy's default type map: Python annotation -> the type class it stands for.
_ANNOTATIONS = {
    "int": "Integer",
    "str": "String",
    "float": "Float",
    "bool": "Boolean",
    "bytes": "LargeBinary",
    "datetime": "DateTime",
    "date": "Date",
    "time": "Time",
    "timedelta": "Interval",
    "Decimal": "Numeric",
    "UUID": "Uuid",
}
_ACTIONS = {"CASCADE", "SET NULL", "SET DEFAULT", "RESTRICT", "NO ACTION"}


def find(target: Path) -> list[Path]:
    """Python files defining SQLAlchemy tables (and mixins), with files naming the database URL."""
    files = source_files(target, (".py",))
    texts = {path: _text(path) for path in files}
    models = [p for p in files if _defines_models(p, texts[p])]
    if not models:
        return []
    config = [p for p in files if p not in models and _names_database(texts[p])]
    return models + config


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _defines_models(path: Path, text: str) -> bool:
    if "sqlalchemy" not in text.lower() or not ("__tablename__" in text or "Table(" in text):
        return False
    try:
        tree = ast.parse(text, str(path))
    except (SyntaxError, ValueError):
        return True  # load() reports it
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and any(_assigned_name(s) == "__tablename__" for s in node.body):
            return True
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            if py.last(node.value) == "Table":
                return True
    return False


def _names_database(text: str) -> bool:
    return "create_engine" in text or "SQLALCHEMY_DATABASE_URI" in text or "sqlalchemy.dialects" in text


def _assigned_name(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        target = statement.targets[0]
        return target.id if isinstance(target, ast.Name) else None
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    return None


def load(files: list[Path]) -> OrmSchema:
    parsed: list[PyFile] = []
    problems: list[str] = []
    for path in files:
        found, trouble = read_python(path)
        if found is not None:
            parsed.append(found)
        if trouble is not None:
            problems.append(trouble)
    builder = _Builder(parsed, _engine(parsed))
    catalog = builder.catalog()
    return OrmSchema(catalog, ORM, tuple(files), (*problems, *builder.problems))


def catalog_from_sources(sources: dict[str, str]) -> tuple[Catalog, list[str]]:
    """The catalog of model ``sources`` (path -> Python text); problems as ``path:line:column: what``."""
    parsed: list[PyFile] = []
    problems: list[str] = []
    for name, text in sources.items():
        try:
            tree = ast.parse(text, name)
        except SyntaxError as exc:
            problems.append(f"{name}:{exc.lineno or 1}:{exc.offset or 1}: Python syntax error: {exc.msg}")
            continue
        parsed.append(PyFile(Path(name), tree, py.module_env(tree), text))
    builder = _Builder(parsed, _engine(parsed))
    return builder.catalog(), [*problems, *builder.problems]


def _engine(files: list[PyFile]) -> Engine:
    by_url = engine_from_urls([f.text for f in files])
    if by_url is not None:
        return by_url
    for f in files:
        match = _DIALECT.search(f.text)
        if match:
            return _DIALECT_ENGINES[match.group(1)]
    return Engine.POSTGRES


class _Class:
    def __init__(self, file: PyFile, node: ast.ClassDef) -> None:
        self.file = file
        self.node = node
        self.attrs: dict[str, ast.expr] = {}
        py.bind(node.body, self.attrs)

    @property
    def name(self) -> str:
        return self.node.name

    def literal(self, name: str) -> Any:
        try:
            return py.value(self.attrs.get(name), self.file.env)
        except NotUnderstood:
            return None


class _Builder:
    def __init__(self, files: list[PyFile], engine: Engine) -> None:
        self.files = files
        self.engine = engine
        self.schema = DEFAULT_SCHEMA.get(engine)
        self.problems: list[str] = []
        self.classes: dict[str, _Class] = {}
        for f in files:
            for node in f.tree.body:
                if isinstance(node, ast.ClassDef):
                    self.classes[node.name] = _Class(f, node)
        self.flask = any("flask_sqlalchemy" in f.text for f in files)
        self.tables: dict[str, str] = {}  # class name -> table name
        for cls in self.classes.values():
            table = self.table_name(cls)
            if table is not None:
                self.tables[cls.name] = table
        self.enums: dict[str, EnumType] = {}

    # classes ----------------------------------------------------------------------------------
    def is_enum(self, name: str) -> bool:
        cls = self.classes.get(name)
        return cls is not None and any(b in ("Enum", "StrEnum", "IntEnum") for b in class_bases(cls.node))

    def enum_members(self, name: str) -> tuple[str, ...]:
        cls = self.classes[name]
        return tuple(n for s in cls.node.body if (n := _assigned_name(s)) and not n.startswith("_"))

    def table_name(self, cls: _Class) -> str | None:
        if cls.literal("__abstract__") is True or self.is_enum(cls.name):
            return None
        name = cls.literal("__tablename__")
        if isinstance(name, str):
            return name
        if "__tablename__" in cls.attrs:
            self.problems.append(
                problem(cls.file.path, cls.attrs["__tablename__"], "__tablename__ is not a literal")
            )
            return None
        if self.flask and self.flask_model(cls) and not any(b in self.tables for b in class_bases(cls.node)):
            # Flask-SQLAlchemy names the table after the class: CamelCase -> camel_case
            snake = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", cls.name)
            return snake.lower().lstrip("_")
        return None

    def flask_model(self, cls: _Class, depth: int = 0) -> bool:
        for base in cls.node.bases:
            if py.dotted(base).endswith(".Model"):
                return True
            inner = self.classes.get(py.last(base))
            if inner is not None and depth < 10 and self.flask_model(inner, depth + 1):
                return True
        return False

    def body(self, cls: _Class, depth: int = 0) -> list[tuple[_Class, ast.stmt]]:
        """Attribute statements of ``cls`` and of its unmapped bases (mixins, abstract classes)."""
        found: list[tuple[_Class, ast.stmt]] = []
        for base in reversed(class_bases(cls.node)):
            inner = self.classes.get(base)
            if inner is not None and base not in self.tables and depth < 10:
                found.extend(self.body(inner, depth + 1))
        names = {_assigned_name(s) for _, s in found}
        own = [(cls, s) for s in cls.node.body if _assigned_name(s)]
        overridden = {_assigned_name(s) for _, s in own} & names
        return [(c, s) for c, s in found if _assigned_name(s) not in overridden] + own

    # catalog ------------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        drafts: dict[str, TableDraft] = {}
        for cls_name, table in self.tables.items():
            try:
                drafts[table] = self.model_table(self.classes[cls_name], table)
            except NotUnderstood as exc:
                cls = self.classes[cls_name]
                self.problems.append(problem(cls.file.path, cls.node, f"model {cls_name} not read: {exc}"))
        for f in self.files:
            for statement in f.tree.body:
                self.module_statement(f, statement, drafts)
        return Catalog(
            engine=self.engine,
            tables=tuple(d.table() for d in drafts.values()),
            enums=tuple(self.enums.values()) if self.engine is Engine.POSTGRES else (),
            default_schema=self.schema,
            attrs=MappingProxyType(
                {"orm": ORM, "source_path": str(self.files[0].path) if self.files else ""}
            ),
        )

    def module_statement(self, f: PyFile, statement: ast.stmt, drafts: dict[str, TableDraft]) -> None:
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign | ast.Expr) else None
        if not isinstance(value, ast.Call):
            return
        try:
            if py.last(value) == "Table":
                name = py.text(value.args[0] if value.args else None, f.env)
                variable = _assigned_name(statement) or name
                draft = self.draft(name, f, statement, variable)
                for arg in value.args[2:]:
                    if isinstance(arg, ast.Call) and py.last(arg) == "Column":
                        self.column(draft, f, arg, arg, None, None)
                    elif isinstance(arg, ast.Call):
                        self.table_arg(draft, f, arg)
                self.finish(draft)
                drafts[name] = draft
            elif py.last(value) == "Index":
                target = self.index_target(value, f)
                if target is not None and target in drafts:
                    self.index(drafts[target], f, value)
        except NotUnderstood as exc:
            self.problems.append(problem(f.path, statement, f"not read: {exc}"))

    def index_target(self, call: ast.Call, f: PyFile) -> str | None:
        """The table of a module-level ``Index("ix", Model.column)`` (its first column's model)."""
        for arg in call.args[1:]:
            if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
                return self.tables.get(arg.value.id)
        return None

    def draft(self, table: str, f: PyFile, node: ast.AST, model: str) -> TableDraft:
        return TableDraft(
            name=table,
            engine=self.engine,
            location=location(f.path, node),
            attrs={"orm": ORM, "orm_model": model},
            schema=self.schema,
        )

    def model_table(self, cls: _Class, table: str) -> TableDraft:
        draft = self.draft(table, cls.file, cls.node, cls.name)
        for owner, statement in self.body(cls):
            self.attribute(draft, owner, statement)
        args = cls.attrs.get("__table_args__")
        if args is not None:
            node = py.resolve(args, cls.file.env)
            items = node.elts if isinstance(node, ast.Tuple | ast.List) else []
            for item in items:
                if isinstance(item, ast.Call):
                    self.table_arg(draft, cls.file, item)
        self.finish(draft)
        return draft

    def finish(self, draft: TableDraft) -> None:
        """The primary key from ``primary_key=True`` columns, then SQLAlchemy's autoincrement."""
        if draft.primary_key is None:
            pk = [c.name for c in draft.columns if c.attrs.get("orm_primary_key")]
            if pk:
                first = draft.column(pk[0])
                draft.primary_key = PrimaryKey(tuple(pk), None, first.location if first else draft.location)
        self.autoincrement(draft)

    def attribute(self, draft: TableDraft, cls: _Class, statement: ast.stmt) -> None:
        name = _assigned_name(statement)
        if name is None or name.startswith("__"):
            return
        value = statement.value if isinstance(statement, ast.Assign | ast.AnnAssign) else None
        annotation = statement.annotation if isinstance(statement, ast.AnnAssign) else None
        if isinstance(value, ast.Call) and py.last(value) in ("deferred", "column_property") and value.args:
            inner = value.args[0]
            value = inner if isinstance(inner, ast.Call) and py.last(inner) in _COLUMN_CALLS else value
        try:
            mapped = self.mapped(annotation, cls.file.env)
            if isinstance(value, ast.Call) and py.last(value) in _COLUMN_CALLS:
                self.column(draft, cls.file, value, statement, name, mapped)
            elif value is None and mapped is not None and not self.is_relationship(mapped[0]):
                self.column(draft, cls.file, None, statement, name, mapped)
        except (NotUnderstood, SyntaxError) as exc:
            self.problems.append(problem(cls.file.path, statement, f"column {name} not read: {exc}"))

    # annotations --------------------------------------------------------------------------------
    def mapped(
        self, annotation: ast.expr | None, env: py.Env
    ) -> tuple[ast.expr, bool, ast.Call | None] | None:
        """(inner type, nullable, mapped_column of an Annotated alias) of ``Mapped[...]``."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            annotation = ast.parse(annotation.value, mode="eval").body
        if not (isinstance(annotation, ast.Subscript) and py.last(annotation.value) == "Mapped"):
            return None
        inner, nullable = _optional(annotation.slice)
        extra = None
        alias = py.resolve(inner, env)
        if isinstance(alias, ast.Subscript) and py.last(alias.value) == "Annotated":
            parts = alias.slice.elts if isinstance(alias.slice, ast.Tuple) else [alias.slice]
            inner, more_nullable = _optional(parts[0])
            nullable = nullable or more_nullable
            extra = next(
                (p for p in parts[1:] if isinstance(p, ast.Call) and py.last(p) in _COLUMN_CALLS), None
            )
        return inner, nullable, extra

    def is_relationship(self, inner: ast.expr) -> bool:
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
            return True  # a forward reference to a model class
        if isinstance(inner, ast.Subscript):
            return True  # list["Child"], set[Child]
        return py.last(inner) in self.tables

    # columns ------------------------------------------------------------------------------------
    def column(
        self,
        draft: TableDraft,
        f: PyFile,
        call: ast.Call | None,
        where: ast.AST,
        attribute: str | None,
        mapped: tuple[ast.expr, bool, ast.Call | None] | None,
    ) -> None:
        env = f.env
        calls = [c for c in (mapped[2] if mapped else None, call) if c is not None]
        kw: dict[str, ast.expr] = {}
        args: list[ast.expr] = []
        for c in calls:
            kw.update(py.kwargs(c))
            args.extend(c.args)
        name = attribute
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
            name, args = args[0].value, args[1:]
        name = py.value(kw["name"], env) if "name" in kw else name
        if not isinstance(name, str):
            raise NotUnderstood("a column without a literal name")
        type_node = kw.get("type_")
        foreign: list[ast.Call] = []
        identity = None
        for arg in args:
            kind = py.last(arg) if isinstance(arg, ast.Call) else ""
            if kind == "ForeignKey" and isinstance(arg, ast.Call):
                foreign.append(arg)
            elif kind == "Identity" and isinstance(arg, ast.Call):
                identity = "always" if py.value(py.kwargs(arg).get("always"), env) else "by default"
            elif kind in ("Sequence", "Computed", "FetchedValue"):
                continue
            elif type_node is None:
                type_node = arg
        primary = bool(self.option(kw, "primary_key", env))
        if type_node is not None:
            raw, enum = self.sql_type(type_node, env, name, where, f)
        elif mapped is not None:
            raw, enum = self.annotation_type(mapped[0], env, name, where, f)
        elif foreign:
            raw, enum = self.referenced_type(foreign[0], env), None
        else:
            raise NotUnderstood(f"column {name} has no type")
        nullable_option = self.option(kw, "nullable", env)
        if nullable_option is not None:
            nullable = bool(nullable_option)
        elif mapped is not None and call is not None and py.last(call) == "mapped_column":
            nullable = mapped[1] and not primary
        elif mapped is not None and call is None:
            nullable = mapped[1] and not primary
        else:
            nullable = not primary
        norm = normalize_type(raw, self.engine)
        attrs: dict[str, Any] = {"orm_field": attribute or name}
        if primary:
            attrs["orm_primary_key"] = True
        if "default" in kw:
            attrs["orm_default"] = ast.unparse(kw["default"])
        if self.option(kw, "autoincrement", env) is False:
            attrs["orm_autoincrement"] = False
        if foreign:
            attrs["orm_references"] = True
        column = Column(
            name=name,
            raw_type=raw,
            kind=TypeKind.ENUM if enum is not None else norm.kind,
            nullable=nullable,
            default=self.server_default(kw.get("server_default"), env),
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            identity=identity,
            enum_values=enum.values if enum is not None else norm.enum_values,
            comment=self.option(kw, "comment", env),
            location=location(f.path, where),
            attrs=MappingProxyType(attrs),
        )
        draft.columns.append(column)
        here = location(f.path, where)
        unique = bool(self.option(kw, "unique", env))
        if self.option(kw, "index", env):
            draft.indexes.append(
                Index(f"ix_{draft.name}_{name}", (IndexKey(column=name),), unique=unique, location=here)
            )
        elif unique:
            draft.add_unique((name,), None, here)
        for fk in foreign:
            self.foreign_key(draft, f, fk, (name,), [fk.args[0]] if fk.args else [], here)

    def option(self, kw: dict[str, ast.expr], key: str, env: py.Env) -> Any:
        if key not in kw:
            return None
        try:
            return py.value(kw[key], env)
        except NotUnderstood:
            return None

    def server_default(self, node: ast.expr | None, env: py.Env) -> str | None:
        if node is None:
            return None
        node = py.resolve(node, env)
        if isinstance(node, ast.Constant) and node.value is not None:
            return literal(node.value) if isinstance(node.value, str) else str(node.value)
        if isinstance(node, ast.Call):
            if py.last(node) in ("text", "literal_column") and node.args:
                return py.text(node.args[0], env)
            name = py.dotted(node.func)
            if ".func." in f".{name}" or name.startswith("func."):
                return f"{name.rpartition('.')[2]}()"
        return ast.unparse(node)

    def annotation_type(
        self, inner: ast.expr, env: py.Env, column: str, where: ast.AST, f: PyFile
    ) -> tuple[str, EnumType | None]:
        name = py.last(inner)
        if self.is_enum(name):
            return self.enum_type(name.lower(), self.enum_members(name), where, f, column)
        if name in _ANNOTATIONS:
            return self.sql_type(ast.Name(_ANNOTATIONS[name]), env, column, where, f)
        raise NotUnderstood(f"Mapped[{ast.unparse(inner)}] is not in SQLAlchemy's default type map")

    def referenced_type(self, fk: ast.Call, env: py.Env) -> str:
        """A ``Column(ForeignKey(...))`` without a type takes the referenced column's type."""
        table, _, column = self.reference(fk.args[0], env).rpartition(".")
        for cls_name, name in self.tables.items():
            if name == table.rpartition(".")[2]:
                for owner, statement in self.body(self.classes[cls_name]):
                    if _assigned_name(statement) == column and isinstance(
                        statement, ast.Assign | ast.AnnAssign
                    ):
                        value = statement.value
                        if (
                            isinstance(value, ast.Call)
                            and value.args
                            and not isinstance(value.args[0], ast.Constant)
                        ):
                            return self.sql_type(
                                value.args[0], owner.file.env, column, statement, owner.file
                            )[0]
        return _SIMPLE["integer"][_ENGINE_COLUMN[self.engine]]

    def sql_type(
        self, node: ast.expr, env: py.Env, column: str, where: ast.AST, f: PyFile
    ) -> tuple[str, EnumType | None]:
        """The column type SQLAlchemy creates for type ``node`` on this engine (and its enum type)."""
        node = py.resolve(node, env)
        call = node if isinstance(node, ast.Call) else None
        name = py.last(node)
        lower = name.lower()
        args = call.args if call else []
        kw = py.kwargs(call) if call else {}
        engine = self.engine
        pg, my = engine is Engine.POSTGRES, engine is Engine.MYSQL
        if name in self.classes and "impl" in self.classes[name].attrs:  # a TypeDecorator
            decorator = self.classes[name]
            return self.sql_type(decorator.attrs["impl"], decorator.file.env, column, where, f)
        if call and lower in ("with_variant", "evaluates_none") and isinstance(call.func, ast.Attribute):
            return self.sql_type(call.func.value, env, column, where, f)
        if lower in _SIMPLE:
            return _SIMPLE[lower][_ENGINE_COLUMN[engine]], None
        if lower in _VARCHAR or lower in ("char", "nchar"):
            length = py.value(args[0] if args else kw.get("length"), env)
            base = "char" if lower in ("char", "nchar") else "varchar"
            text = f"{base}({length})" if length else base
            return (text.upper() if engine is Engine.SQLITE else text), None
        if lower in ("numeric", "decimal"):
            precision = py.value(args[0] if args else kw.get("precision"), env)
            scale = py.value(args[1] if len(args) > 1 else kw.get("scale"), env)
            if precision is None:
                return "numeric", None
            return (f"numeric({precision}, {scale})" if scale is not None else f"numeric({precision})"), None
        if lower in ("datetime", "timestamp", "time"):
            zone = py.value(args[0] if args else kw.get("timezone"), env)
            if pg:
                base = "time" if lower == "time" else "timestamp"
                return f"{base} with{'' if zone else 'out'} time zone", None
            return (lower if my else lower.upper()), None
        if lower == "array" and args:
            item, _ = self.sql_type(args[0], env, column, where, f)
            return (f"{item}[]" if pg else "json"), None
        if lower == "enum":
            return self.enum_call(node, env, column, where, f)
        if not lower:
            raise NotUnderstood(f"type {ast.unparse(node)[:40]}")
        spelled = [str(py.value(a, env)) for a in args]
        return lower + (f"({', '.join(spelled)})" if spelled else ""), None

    def enum_call(
        self, node: ast.expr, env: py.Env, column: str, where: ast.AST, f: PyFile
    ) -> tuple[str, EnumType | None]:
        call = node if isinstance(node, ast.Call) else None
        args = call.args if call else []
        kw = py.kwargs(call) if call else {}
        name = py.value(kw.get("name"), env)
        if args and not isinstance(py.resolve(args[0], env), ast.Constant):
            cls = py.last(args[0])
            labels = self.enum_members(cls) if self.is_enum(cls) else ()
            name = name or cls.lower()  # SQLAlchemy names the type after the class, stores member names
        else:
            labels = tuple(str(py.value(a, env)) for a in args)
        if py.value(kw.get("native_enum"), env) is False:
            length = py.value(kw.get("length"), env) or max((len(v) for v in labels), default=1)
            return f"varchar({length})", None
        return self.enum_type(str(name or column), labels, where, f, column)

    def enum_type(
        self, name: str, labels: tuple[str, ...], where: ast.AST, f: PyFile, column: str
    ) -> tuple[str, EnumType | None]:
        enum = EnumType(name, labels, self.schema, location(f.path, where))
        if self.engine is Engine.POSTGRES:
            self.enums.setdefault(name, enum)
            return name, enum
        if self.engine is Engine.MYSQL:
            return "enum(" + ",".join(literal(v) for v in labels) + ")", None
        return f"VARCHAR({max((len(v) for v in labels), default=1)})", None

    # keys ---------------------------------------------------------------------------------------
    def reference(self, node: ast.expr, env: py.Env) -> str:
        """``table.column`` of a ForeignKey target: ``"users.id"`` or ``User.id``."""
        node = py.resolve(node, env)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            table = self.tables.get(node.value.id)
            if table is None:
                raise NotUnderstood(f"foreign key to unknown model {node.value.id}")
            return f"{table}.{self.column_of(node.value.id, node.attr)}"
        return py.text(node, env)

    def column_of(self, cls_name: str, attribute: str) -> str:
        """The database name of a model attribute (``mapped_column("db_name", ...)``)."""
        for _, statement in self.body(self.classes[cls_name]):
            if _assigned_name(statement) == attribute and isinstance(statement, ast.Assign | ast.AnnAssign):
                value = statement.value
                if isinstance(value, ast.Call) and value.args and isinstance(value.args[0], ast.Constant):
                    if isinstance(value.args[0].value, str):
                        return value.args[0].value
        return attribute

    def foreign_key(
        self,
        draft: TableDraft,
        f: PyFile,
        call: ast.Call,
        columns: tuple[str, ...],
        targets: list[ast.expr],
        here: Location,
    ) -> None:
        kw = py.kwargs(call)
        refs = [self.reference(t, f.env) for t in targets]
        tables = {r.rpartition(".")[0] for r in refs}
        if len(tables) != 1 or len(refs) != len(columns):
            raise NotUnderstood("a foreign key needs one target column per column, all in one table")
        schema, _, table = tables.pop().rpartition(".")
        on_delete = str(self.option(kw, "ondelete", f.env) or "NO ACTION").upper()
        on_update = str(self.option(kw, "onupdate", f.env) or "NO ACTION").upper()
        draft.foreign_keys.append(
            ForeignKey(
                columns=columns,
                ref_table=table,
                ref_columns=tuple(r.rpartition(".")[2] for r in refs),
                ref_schema=schema or self.schema,
                name=self.option(kw, "name", f.env) or draft.fk_name(columns),
                on_delete=on_delete if on_delete in _ACTIONS else "NO ACTION",
                on_update=on_update if on_update in _ACTIONS else "NO ACTION",
                deferrable=bool(self.option(kw, "deferrable", f.env)),
                initially_deferred=str(self.option(kw, "initially", f.env) or "").upper() == "DEFERRED",
                location=here,
                attrs=MappingProxyType({"orm_field": columns[0]}),
            )
        )

    def table_arg(self, draft: TableDraft, f: PyFile, call: ast.Call) -> None:
        kind = py.last(call)
        kw = py.kwargs(call)
        here = location(f.path, call)
        name = self.option(kw, "name", f.env)
        if kind == "Index":
            self.index(draft, f, call)
        elif kind == "UniqueConstraint":
            draft.add_unique(tuple(self.names(call.args, f)), name, here)
        elif kind == "PrimaryKeyConstraint":
            draft.primary_key = PrimaryKey(tuple(self.names(call.args, f)), name, here)
        elif kind == "ForeignKeyConstraint":
            local = py.strings(py.argument(call, 0, "columns"), f.env)
            remote_node = py.resolve(py.argument(call, 1, "refcolumns") or call, f.env)
            remote = remote_node.elts if isinstance(remote_node, ast.List | ast.Tuple) else []
            self.foreign_key(draft, f, call, tuple(local), list(remote), here)
        elif kind == "CheckConstraint":
            text = py.text(py.argument(call, 0, "sqltext"), f.env)
            draft.checks.append(CheckConstraint(text, name, location=here))

    def names(self, nodes: list[ast.expr], f: PyFile) -> Iterator[str]:
        for node in nodes:
            node = py.resolve(node, f.env)
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in self.classes
            ):
                yield self.column_of(node.value.id, node.attr)
            else:
                yield py.text(node, f.env)

    def index(self, draft: TableDraft, f: PyFile, call: ast.Call) -> None:
        kw = py.kwargs(call)
        name = py.text(call.args[0] if call.args else kw.get("name"), f.env)
        keys = []
        for node in call.args[1:]:
            node = py.resolve(node, f.env)
            descending = isinstance(node, ast.Call) and py.last(node) == "desc"
            if descending and isinstance(node, ast.Call):
                node = node.func.value if isinstance(node.func, ast.Attribute) else node
            if isinstance(node, ast.Call) and py.last(node) == "text" and node.args:
                keys.append(IndexKey(expression=py.text(node.args[0], f.env)))
            else:
                keys.append(IndexKey(column=next(self.names([node], f)), descending=descending))
        where = kw.get(f"{self.dialect()}_where")
        method = self.option(kw, f"{self.dialect()}_using", f.env)
        include = self.option(kw, f"{self.dialect()}_include", f.env) or []
        draft.indexes.append(
            Index(
                name=name,
                keys=tuple(keys),
                unique=bool(self.option(kw, "unique", f.env)),
                method=str(method or "btree"),
                where=self.server_default(where, f.env) if where is not None else None,
                include=tuple(include),
                location=location(f.path, call),
            )
        )

    def dialect(self) -> str:
        return {Engine.POSTGRES: "postgresql", Engine.MYSQL: "mysql"}.get(self.engine, "sqlite")

    def autoincrement(self, draft: TableDraft) -> None:
        """SQLAlchemy makes a lone integer primary key without a foreign key auto-incrementing."""
        key = draft.primary_key
        if key is None or len(key.columns) != 1:
            return
        column = draft.column(key.columns[0])
        if (
            column is None
            or column.kind not in (TypeKind.INTEGER, TypeKind.BIGINT, TypeKind.SMALLINT)
            or column.identity
            or column.attrs.get("orm_references")
            or column.attrs.get("orm_autoincrement") is False
        ):
            return
        changed = replace(column, autoincrement=True, nullable=False)
        if self.engine is Engine.POSTGRES:
            serial = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}[column.raw_type]
            sequence = f"{draft.name}_{column.name}_seq"
            changed = replace(changed, raw_type=serial, default=f"nextval('{sequence}'::regclass)")
        draft.columns = [changed if c is column else c for c in draft.columns]


def _optional(node: ast.expr) -> tuple[ast.expr, bool]:
    """(X, True) for ``Optional[X]``, ``X | None`` and ``Union[X, None]``; (node, False) otherwise."""
    if isinstance(node, ast.Subscript) and py.last(node.value) == "Optional":
        return node.slice, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        for this, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(other, ast.Constant) and other.value is None:
                return this, True
    if (
        isinstance(node, ast.Subscript)
        and py.last(node.value) == "Union"
        and isinstance(node.slice, ast.Tuple)
    ):
        items = [e for e in node.slice.elts if not (isinstance(e, ast.Constant) and e.value is None)]
        if len(items) == 1:
            return items[0], len(items) < len(node.slice.elts)
    return node, False
