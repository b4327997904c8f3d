"""A Prisma schema (``schema.prisma``) -> the catalog the database would have after ``prisma migrate``.

Scalar fields become columns with the SQL type Prisma creates for the provider (``@db.*`` wins),
relation fields become foreign keys from their ``fields``/``references`` (none at all under
``relationMode = "prisma"``), implicit many-to-many relations become Prisma's ``_AToB`` junction
tables. Indexes are exactly those Prisma creates: ids, ``@unique``, ``@@unique``, ``@@index``,
nothing for foreign keys on PostgreSQL or SQLite (MySQL/InnoDB adds one itself). Every object
points at its Prisma source line; ``Catalog.attrs["orm"]`` is ``"prisma"`` so rules can word fixes
in Prisma's own syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
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
    InputError,
    Location,
    PrimaryKey,
    Table,
    TypeKind,
)
from dbexpert.model.types import normalize_type
from dbexpert.sources.engine_rules import DEFAULT_SCHEMA
from dbexpert.sources.orm import OrmSchema, innodb_fk_indexes, source_files
from dbexpert.sources.orm._prisma_syntax import (
    Attribute,
    Block,
    Call,
    Field,
    Name,
    Str,
    Value,
    parse_schema,
)

ORM = "prisma"

_PROVIDERS = {
    "postgresql": Engine.POSTGRES,
    "postgres": Engine.POSTGRES,
    "cockroachdb": Engine.POSTGRES,
    "mysql": Engine.MYSQL,
    "sqlite": Engine.SQLITE,
}

# Prisma scalar -> the column type Prisma creates, per provider (Prisma's "default type mappings").
_SCALARS: dict[str, dict[Engine, str]] = {
    "String": {Engine.POSTGRES: "text", Engine.MYSQL: "varchar(191)", Engine.SQLITE: "TEXT"},
    "Int": {Engine.POSTGRES: "integer", Engine.MYSQL: "int", Engine.SQLITE: "INTEGER"},
    "BigInt": {Engine.POSTGRES: "bigint", Engine.MYSQL: "bigint", Engine.SQLITE: "BIGINT"},
    "Float": {Engine.POSTGRES: "double precision", Engine.MYSQL: "double", Engine.SQLITE: "REAL"},
    "Decimal": {Engine.POSTGRES: "decimal(65,30)", Engine.MYSQL: "decimal(65,30)", Engine.SQLITE: "DECIMAL"},
    "Boolean": {Engine.POSTGRES: "boolean", Engine.MYSQL: "tinyint(1)", Engine.SQLITE: "BOOLEAN"},
    "DateTime": {
        Engine.POSTGRES: "timestamp(3) without time zone",
        Engine.MYSQL: "datetime(3)",
        Engine.SQLITE: "DATETIME",
    },
    "Json": {Engine.POSTGRES: "jsonb", Engine.MYSQL: "json", Engine.SQLITE: "JSONB"},
    "Bytes": {Engine.POSTGRES: "bytea", Engine.MYSQL: "longblob", Engine.SQLITE: "BLOB"},
}

# @db.<Name> spellings that are not simply the lower-cased name followed by its arguments.
_NATIVE: dict[str, str] = {
    "doubleprecision": "double precision",
    "timestamptz": "timestamp{args} with time zone",
    "timetz": "time{args} with time zone",
    "unsignedint": "int unsigned",
    "unsignedbigint": "bigint unsigned",
    "unsignedsmallint": "smallint unsigned",
    "unsignedtinyint": "tinyint unsigned",
    "unsignedmediumint": "mediumint unsigned",
}

_ACTIONS = {
    "Cascade": "CASCADE",
    "SetNull": "SET NULL",
    "SetDefault": "SET DEFAULT",
    "Restrict": "RESTRICT",
    "NoAction": "NO ACTION",
}


def find(target: Path) -> list[Path]:
    """The schema's files: ``target`` itself when it is a ``.prisma`` file; under a folder, the one
    ``schema.prisma``, or a multi-file schema (``prisma/schema/*.prisma``): every ``.prisma`` file of
    the folder, and its subfolders, whose file holds the ``datasource`` block. Else []."""
    if target.is_file():
        return [target] if target.suffix == ".prisma" else []
    if not target.is_dir():
        return []
    files = source_files(target, (".prisma",))
    roots = {p.parent for p in files if _DATASOURCE.search(_read(p) or "")}
    if len(roots) == 1:
        root = roots.pop()
        return [p for p in files if p.is_relative_to(root)]
    single = [p for p in files if p.name == "schema.prisma"]
    return single if len(single) == 1 else []


def load(files: list[Path]) -> OrmSchema:
    texts = []
    for path in files:
        text = _read(path)
        if text is None:
            raise InputError(f"{path}: cannot read it as UTF-8 text")
        texts.append((text, str(path)))
    return OrmSchema(catalog_from_prisma_files(texts), "prisma", tuple(files))


_DATASOURCE = re.compile(r"^\s*datasource\s+\w+\s*\{", re.M)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def catalog_from_prisma(text: str, path: str = "schema.prisma") -> Catalog:
    """The catalog a database created by Prisma from ``text`` has; :class:`InputError` on bad input."""
    return catalog_from_prisma_files([(text, path)])


def catalog_from_prisma_files(texts: Sequence[tuple[str, str]]) -> Catalog:
    """The catalog of a schema spread over several files (``(text, path)`` pairs): Prisma merges their
    blocks into one schema; locations keep each block's own file."""
    blocks = [block for text, path in texts for block in parse_schema(text, path)]
    main = next((path for (text, path) in texts if _DATASOURCE.search(text)), texts[0][1])
    return _Builder(blocks, main).catalog()


def _string(value: Value | None) -> str | None:
    return value.value if isinstance(value, Str) else None


def _name(value: Value | None) -> str | None:
    return value.value if isinstance(value, Name) else None


def _mapped(owner: Block | Field, default: str) -> str:
    """The database name given by ``@map("…")`` / ``@@map("…")``, else ``default``."""
    attribute = owner.attribute("map")
    return (_string(attribute.arg("name", 0)) if attribute else None) or default


def _names(value: Value | None) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v.value if isinstance(v, Name) else v.name for v in value if isinstance(v, Name | Call)]


class _Builder:
    def __init__(self, blocks: Sequence[Block], path: str) -> None:
        self.path = path
        self.blocks = blocks
        self.models = {b.name: b for b in blocks if b.keyword in ("model", "view")}
        self.enums = {b.name: b for b in blocks if b.keyword == "enum"}
        self.composites = {b.name for b in blocks if b.keyword == "type"}
        datasource = next((b for b in blocks if b.keyword == "datasource"), None)
        if datasource is None:
            raise InputError(f"{path}:1:1: no datasource block: cannot tell the database")
        provider = _string(datasource.setting("provider")) or ""
        if provider not in _PROVIDERS:
            raise self.error(
                datasource, f"provider {provider!r} is not supported (postgresql, mysql, sqlite)"
            )
        self.engine = _PROVIDERS[provider]
        mode = _string(datasource.setting("relationMode")) or _string(
            datasource.setting("referentialIntegrity")
        )
        self.relation_mode = mode or "foreignKeys"
        self.default_schema = DEFAULT_SCHEMA.get(self.engine)

    def error(self, where: Block | Field | Attribute, message: str) -> InputError:
        return InputError(f"{where.path or self.path}:{where.line}:{where.column}: {message}")

    def location(self, where: Block | Field | Attribute, obj: str | None = None) -> Location:
        return Location(path=where.path or self.path, line=where.line, column=where.column, object=obj)

    # names ----------------------------------------------------------------------------------
    def table_name(self, model: Block) -> str:
        return _mapped(model, model.name)

    def schema_of(self, model: Block) -> str | None:
        attribute = model.attribute("schema")
        return (_string(attribute.arg("name", 0)) if attribute else None) or self.default_schema

    def column_name(self, model: Block, field_name: str) -> str:
        found = next((f for f in model.fields if f.name == field_name), None)
        if found is None:
            raise self.error(model, f"model {model.name!r} has no field {field_name!r}")
        return _mapped(found, found.name)

    def columns(self, model: Block, attribute: Attribute, fields: Sequence[str]) -> tuple[str, ...]:
        if not fields:
            raise self.error(attribute, f"@@{attribute.name} needs a list of fields")
        return tuple(self.column_name(model, f) for f in fields)

    # catalog --------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        tables = [self.table(m) for m in self.models.values() if m.attribute("ignore") is None]
        tables.extend(self.junction_tables())
        enums = tuple(
            EnumType(
                name=_mapped(b, b.name),
                values=b.values,
                schema=self.default_schema,
                location=self.location(b),
            )
            for b in self.enums.values()
        )
        return Catalog(
            engine=self.engine,
            tables=tuple(tables),
            enums=enums if self.engine is Engine.POSTGRES else (),
            default_schema=self.default_schema,
            attrs=MappingProxyType(
                {"orm": ORM, "relation_mode": self.relation_mode, "source_path": self.path}
            ),
        )

    def table(self, model: Block) -> Table:
        name = self.table_name(model)
        columns = [self.column(model, f) for f in model.fields if self.is_column(f)]
        primary = self.primary_key(model, name)
        if primary is not None:
            columns = [replace(c, nullable=False) if c.name in primary.columns else c for c in columns]
        indexes = self.indexes(model, name, primary)
        foreign_keys = self.foreign_keys(model, name)
        if self.engine is Engine.MYSQL:
            indexes.extend(innodb_fk_indexes(foreign_keys, indexes, unnamed=f"{name}_fk"))
        return Table(
            name=name,
            schema=self.schema_of(model),
            columns=tuple(columns),
            primary_key=primary,
            foreign_keys=tuple(foreign_keys),
            indexes=tuple(indexes),
            kind="view" if model.keyword == "view" else "table",
            location=self.location(model),
            attrs=MappingProxyType({"orm": ORM, "orm_model": model.name}),
        )

    def is_column(self, f: Field) -> bool:
        return f.type not in self.models and f.type not in self.composites

    def column(self, model: Block, f: Field) -> Column:
        raw = self.raw_type(f)
        norm = normalize_type(raw, self.engine)
        default, autoincrement, attrs = self.default(f)
        name = self.column_name(model, f.name)
        if autoincrement and self.engine is Engine.POSTGRES:
            # Prisma creates SERIAL columns (not identity): a sequence named <table>_<column>_seq
            raw = {"integer": "serial", "bigint": "bigserial", "smallint": "smallserial"}.get(raw, raw)
            sequence = f"{self.table_name(model)}_{name}_seq".replace("'", "''")
            default = f"nextval('\"{sequence}\"'::regclass)"
        enum = self.enums.get(f.type)
        kind = (
            TypeKind.ENUM
            if enum is not None and not f.is_list and self.engine is not Engine.SQLITE
            else norm.kind
        )
        attrs["orm_field"] = f.name
        if f.attribute("updatedAt"):
            attrs["orm_updated_at"] = True
        return Column(
            name=name,
            raw_type=raw,
            kind=kind,
            nullable=f.optional,
            default=default,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            autoincrement=autoincrement,
            enum_values=enum.values if enum is not None and not f.is_list else norm.enum_values,
            location=self.location(f),
            attrs=MappingProxyType(attrs),
        )

    def raw_type(self, f: Field) -> str:
        native = next((a for a in f.attributes if a.name.startswith("db.")), None)
        if f.type == "Unsupported":
            raw = _string(f.type_args[0].value) if f.type_args else None
            base = raw or "unsupported"
        elif native is not None:
            base = self.native_type(native)
        elif f.type in self.enums:
            enum = self.enums[f.type]
            if self.engine is Engine.MYSQL:
                base = "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in enum.values) + ")"
            elif self.engine is Engine.SQLITE:
                base = "TEXT"
            else:
                base = _mapped(enum, enum.name)
        elif f.type in _SCALARS:
            base = _SCALARS[f.type][self.engine]
        else:
            raise self.error(f, f"unknown type {f.type!r} of field {f.name!r}")
        return f"{base}[]" if f.is_list else base

    def native_type(self, attribute: Attribute) -> str:
        native = attribute.name.removeprefix("db.")
        args = [_name(a.value) or _string(a.value) or "" for a in attribute.args]
        arg_text = f"({','.join(args)})" if args else ""
        key = native.lower()
        if key == "timestamp" and self.engine is Engine.POSTGRES:
            return f"timestamp{arg_text} without time zone"
        if key in _NATIVE:
            spelled = _NATIVE[key]
            return spelled.format(args=arg_text) if "{args}" in spelled else spelled
        return f"{key}{arg_text}"

    def default(self, f: Field) -> tuple[str | None, bool, dict[str, Any]]:
        attribute = f.attribute("default")
        if attribute is None:
            return None, False, {}
        value = attribute.arg("value", 0)
        if isinstance(value, Call):
            if value.name == "autoincrement":
                return None, True, {}
            if value.name == "now":
                return "CURRENT_TIMESTAMP", False, {}
            if value.name == "dbgenerated":
                return (_string(value.args[0].value) if value.args else None), False, {}
            # uuid(), cuid(), nanoid(), ulid(): generated by the Prisma client, not the database
            return None, False, {"orm_default": f"{value.name}()"}
        if isinstance(value, Str):
            return "'" + value.value.replace("'", "''") + "'", False, {}
        if isinstance(value, Name):
            if f.type in self.enums or f.type == "String":
                return f"'{value.value}'", False, {}
            return value.value, False, {}
        return None, False, {}

    # keys and indexes -----------------------------------------------------------------------
    def key_name(self, table: str, columns: Sequence[str], suffix: str, attribute: Attribute) -> str:
        mapped = _string(attribute.arg("map"))
        return mapped or "_".join([table, *columns, suffix])

    def primary_key(self, model: Block, table: str) -> PrimaryKey | None:
        block = model.attribute("id")
        if block is not None:
            columns = self.columns(model, block, _names(block.arg("fields", 0)))
            name = self.pk_name(table, block)
            return PrimaryKey(columns, name, self.location(block))
        for f in model.fields:
            attribute = f.attribute("id")
            if attribute is not None:
                return PrimaryKey(
                    (self.column_name(model, f.name),), self.pk_name(table, attribute), self.location(f)
                )
        return None

    def pk_name(self, table: str, attribute: Attribute) -> str | None:
        if self.engine is Engine.MYSQL:
            return "PRIMARY"
        if self.engine is Engine.SQLITE:
            return None
        return _string(attribute.arg("map")) or f"{table}_pkey"

    def indexes(self, model: Block, table: str, primary: PrimaryKey | None) -> list[Index]:
        indexes: list[Index] = []
        if primary is not None and not self.sqlite_rowid(model, primary):
            name = primary.name or f"sqlite_autoindex_{table}_1"
            indexes.append(
                Index(
                    name=name,
                    keys=tuple(IndexKey(column=c) for c in primary.columns),
                    unique=True,
                    primary=True,
                    constraint=name,
                    location=primary.location,
                )
            )
        for f in model.fields:
            attribute = f.attribute("unique")
            if attribute is not None and self.is_column(f):
                single = (self.column_name(model, f.name),)
                indexes.append(self.index(table, single, attribute, unique=True, where=f))
        for attribute in model.attributes:
            if attribute.name not in ("unique", "index", "fulltext"):
                continue
            fields = attribute.arg("fields", 0)
            keys = self.index_keys(model, attribute, fields)
            columns = tuple(k.column or "" for k in keys)
            unique = attribute.name == "unique"
            index = self.index(table, columns, attribute, unique=unique, keys=keys)
            if attribute.name == "fulltext":
                index = replace(index, method="fulltext")
            kind = _name(attribute.arg("type"))
            if kind is not None:
                index = replace(index, method=kind.lower())
            indexes.append(index)
        return indexes

    def sqlite_rowid(self, model: Block, primary: PrimaryKey) -> bool:
        """SQLite: a single INTEGER PRIMARY KEY is the rowid itself and has no index of its own."""
        if self.engine is not Engine.SQLITE or len(primary.columns) != 1:
            return False
        return any(
            self.column_name(model, f.name) == primary.columns[0] and f.type == "Int" for f in model.fields
        )

    def index_keys(self, model: Block, attribute: Attribute, fields: Value | None) -> tuple[IndexKey, ...]:
        if not isinstance(fields, list) or not fields:
            raise self.error(attribute, f"@@{attribute.name} needs a list of fields")
        keys = []
        for item in fields:
            if isinstance(item, Name):
                keys.append(IndexKey(column=self.column_name(model, item.value)))
            elif isinstance(item, Call):
                options = {a.name: a.value for a in item.args if a.name}
                length = _name(options.get("length"))
                keys.append(
                    IndexKey(
                        column=self.column_name(model, item.name),
                        descending=_name(options.get("sort")) == "Desc",
                        prefix_length=int(length) if length and length.isdigit() else None,
                    )
                )
            else:
                raise self.error(attribute, "index fields must be field names")
        return tuple(keys)

    def index(
        self,
        table: str,
        columns: tuple[str, ...],
        attribute: Attribute,
        *,
        unique: bool,
        where: Field | None = None,
        keys: tuple[IndexKey, ...] | None = None,
    ) -> Index:
        name = self.key_name(table, columns, "key" if unique else "idx", attribute)
        return Index(
            name=name,
            keys=keys or tuple(IndexKey(column=c) for c in columns),
            unique=unique,
            constraint=name if unique and self.engine is Engine.MYSQL else None,
            location=self.location(where or attribute),
        )

    # relations ------------------------------------------------------------------------------
    def foreign_keys(self, model: Block, table: str) -> list[ForeignKey]:
        if self.relation_mode == "prisma":
            return []
        keys = []
        for f in model.fields:
            attribute = f.attribute("relation")
            if f.type not in self.models or attribute is None:
                continue
            fields = _names(attribute.arg("fields"))
            references = _names(attribute.arg("references"))
            if not fields:
                continue
            if len(fields) != len(references):
                raise self.error(attribute, "@relation needs as many references as fields")
            target = self.models[f.type]
            columns = tuple(self.column_name(model, n) for n in fields)
            optional = any(g.optional for g in model.fields if g.name in fields)
            on_delete = _name(attribute.arg("onDelete")) or ("SetNull" if optional else "Restrict")
            on_update = _name(attribute.arg("onUpdate")) or "Cascade"
            keys.append(
                ForeignKey(
                    columns=columns,
                    ref_table=self.table_name(target),
                    ref_columns=tuple(self.column_name(target, n) for n in references),
                    ref_schema=self.schema_of(target),
                    name=self.key_name(table, columns, "fkey", attribute),
                    on_delete=_ACTIONS.get(on_delete, on_delete.upper()),
                    on_update=_ACTIONS.get(on_update, on_update.upper()),
                    location=self.location(f),
                    attrs=MappingProxyType({"orm_field": f.name, "orm_fields": tuple(fields)}),
                )
            )
        return keys

    def junction_tables(self) -> list[Table]:
        """Implicit many-to-many relations (a list on both sides, no ``fields``): ``_AToB(A, B)``."""
        seen: set[tuple[str, str, str]] = set()
        tables = []
        for model in self.models.values():
            for f in model.fields:
                if not (f.is_list and f.type in self.models):
                    continue
                relation = f.attribute("relation")
                if relation is not None and _names(relation.arg("fields")):
                    continue
                name = (_string(relation.arg("name", 0)) if relation else None) or ""
                other = self.back_relation(model, f, name)
                if other is None or not other.is_list:
                    continue
                first, second = sorted([model.name, f.type])
                key = (first, second, name)
                if key in seen:
                    continue
                seen.add(key)
                tables.append(self.junction(f"_{name}" if name else f"_{first}To{second}", first, second, f))
        return tables

    def back_relation(self, model: Block, f: Field, name: str) -> Field | None:
        for g in self.models[f.type].fields:
            if g is f or g.type != model.name:
                continue
            relation = g.attribute("relation")
            if ((_string(relation.arg("name", 0)) if relation else None) or "") == name:
                return g
        return None

    def junction(self, name: str, first: str, second: str, where: Field) -> Table:
        columns = (
            self.junction_column("A", self.models[first], where),
            self.junction_column("B", self.models[second], where),
        )
        location = self.location(where)
        unique = f"{name}_AB_unique"
        keys = [
            ForeignKey(
                columns=(letter,),
                ref_table=self.table_name(self.models[target]),
                ref_columns=(self.id_field(self.models[target], where)[1],),
                ref_schema=self.schema_of(self.models[target]),
                name=f"{name}_{letter}_fkey",
                on_delete="CASCADE",
                on_update="CASCADE",
                location=location,
            )
            for letter, target in (("A", first), ("B", second))
        ]
        return Table(
            name=name,
            schema=self.schema_of(self.models[first]),
            columns=columns,
            foreign_keys=tuple(keys) if self.relation_mode != "prisma" else (),
            indexes=(
                Index(unique, (IndexKey(column="A"), IndexKey(column="B")), unique=True, location=location),
                Index(f"{name}_B_index", (IndexKey(column="B"),), location=location),
            ),
            location=location,
            attrs=MappingProxyType({"orm": ORM, "orm_implicit_relation": True}),
        )

    def id_field(self, model: Block, where: Field) -> tuple[Field, str]:
        for f in model.fields:
            if f.attribute("id") is not None:
                return f, self.column_name(model, f.name)
        raise self.error(where, f"implicit many-to-many relation needs a single-field @id on {model.name!r}")

    def junction_column(self, letter: str, model: Block, where: Field) -> Column:
        f, _ = self.id_field(model, where)
        raw = self.raw_type(f)
        norm = normalize_type(raw, self.engine)
        return Column(
            name=letter,
            raw_type=raw,
            kind=norm.kind,
            nullable=False,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            location=self.location(where),
        )
