"""Django models (``<app>/models.py``, ``<app>/models/*.py``) -> the catalog ``migrate`` would create.

Read with the stdlib ``ast``, never imported. Tables are ``<app_label>_<model>`` (the app label is
the app folder unless ``Meta.app_label``; ``Meta.db_table`` wins); a model without a primary key
gets ``id`` of ``DEFAULT_AUTO_FIELD`` (``apps.py`` ``default_auto_field``, else ``settings.py``,
else ``AutoField``). A ForeignKey is a ``<name>_id`` column with a constraint and, unlike
SQLAlchemy, an index (unless ``db_index=False``); OneToOneField is unique; a ManyToManyField
without ``through`` is a ``<table>_<field>`` junction table. ``Meta.indexes``, ``constraints``,
``unique_together`` and ``index_together`` are read; abstract parents' fields are copied and
multi-table inheritance adds the ``<parent>_ptr`` key. Proxy and unmanaged models have no table.
Types are those of the backend named by ``DATABASES`` in the settings (PostgreSQL otherwise).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dbexpert.model import (
    Catalog,
    CheckConstraint,
    Column,
    Engine,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
)
from dbexpert.model.types import normalize_type
from dbexpert.sources._django_fields import AUTO, RELATIONS, VARCHAR, column_type, index_name, q_condition
from dbexpert.sources.engine_rules import DEFAULT_SCHEMA
from dbexpert.sources.migrations import _pyast as py
from dbexpert.sources.migrations._code import NotUnderstood, literal
from dbexpert.sources.orm import OrmSchema, source_files
from dbexpert.sources.orm._python import (
    PyFile,
    TableDraft,
    class_bases,
    inner_class,
    location,
    problem,
    read_python,
)

ORM = "django"

_BACKEND = re.compile(
    r"django(?:\.contrib\.gis)?\.db\.backends\.(postgresql\w*|postgis|mysql|sqlite3|spatialite)"
)
_BACKENDS = {"mysql": Engine.MYSQL, "sqlite3": Engine.SQLITE, "spatialite": Engine.SQLITE}
_AUTO_FIELD = re.compile(r"""(?:DEFAULT_AUTO_FIELD|default_auto_field)\s*=\s*["'][\w.]*?(\w+)["']""")
_PATTERN_OPS = {"varchar": "varchar_pattern_ops", "text": "text_pattern_ops"}
def find(target: Path) -> list[Path]:
    """``models.py`` files and ``models/`` packages defining Django models, with settings and apps.py."""
    files = source_files(target, (".py",))
    models = [p for p in files if _is_models_file(p) and _defines_models(p)]
    if not models:
        return []
    config = [p for p in files if p.name in ("settings.py", "apps.py") or p.parent.name == "settings"]
    return models + [p for p in config if p not in models]


def _is_models_file(path: Path) -> bool:
    return path.name == "models.py" or path.parent.name == "models"


def _defines_models(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "django" in text and "class " in text


def load(files: list[Path]) -> OrmSchema:
    parsed: list[PyFile] = []
    problems: list[str] = []
    for path in files:
        found, trouble = read_python(path)
        if found is not None:
            parsed.append(found)
        if trouble is not None:
            problems.append(trouble)
    builder = _Builder(parsed)
    catalog = builder.catalog()
    return OrmSchema(catalog, ORM, tuple(files), (*problems, *builder.problems))


@dataclass
class _Model:
    file: PyFile
    node: ast.ClassDef
    app: str
    meta: dict[str, ast.expr]

    @property
    def name(self) -> str:
        return self.node.name

    def option(self, key: str, default: Any = None) -> Any:
        if key not in self.meta:
            return default
        try:
            return py.value(self.meta[key], self.file.env)
        except NotUnderstood:
            return default


def _app_label(path: Path) -> str:
    return path.parent.parent.name if path.parent.name == "models" else path.parent.name


class _Builder:
    def __init__(self, files: list[PyFile]) -> None:
        self.problems: list[str] = []
        settings = [f for f in files if not _is_models_file(f.path)]
        self.files = [f for f in files if _is_models_file(f.path)]
        self.engine = self.backend(settings)
        self.schema = DEFAULT_SCHEMA.get(self.engine)
        self.auto_fields = self.default_auto_fields(settings)
        self.models: dict[str, _Model] = {}
        for f in self.files:
            for node in f.tree.body:
                if isinstance(node, ast.ClassDef):
                    meta: dict[str, ast.expr] = {}
                    found = inner_class(node, "Meta")
                    if found is not None:
                        py.bind(found.body, meta)
                    self.models[node.name] = _Model(f, node, _app_label(f.path), meta)
        self.concrete = {name: m for name, m in self.models.items() if self.has_table(m)}

    def backend(self, settings: list[PyFile]) -> Engine:
        for f in settings:
            match = _BACKEND.search(f.text)
            if match:
                return _BACKENDS.get(match.group(1), Engine.POSTGRES)
        return Engine.POSTGRES

    def default_auto_fields(self, settings: list[PyFile]) -> dict[str, str]:
        """App label (``""`` for the project) -> the auto field class a model without a key gets."""
        found: dict[str, str] = {}
        for f in settings:
            match = _AUTO_FIELD.search(f.text)
            if match:
                found["" if f.path.name != "apps.py" else f.path.parent.name] = match.group(1)
        return found

    # models -------------------------------------------------------------------------------------
    def is_model(self, model: _Model, depth: int = 0) -> bool:
        for base in model.node.bases:
            if py.dotted(base) in ("models.Model", "Model", "django.db.models.Model"):
                return True
            parent = self.models.get(py.last(base))
            if parent is not None and parent is not model and depth < 10 and self.is_model(parent, depth + 1):
                return True
        return False

    def has_table(self, model: _Model) -> bool:
        if not self.is_model(model):
            return False
        return not (
            model.option("abstract") or model.option("proxy") or model.option("managed", True) is False
        )

    def parents(self, model: _Model) -> list[_Model]:
        return [self.models[b] for b in class_bases(model.node) if b in self.models and b != model.name]

    def table_name(self, model: _Model) -> str:
        app = model.option("app_label") or model.app
        return str(model.option("db_table") or f"{app}_{model.name.lower()}")

    def fields(self, model: _Model, depth: int = 0) -> list[tuple[_Model, str, ast.Call]]:
        """(owner, name, field call) of ``model``, abstract parents' fields first."""
        found: list[tuple[_Model, str, ast.Call]] = []
        for parent in self.parents(model):
            if parent.option("abstract") and depth < 10:
                found.extend(self.fields(parent, depth + 1))
        for statement in model.node.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
                if (
                    isinstance(target, ast.Name)
                    and isinstance(value, ast.Call)
                    and py.last(value).endswith("Field")
                ):
                    found = [item for item in found if item[1] != target.id]
                    found.append((model, target.id, value))
                elif (
                    isinstance(target, ast.Name)
                    and isinstance(value, ast.Call)
                    and py.last(value) in RELATIONS
                ):
                    found = [item for item in found if item[1] != target.id]
                    found.append((model, target.id, value))
        return found

    def pk_type(self, model: _Model) -> str:
        """The column type of ``model``'s primary key, as a foreign key to it is typed."""
        for _, _name, call in self.fields(model):
            if self.value(call, "primary_key", model):
                kind = py.last(call)
                if kind in RELATIONS:
                    return self.pk_type(self.target(call, model) or model)
                return self.key_type(kind, call, model)
        concrete_parent = next((p for p in self.parents(model) if p.name in self.concrete), None)
        if concrete_parent is not None:
            return self.pk_type(concrete_parent)
        return self.key_type(self.auto_field(model), None, model)

    def key_type(self, kind: str, call: ast.Call | None, model: _Model) -> str:
        raw = (
            self.sql_type(kind, call, model)
            if call is not None
            else column_type(kind, self.engine) or "bigint"
        )
        return {"serial": "integer", "bigserial": "bigint"}.get(raw, raw)

    def auto_field(self, model: _Model) -> str:
        return self.auto_fields.get(model.app) or self.auto_fields.get("") or "AutoField"

    def target(self, call: ast.Call, model: _Model) -> _Model | None:
        node = call.args[0] if call.args else py.kwargs(call).get("to")
        if node is None:
            return None
        if py.dotted(node).endswith("AUTH_USER_MODEL"):
            return None
        name = py.last(node) if not isinstance(node, ast.Constant) else str(node.value).rpartition(".")[2]
        return model if name == "self" else self.models.get(name)

    def target_table(self, call: ast.Call, model: _Model) -> tuple[str, str, _Model | None]:
        """(table, model name lower-cased, model) a relation points at."""
        node = call.args[0] if call.args else py.kwargs(call).get("to")
        if node is not None and py.dotted(node).endswith("AUTH_USER_MODEL"):
            return "auth_user", "user", None
        found = self.target(call, model)
        if found is None:
            text = py.text(node, model.file.env) if node is not None else "?"
            app, _, name = text.rpartition(".")
            return f"{(app or model.app).lower()}_{name.lower()}", name.lower(), None
        return self.table_name(found), found.name.lower(), found

    def value(self, call: ast.Call, key: str, model: _Model, default: Any = None) -> Any:
        kw = py.kwargs(call)
        if key not in kw:
            return default
        try:
            return py.value(kw[key], model.file.env)
        except NotUnderstood:
            return default

    # catalog --------------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        drafts: list[TableDraft] = []
        for model in self.concrete.values():
            try:
                drafts.extend(self.model_tables(model))
            except NotUnderstood as exc:
                self.problems.append(
                    problem(model.file.path, model.node, f"model {model.name} not read: {exc}")
                )
        return Catalog(
            engine=self.engine,
            tables=tuple(d.table() for d in drafts),
            default_schema=self.schema,
            attrs=MappingProxyType(
                {"orm": ORM, "source_path": str(self.files[0].path) if self.files else ""}
            ),
        )

    def model_tables(self, model: _Model) -> list[TableDraft]:
        table = self.table_name(model)
        draft = TableDraft(
            name=table,
            engine=self.engine,
            location=location(model.file.path, model.node),
            attrs={"orm": ORM, "orm_model": model.name},
            schema=self.schema,
        )
        fields = self.fields(model)
        extra: list[TableDraft] = []
        parent = next((p for p in self.parents(model) if p.name in self.concrete), None)
        if parent is not None:  # multi-table inheritance: a OneToOne key to the parent's table
            name = f"{parent.name.lower()}_ptr"
            ptr = ast.Call(ast.Name("OneToOneField"), [ast.Constant(parent.name)], [
                ast.keyword("primary_key", ast.Constant(True)), ast.keyword("parent_link", ast.Constant(True))
            ])  # fmt: skip
            ast.copy_location(ptr, model.node)
            fields.insert(0, (model, name, ptr))
        elif not any(self.value(call, "primary_key", owner) for owner, _, call in fields):
            auto = ast.copy_location(ast.Call(ast.Name(self.auto_field(model)), [], [
                ast.keyword("primary_key", ast.Constant(True))
            ]), model.node)  # fmt: skip
            fields.insert(0, (model, "id", auto))
        for owner, name, call in fields:
            try:
                junction = self.field(draft, owner, name, call)
            except NotUnderstood as exc:
                self.problems.append(problem(owner.file.path, call, f"field {name} not read: {exc}"))
                continue
            if junction is not None:
                extra.append(junction)
        self.meta(draft, model)
        return [draft, *extra]

    def sql_type(self, kind: str, call: ast.Call, model: _Model) -> str:
        if kind in VARCHAR:
            length = self.value(call, "max_length", model, VARCHAR[kind])
            return f"varchar({length})" if length else "varchar"
        if kind == "DecimalField":
            digits, places = self.value(call, "max_digits", model), self.value(call, "decimal_places", model)
            return f"numeric({digits}, {places})" if self.engine is not Engine.SQLITE else "decimal"
        found = column_type(kind, self.engine)
        if found is None:
            raise NotUnderstood(f"field type {kind}")
        return found

    def field(self, draft: TableDraft, model: _Model, name: str, call: ast.Call) -> TableDraft | None:
        """Add the column of one field; a ManyToManyField returns its junction table instead."""
        kind = py.last(call)
        here = location(model.file.path, call)
        primary = bool(self.value(call, "primary_key", model))
        unique = bool(self.value(call, "unique", model)) or kind == "OneToOneField"
        attrs: dict[str, Any] = {"orm_field": name}
        if kind == "ManyToManyField":
            if "through" in py.kwargs(call):
                return None  # the through model holds the columns
            return self.junction(draft, model, name, call)
        if kind in RELATIONS:
            ref_table, _, target = self.target_table(call, model)
            raw = (
                self.pk_type(target)
                if target is not None
                else ("integer" if ref_table == "auth_user" else "bigint")
            )
            column = self.value(call, "db_column", model) or f"{name}_id"
            attrs["orm_on_delete"] = ast.unparse(py.kwargs(call).get("on_delete") or ast.Constant(None))
        else:
            raw = self.sql_type(kind, call, model)
            column = self.value(call, "db_column", model) or name
        norm = normalize_type(raw, self.engine)
        default = self.value(call, "db_default", model)
        if "default" in py.kwargs(call):
            attrs["orm_default"] = ast.unparse(py.kwargs(call)["default"])
        if "choices" in py.kwargs(call):
            attrs["orm_choices"] = ast.unparse(py.kwargs(call)["choices"])[:200]
        auto = kind in AUTO
        draft.columns.append(
            Column(
                name=column,
                raw_type=raw,
                kind=norm.kind,
                nullable=bool(self.value(call, "null", model)) and not primary,
                default=literal(default) if default is not None else None,
                length=norm.length,
                precision=norm.precision,
                scale=norm.scale,
                identity="by default" if auto and self.engine is Engine.POSTGRES else None,
                autoincrement=auto and self.engine is not Engine.POSTGRES,
                location=here,
                attrs=MappingProxyType(attrs),
            )
        )
        if primary:
            draft.primary_key = PrimaryKey((column,), None, here)
        elif unique:
            draft.add_unique((column,), None, here)
        elif (
            kind in RELATIONS
            and self.value(call, "db_index", model, True)
            and self.engine is not Engine.MYSQL
        ):
            draft.indexes.append(
                Index(index_name(draft.name, [column]), (IndexKey(column=column),), location=here)
            )
        elif self.value(call, "db_index", model, kind == "SlugField"):
            draft.indexes.append(
                Index(index_name(draft.name, [column]), (IndexKey(column=column),), location=here)
            )
        ops = _PATTERN_OPS.get(raw.partition("(")[0])
        indexed = unique or self.value(call, "db_index", model, kind == "SlugField")
        if self.engine is Engine.POSTGRES and ops and indexed and not primary:
            draft.indexes.append(
                Index(
                    index_name(draft.name, [column], "_like"),
                    (IndexKey(column=column, opclass=ops),),
                    location=here,
                )
            )
        if kind in RELATIONS and self.value(call, "db_constraint", model, True):
            ref_table, _, target = self.target_table(call, model)
            ref_column = "id"
            if target is not None:
                ref_column = self.pk_column(target)
            draft.foreign_keys.append(
                ForeignKey(
                    columns=(column,),
                    ref_table=ref_table,
                    ref_columns=(ref_column,),
                    ref_schema=self.schema,
                    name=index_name(draft.name, [column], f"_fk_{ref_table}_{ref_column}"),
                    # Django cascades in Python (one DELETE per related model): the constraint is NO ACTION
                    on_delete="NO ACTION",
                    deferrable=self.engine is Engine.POSTGRES,
                    initially_deferred=self.engine is Engine.POSTGRES,
                    location=here,
                    attrs=MappingProxyType({"orm_field": name, "orm_on_delete": attrs["orm_on_delete"]}),
                )
            )
        return None

    def pk_column(self, model: _Model) -> str:
        for owner, name, call in self.fields(model):
            if self.value(call, "primary_key", owner):
                return self.value(call, "db_column", owner) or (
                    f"{name}_id" if py.last(call) in RELATIONS else name
                )
        parent = next((p for p in self.parents(model) if p.name in self.concrete), None)
        return f"{parent.name.lower()}_ptr_id" if parent is not None else "id"

    def junction(self, draft: TableDraft, model: _Model, name: str, call: ast.Call) -> TableDraft:
        ref_table, target_name, target = self.target_table(call, model)
        own = model.name.lower()
        same = target is model
        source = f"from_{own}_id" if same else f"{own}_id"
        other = f"to_{target_name}_id" if same else f"{target_name}_id"
        table = str(self.value(call, "db_table", model) or f"{draft.name}_{name}")
        here = location(model.file.path, call)
        junction = TableDraft(
            name=table,
            engine=self.engine,
            location=here,
            attrs={"orm": ORM, "orm_model": model.name, "orm_junction": name},
            schema=self.schema,
        )
        key = "bigint" if self.auto_field(model) == "BigAutoField" else "integer"
        junction.columns.append(
            Column("id", key, normalize_type(key, self.engine).kind, nullable=False, location=here,
                   identity="by default" if self.engine is Engine.POSTGRES else None,
                   autoincrement=self.engine is not Engine.POSTGRES)
        )  # fmt: skip
        junction.primary_key = PrimaryKey(("id",), None, here)
        targets = ((source, draft.name, self.pk_type(model)), (other, ref_table,
                   self.pk_type(target) if target is not None else "integer"))  # fmt: skip
        for column, _ref, raw in targets:
            junction.columns.append(
                Column(column, raw, normalize_type(raw, self.engine).kind, nullable=False, location=here)
            )
        junction.add_unique((source, other), index_name(table, [source, other], "_uniq"), here)
        for column, ref, _ in targets:
            if self.engine is not Engine.MYSQL:
                junction.indexes.append(
                    Index(index_name(table, [column]), (IndexKey(column=column),), location=here)
                )
            junction.foreign_keys.append(
                ForeignKey((column,), ref, ("id",), self.schema, index_name(table, [column], f"_fk_{ref}_id"),
                           deferrable=self.engine is Engine.POSTGRES,
                           initially_deferred=self.engine is Engine.POSTGRES, location=here)
            )  # fmt: skip
        return junction

    # Meta -----------------------------------------------------------------------------------------
    def meta(self, draft: TableDraft, model: _Model) -> None:
        env = model.file.env
        for key, suffix in (("unique_together", "_uniq"), ("index_together", "_idx")):
            groups = model.option(key) or []
            if groups and all(isinstance(g, str) for g in groups):
                groups = [groups]
            for group in groups:
                columns = tuple(self.column(draft, model, f) for f in group)
                here = location(model.file.path, model.meta[key])
                if suffix == "_uniq":
                    draft.add_unique(columns, index_name(draft.name, columns, suffix), here)
                else:
                    draft.indexes.append(
                        Index(index_name(draft.name, columns, suffix), tuple(IndexKey(column=c) for c in columns),
                              location=here)
                    )  # fmt: skip
        for node in self.elements(model.meta.get("indexes"), env):
            kw = py.kwargs(node)
            keys = []
            for entry in py.strings(kw.get("fields"), env):
                keys.append(
                    IndexKey(column=self.column(draft, model, entry.lstrip("-")), descending=entry[:1] == "-")
                )
            kind = py.last(node)
            method = kind[: -len("Index")].lower() if kind.endswith("Index") and kind != "Index" else "btree"
            draft.indexes.append(
                Index(
                    name=py.text(kw.get("name"), env),
                    keys=tuple(keys),
                    method=method,
                    where=self.q(kw["condition"], draft, model) if "condition" in kw else None,
                    include=tuple(
                        self.column(draft, model, f) for f in py.value(kw.get("include"), env) or []
                    ),
                    location=location(model.file.path, node),
                )
            )
        for node in self.elements(model.meta.get("constraints"), env):
            kw = py.kwargs(node)
            name = py.text(kw.get("name"), env)
            here = location(model.file.path, node)
            if py.last(node) == "CheckConstraint":
                condition = kw.get("condition") or kw.get("check")
                if condition is None:
                    raise NotUnderstood("CheckConstraint without a condition")
                draft.checks.append(CheckConstraint(self.q(condition, draft, model), name, location=here))
            elif py.last(node) == "UniqueConstraint":
                columns = tuple(self.column(draft, model, f) for f in py.strings(kw.get("fields"), env))
                if "condition" in kw:
                    draft.indexes.append(
                        Index(name, tuple(IndexKey(column=c) for c in columns), unique=True,
                              where=self.q(kw["condition"], draft, model), location=here)
                    )  # fmt: skip
                else:
                    draft.add_unique(columns, name, here)

    def elements(self, node: ast.expr | None, env: py.Env) -> list[ast.Call]:
        if node is None:
            return []
        node = py.resolve(node, env)
        items = node.elts if isinstance(node, ast.List | ast.Tuple) else []
        return [item for item in items if isinstance(item, ast.Call)]

    def column(self, draft: TableDraft, model: _Model, field: str) -> str:
        """The column of a field name (``author`` -> ``author_id``) or of a column name."""
        for column in draft.columns:
            if column.attrs.get("orm_field") == field or column.name == field:
                return column.name
        raise NotUnderstood(f"{model.name} has no field {field!r}")

    def q(self, node: ast.expr, draft: TableDraft, model: _Model) -> str:
        """SQL of a ``Q(...)`` condition: field lookups joined by AND, ``&``, ``|``, ``~``."""
        return q_condition(node, model.file.env, lambda name: self.column(draft, model, name))
