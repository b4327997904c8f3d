"""TypeORM entities (``@Entity()`` classes in ``.ts`` files) -> the catalog ``synchronize`` or a
generated migration would create.

Names follow TypeORM's ``DefaultNamingStrategy``
(https://github.com/typeorm/typeorm/blob/master/src/naming-strategy/DefaultNamingStrategy.ts):
a table is ``snakeCase(ClassName)`` unless ``@Entity("name")`` says otherwise, a join column is
``camelCase(property + "_" + referencedProperty)`` (``authorId``), a many-to-many junction table
is ``snakeCase(table + "_" + property + "_" + otherTable)`` with columns ``camelCase(table + "_" +
column)``, and constraint names are ``PK_``/``FK_``/``UQ_``/``IDX_``/``REL_`` followed by a SHA-1
of the table and its sorted column names. Types without ``type:`` come from the TS property type
the way the driver's ``normalizeType`` maps ``String``/``Number``/``Boolean``/``Date``.

Indexes are exactly those TypeORM creates: the primary key, ``unique: true``, ``@Unique``,
``@Index``, the unique constraint of an owning ``@OneToOne``, and the two indexes of every junction
table. ``@ManyToOne`` creates a foreign key constraint and no index (InnoDB adds one itself on
MySQL). The engine comes from the ``type:`` of a ``DataSource`` / ``ormconfig`` found beside the
entities; without one it is PostgreSQL and ``Catalog.attrs["engine_from"]`` says so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
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
    InputError,
    Location,
    PrimaryKey,
    Table,
    TypeKind,
)
from dbexpert.model.types import normalize_type
from dbexpert.sources._typescript import Code, parser, value
from dbexpert.sources.engine_rules import DEFAULT_SCHEMA
from dbexpert.sources.orm import OrmSchema, innodb_fk_indexes, source_files
from dbexpert.sources.orm._ts_common import MISSING, hidden, read
from dbexpert.sources.orm._typeorm_syntax import Decorator, EntityClass, Property, read_source

ORM = "typeorm"

# DataSource `type:` -> engine (and MySQL flavor).
_DRIVERS: dict[str, tuple[Engine, str | None]] = {
    "postgres": (Engine.POSTGRES, None),
    "cockroachdb": (Engine.POSTGRES, None),
    "aurora-postgres": (Engine.POSTGRES, None),
    "mysql": (Engine.MYSQL, "mysql"),
    "aurora-mysql": (Engine.MYSQL, "mysql"),
    "mariadb": (Engine.MYSQL, "mariadb"),
    "sqlite": (Engine.SQLITE, None),
    "better-sqlite3": (Engine.SQLITE, None),
    "sqljs": (Engine.SQLITE, None),
    "capacitor": (Engine.SQLITE, None),
    "expo": (Engine.SQLITE, None),
}
_CONFIG_TYPE = re.compile(r"""["']?\btype["']?\s*:\s*["']([\w-]+)["']""")
_CONFIG_MARKERS = ("DataSource(", "createConnection(", "TypeOrmModule.forRoot", "DataSourceOptions")

_COLUMNS = frozenset(
    {"Column", "PrimaryColumn", "PrimaryGeneratedColumn", "CreateDateColumn", "UpdateDateColumn",
     "DeleteDateColumn", "VersionColumn"}
)  # fmt: skip
_DATE_COLUMNS = frozenset({"CreateDateColumn", "UpdateDateColumn", "DeleteDateColumn"})

# reflect-metadata's design:type -> the driver's normalizeType (PostgresDriver, MysqlDriver, SqliteDriver).
_TS_TYPES: dict[str, dict[Engine, str]] = {
    "string": {Engine.POSTGRES: "character varying", Engine.MYSQL: "varchar", Engine.SQLITE: "varchar"},
    "number": {Engine.POSTGRES: "integer", Engine.MYSQL: "int", Engine.SQLITE: "integer"},
    "boolean": {Engine.POSTGRES: "boolean", Engine.MYSQL: "tinyint", Engine.SQLITE: "boolean"},
    "Date": {
        Engine.POSTGRES: "timestamp without time zone",
        Engine.MYSQL: "datetime",
        Engine.SQLITE: "datetime",
    },
    "Buffer": {Engine.POSTGRES: "bytea", Engine.MYSQL: "blob", Engine.SQLITE: "blob"},
}
_ALIASES: dict[Engine, dict[str, str]] = {
    Engine.POSTGRES: {
        "int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint", "varchar": "character varying",
        "timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
        "time": "time without time zone", "timetz": "time with time zone", "bool": "boolean", "decimal": "numeric",
        "float": "double precision", "float8": "double precision", "float4": "real", "char": "character",
        "varbit": "bit varying", "simple-array": "text", "simple-json": "text",
    },
    Engine.MYSQL: {
        "integer": "int", "numeric": "decimal", "dec": "decimal", "uuid": "varchar", "bool": "tinyint",
        "boolean": "tinyint", "double precision": "double", "simple-array": "text", "simple-json": "text",
        "simple-enum": "enum",
    },
    Engine.SQLITE: {
        "int": "integer", "uuid": "varchar", "simple-array": "text", "simple-json": "text", "enum": "varchar",
        "simple-enum": "varchar", "timestamp": "datetime",
    },
}  # fmt: skip
# Lengths TypeORM gives when none is set (MysqlDriver.getColumnLength: varchar 255, uuid 36).
_MYSQL_LENGTHS = {"varchar": 255, "uuid": 36}
_NOW = {Engine.POSTGRES: "now()", Engine.MYSQL: "CURRENT_TIMESTAMP(6)", Engine.SQLITE: "datetime('now')"}
_DATE_TYPE = {
    Engine.POSTGRES: "timestamp without time zone",
    Engine.MYSQL: "datetime(6)",
    Engine.SQLITE: "datetime",
}


def find(target: Path) -> list[Path]:
    """``.ts`` files with ``@Entity(`` under ``target``, then the DataSource/ormconfig files that say
    the database type; [] when there is no entity."""
    candidates = [
        p for p in source_files(target, (".ts",)) if not p.name.endswith(".d.ts") and not hidden(p, target)
    ]
    entities = [p for p in candidates if _has_entity(p)]
    if not any("@Entity(" in _head(p) for p in entities):
        return []
    if target.is_file():
        return entities
    configs = [
        p
        for p in source_files(target, (".ts", ".js", ".json"))
        if p not in entities and not p.name.endswith(".d.ts") and not hidden(p, target) and _is_config(p)
    ]
    return entities + configs


def _head(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _has_entity(path: Path) -> bool:
    return _is_entity_source(_head(path))


def _is_entity_source(source: str) -> bool:
    """An entity, or a base class entities extend (columns decorated in a file importing typeorm)."""
    return "@Entity(" in source or ("typeorm" in source and "Column(" in source and "class " in source)


def _is_config(path: Path) -> bool:
    if path.name.startswith("ormconfig."):
        return True
    return path.suffix != ".json" and any(marker in _head(path) for marker in _CONFIG_MARKERS)


def load(files: Sequence[Path]) -> OrmSchema:
    ts = parser()
    if ts is None:
        return OrmSchema(Catalog(engine=Engine.POSTGRES), ORM, tuple(files), (MISSING,))
    problems: list[str] = []
    classes: dict[str, EntityClass] = {}
    enums: dict[str, Mapping[str, str]] = {}
    engine, flavor, engine_from = Engine.POSTGRES, None, "default: no DataSource type found"
    for path in files:
        source = read(path, problems)
        if source is None:
            continue
        if not _is_entity_source(source):
            found = _CONFIG_TYPE.search(source)
            if found and found.group(1) in _DRIVERS and engine_from.startswith("default"):
                engine, flavor = _DRIVERS[found.group(1)]
                engine_from = f"{path}: type {found.group(1)!r}"
            continue
        try:
            parsed = read_source(ts, str(path), source)
        except InputError as exc:
            problems.append(str(exc))
            continue
        classes.update({c.name: c for c in parsed.classes if c.name})
        enums.update(parsed.enums)
    builder = _Builder(classes, enums, engine, problems)
    catalog = builder.catalog()
    attrs = {"orm": ORM, "engine_from": engine_from, "source_path": str(files[0]) if files else ""}
    catalog = replace(catalog, flavor=flavor, attrs=MappingProxyType(attrs))
    return OrmSchema(catalog, ORM, tuple(files), tuple(problems))


# naming (DefaultNamingStrategy and StringUtils) ----------------------------------------------
def snake_case(name: str) -> str:
    name = re.sub(r"([A-Z])([A-Z])([a-z])", r"\1_\2\3", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def camel_case(name: str) -> str:
    return re.sub(
        r"^([A-Z])|[\s\-_](\w)", lambda m: m.group(2).upper() if m.group(2) else m.group(1).lower(), name
    )


def hashed_name(prefix: str, table: str, columns: Sequence[str], length: int) -> str:
    """``PK_``/``FK_``/``UQ_`` (27 hex digits) and ``IDX_``/``REL_`` (26) names: SHA-1 of the table
    and its sorted column names."""
    key = f"{table.replace('.', '_', 1)}_{'_'.join(sorted(columns))}"
    return prefix + hashlib.sha1(key.encode("utf-8")).hexdigest()[:length]


# building --------------------------------------------------------------------------------------
@dataclass
class _Entity:
    cls: EntityClass
    table: str
    schema: str | None
    properties: list[Property]
    columns: dict[str, Column] = field(default_factory=dict)  # property name -> column
    primary: list[str] = field(default_factory=list)  # property names
    relation_columns: dict[str, list[str]] = field(default_factory=dict)  # relation property -> columns


def _target(decorator: Decorator) -> str | None:
    """``() => User`` / ``(type) => User`` / ``"User"``: the related class's name."""
    first = decorator.args[0] if decorator.args else None
    if isinstance(first, str):
        return first
    if isinstance(first, Code):
        body = first.node.child_by_field_name("body")
        return (body.text.decode() if body is not None else first.text).strip()
    return None


class _Builder:
    def __init__(
        self,
        classes: Mapping[str, EntityClass],
        enums: Mapping[str, Mapping[str, str]],
        engine: Engine,
        problems: list[str],
    ) -> None:
        self.classes = classes
        self.enums = enums
        self.engine = engine
        self.problems = problems
        self.default_schema = DEFAULT_SCHEMA.get(engine)
        self.entities: dict[str, _Entity] = {}
        for cls in classes.values():
            entity = cls.decorator("Entity")
            if entity is None:
                continue
            options = entity.options
            name = entity.string(0) or options.get("name")
            self.entities[cls.name] = _Entity(
                cls=cls,
                table=name if isinstance(name, str) else snake_case(cls.name),
                schema=options.get("schema")
                if isinstance(options.get("schema"), str)
                else self.default_schema,
                properties=self.inherited(cls),
            )
        self.enum_types: list[EnumType] = []

    def inherited(self, cls: EntityClass) -> list[Property]:
        """The class's properties after those of its base classes (a redefinition wins)."""
        chain: list[EntityClass] = []
        current: EntityClass | None = cls
        while current is not None and current not in chain:
            chain.insert(0, current)
            current = self.classes.get(current.base) if current.base else None
        found: dict[str, Property] = {}
        for item in chain:
            found.update({p.name: p for p in item.properties})
        return list(found.values())

    def problem(self, cls: EntityClass, where: Property | Decorator | None, message: str) -> None:
        line, column = (where.line, where.column) if where is not None else (cls.line, cls.column)
        self.problems.append(f"{cls.path}:{line}:{column}: {message}")

    def location(
        self, cls: EntityClass, where: Property | Decorator | EntityClass, obj: str | None = None
    ) -> Location:
        return Location(path=cls.path, line=where.line, column=where.column, object=obj)

    def catalog(self) -> Catalog:
        for entity in self.entities.values():
            self.columns(entity)
        for entity in self.entities.values():
            self.join_columns(entity)
        tables = [self.table(e) for e in self.entities.values()]
        tables.extend(self.junction_tables())
        return Catalog(
            engine=self.engine,
            tables=tuple(tables),
            enums=tuple(self.enum_types),
            default_schema=self.default_schema,
        )

    # columns ----------------------------------------------------------------------------------
    def columns(self, entity: _Entity) -> None:
        for prop in entity.properties:
            decorator = next((d for d in prop.decorators if d.name in _COLUMNS), None)
            if decorator is None:
                continue
            column = self.column(entity, prop, decorator)
            if column is None:
                continue
            entity.columns[prop.name] = column
            if decorator.name in ("PrimaryColumn", "PrimaryGeneratedColumn") or decorator.options.get(
                "primary"
            ):
                entity.primary.append(prop.name)

    def column(self, entity: _Entity, prop: Property, decorator: Decorator) -> Column | None:
        options = decorator.options
        given = options.get("name")
        name = given if isinstance(given, str) else prop.name
        kind = decorator.name
        default: str | None = None
        autoincrement, identity = False, None
        nullable = bool(options.get("nullable", False))
        attrs: dict[str, Any] = {"orm_field": prop.name, "orm_decorator": kind}
        enum_values = self.enum_values(entity, prop, options.get("enum")) if kind == "Column" else None
        if kind == "PrimaryGeneratedColumn":
            strategy = decorator.string(0) or "increment"
            raw = self.generated_type(strategy, options)
            autoincrement = strategy == "increment"
            if strategy == "increment" and self.engine is Engine.POSTGRES:
                default = f"nextval('{entity.table}_{name}_seq'::regclass)"  # TypeORM creates SERIAL
            elif strategy == "identity" and self.engine is Engine.POSTGRES:
                identity = str(options.get("generatedIdentity", "BY DEFAULT")).lower()
            elif strategy == "uuid" and self.engine is Engine.POSTGRES:
                default = "uuid_generate_v4()"  # the default uuidExtension "uuid-ossp"
            elif strategy == "uuid":
                attrs["orm_default"] = "uuid generated by TypeORM"
            nullable = False
        elif kind in _DATE_COLUMNS:
            raw = self.explicit_type(options.get("type"), options) or _DATE_TYPE[self.engine]
            nullable = kind == "DeleteDateColumn" or nullable
            default = None if kind == "DeleteDateColumn" else _NOW[self.engine]
        elif kind == "VersionColumn":
            raw = self.explicit_type(options.get("type"), options) or _TS_TYPES["number"][self.engine]
        else:
            declared = decorator.string(0) or options.get("type")
            if enum_values is not None and declared is None:
                declared = "enum"
            found = self.explicit_type(declared, options, entity, name, enum_values) or self.inferred_type(
                prop, options
            )
            if found is None:
                self.problem(
                    entity.cls, prop, f"cannot tell the column type of {prop.name!r}: give @Column a type"
                )
                return None
            raw = found
            default = self.default(options.get("default"))
        if kind in ("PrimaryColumn",) or options.get("primary"):
            nullable = False
        if options.get("array") and self.engine is Engine.POSTGRES:
            raw += "[]"
        norm = normalize_type(raw, self.engine)
        return Column(
            name=name,
            raw_type=raw,
            kind=TypeKind.ENUM if enum_values and not options.get("array") else norm.kind,
            nullable=nullable,
            default=default,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            identity=identity,
            autoincrement=autoincrement,
            enum_values=tuple(enum_values or norm.enum_values),
            location=self.location(entity.cls, prop),
            attrs=MappingProxyType(attrs),
        )

    def generated_type(self, strategy: str, options: Mapping[str, Any]) -> str:
        if strategy == "uuid":
            return self.explicit_type("uuid", options) or "uuid"
        declared = options.get("type") if isinstance(options.get("type"), str) else "integer"
        return self.explicit_type(declared, options) or "integer"

    def explicit_type(
        self,
        declared: Any,
        options: Mapping[str, Any],
        entity: _Entity | None = None,
        name: str = "",
        enum_values: Sequence[str] | None = None,
    ) -> str | None:
        if not isinstance(declared, str):
            return None
        base = _ALIASES[self.engine].get(declared, declared)
        if declared in ("enum", "simple-enum") and self.engine is not Engine.SQLITE:
            values = enum_values or ()
            if self.engine is Engine.MYSQL:
                return "enum(" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + ")"
            if declared == "simple-enum":
                return "character varying"
            enum_name = options.get("enumName") or f"{entity.table if entity else ''}_{name.lower()}_enum"
            self.enum_types.append(EnumType(str(enum_name), tuple(values), self.default_schema))
            return str(enum_name)
        return self.sized(base, declared, options)

    def sized(self, base: str, declared: str, options: Mapping[str, Any]) -> str:
        length = options.get("length")
        if length is None and self.engine is Engine.MYSQL:
            length = _MYSQL_LENGTHS.get(declared)
        precision, scale = options.get("precision"), options.get("scale")
        if length is not None and not isinstance(length, bool):
            return f"{base}({length})"
        if isinstance(precision, int) and base in ("numeric", "decimal"):
            return f"{base}({precision},{scale})" if isinstance(scale, int) else f"{base}({precision})"
        return base

    def inferred_type(self, prop: Property, options: Mapping[str, Any]) -> str | None:
        ts_type = (prop.ts_type or "").removesuffix("[]")
        if ts_type not in _TS_TYPES:
            return None
        declared = {"string": "varchar", "number": "int"}.get(ts_type, ts_type)
        return self.sized(_TS_TYPES[ts_type][self.engine], declared, options)

    def enum_values(self, entity: _Entity, prop: Property, given: Any) -> list[str] | None:
        if isinstance(given, list):
            return [str(v) for v in given if not isinstance(v, Code)]
        if isinstance(given, Code):
            members = self.enums.get(given.text)
            if members is None:
                self.problem(entity.cls, prop, f"enum {given.text!r} is not declared in the files read")
                return []
            return list(members.values())
        return None

    def default(self, given: Any) -> str | None:
        if given is None:
            return None
        if isinstance(given, bool):
            return ("true" if given else "false") if self.engine is Engine.POSTGRES else str(int(given))
        if isinstance(given, int | float):
            return str(given)
        if isinstance(given, str):
            return "'" + given.replace("'", "''") + "'"
        if isinstance(given, Code) and given.type == "arrow_function":
            body = given.node.child_by_field_name("body")
            raw = value(body) if body is not None else None
            return raw if isinstance(raw, str) else given.text  # () => "now()": the SQL expression itself
        if isinstance(given, Code) and "." in given.text:
            enum, _, member = given.text.partition(".")
            if member in self.enums.get(enum, {}):
                return "'" + self.enums[enum][member].replace("'", "''") + "'"
        return given.text if isinstance(given, Code) else None

    # relations --------------------------------------------------------------------------------
    def join_columns(self, entity: _Entity) -> None:
        """Owning ``@ManyToOne`` / ``@OneToOne`` + ``@JoinColumn`` sides get their join columns."""
        for prop in entity.properties:
            relation = prop.decorator("ManyToOne", "OneToOne")
            if relation is None or (relation.name == "OneToOne" and prop.decorator("JoinColumn") is None):
                continue
            target = self.related(entity, prop, relation)
            if target is None:
                continue
            columns = []
            for name, referenced in self.join_specs(entity, prop, target):
                ref_column = target.columns.get(referenced)
                if ref_column is None:
                    self.problem(entity.cls, prop, f"{target.cls.name} has no column {referenced!r}")
                    break
                existing = next((p for p, c in entity.columns.items() if c.name == name), None)
                if existing is None:
                    entity.columns[f"{prop.name}.{referenced}"] = self.join_column(
                        entity, prop, relation, name, ref_column
                    )
                columns.append(name)
            else:
                entity.relation_columns[prop.name] = columns

    def related(self, entity: _Entity, prop: Property, relation: Decorator) -> _Entity | None:
        name = _target(relation)
        target = self.entities.get(name or "")
        if target is None:
            self.problem(
                entity.cls, relation, f"@{relation.name} target {name!r} is not an @Entity in the files read"
            )
        return target

    def join_specs(self, entity: _Entity, prop: Property, target: _Entity) -> list[tuple[str, str]]:
        """(join column name, referenced property) pairs of a relation."""
        join = prop.decorator("JoinColumn")
        given = join.args[0] if join is not None and join.args else None
        specs = given if isinstance(given, list) else [given] if isinstance(given, dict) else []
        if not specs:
            specs = [{} for _ in target.primary] or [{}]
        pairs = []
        for index, spec in enumerate(s for s in specs if isinstance(s, dict)):
            referenced = spec.get("referencedColumnName")
            if not isinstance(referenced, str):
                referenced = target.primary[index] if index < len(target.primary) else "id"
            ref_column = target.columns.get(referenced)
            ref_name = ref_column.attrs.get("orm_field", referenced) if ref_column else referenced
            name = spec.get("name")
            pairs.append(
                (name if isinstance(name, str) else camel_case(f"{prop.name}_{ref_name}"), referenced)
            )
        return pairs

    def join_column(
        self, entity: _Entity, prop: Property, relation: Decorator, name: str, ref: Column
    ) -> Column:
        raw = ref.raw_type
        norm = normalize_type(raw, self.engine)
        primary = prop.decorator("PrimaryColumn") is not None or bool(relation.options.get("primary"))
        return Column(
            name=name,
            raw_type=raw,
            kind=ref.kind,
            nullable=bool(relation.options.get("nullable", True)) and not primary,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            enum_values=ref.enum_values,
            location=self.location(entity.cls, prop),
            attrs=MappingProxyType({"orm_field": prop.name, "orm_relation": prop.name}),
        )

    # tables -----------------------------------------------------------------------------------
    def table(self, entity: _Entity) -> Table:
        columns = list(entity.columns.values())
        pk_columns = tuple(entity.columns[p].name for p in entity.primary if p in entity.columns)
        primary = None
        indexes: list[Index] = []
        if pk_columns:
            first = next(p for p in entity.properties if p.name in entity.primary)
            where = self.location(entity.cls, first)
            primary = PrimaryKey(pk_columns, self.pk_name(entity.table, pk_columns), where)
            if not self.sqlite_rowid(entity, pk_columns):
                name = primary.name or f"sqlite_autoindex_{entity.table}_1"
                keys = tuple(IndexKey(column=c) for c in pk_columns)
                indexes.append(Index(name, keys, unique=True, primary=True, constraint=name, location=where))
        foreign_keys = self.foreign_keys(entity)
        indexes.extend(self.indexes(entity))
        if self.engine is Engine.MYSQL:
            indexes.extend(innodb_fk_indexes(foreign_keys, indexes))
        return Table(
            name=entity.table,
            schema=entity.schema,
            columns=tuple(columns),
            primary_key=primary,
            foreign_keys=tuple(foreign_keys),
            indexes=tuple(indexes),
            location=self.location(entity.cls, entity.cls),
            attrs=MappingProxyType({"orm": ORM, "orm_model": entity.cls.name}),
        )

    def pk_name(self, table: str, columns: Sequence[str]) -> str | None:
        if self.engine is Engine.MYSQL:
            return "PRIMARY"
        if self.engine is Engine.SQLITE:
            return None
        return hashed_name("PK_", table, columns, 27)

    def sqlite_rowid(self, entity: _Entity, pk_columns: Sequence[str]) -> bool:
        if self.engine is not Engine.SQLITE or len(pk_columns) != 1:
            return False
        column = next(c for c in entity.columns.values() if c.name == pk_columns[0])
        return column.raw_type.lower() == "integer"

    def foreign_keys(self, entity: _Entity) -> list[ForeignKey]:
        keys = []
        for prop in entity.properties:
            relation = prop.decorator("ManyToOne", "OneToOne")
            columns = entity.relation_columns.get(prop.name)
            if (
                relation is None
                or not columns
                or relation.options.get("createForeignKeyConstraints") is False
            ):
                continue
            target = self.entities[_target(relation) or ""]
            specs = self.join_specs(entity, prop, target)
            keys.append(
                ForeignKey(
                    columns=tuple(columns),
                    ref_table=target.table,
                    ref_columns=tuple(target.columns[r].name for _, r in specs),
                    ref_schema=target.schema,
                    name=hashed_name("FK_", entity.table, columns, 27),
                    on_delete=str(relation.options.get("onDelete", "NO ACTION")).upper(),
                    on_update=str(relation.options.get("onUpdate", "NO ACTION")).upper(),
                    location=self.location(entity.cls, prop),
                    attrs=MappingProxyType({"orm_field": prop.name}),
                )
            )
        return keys

    def property_columns(self, entity: _Entity, names: Sequence[Any], where: Decorator) -> list[str] | None:
        """Database columns of the properties listed in ``@Index([...])`` / ``@Unique([...])``."""
        found: list[str] = []
        for name in names:
            if isinstance(name, str) and name in entity.relation_columns:
                found.extend(entity.relation_columns[name])
            elif isinstance(name, str) and name in entity.columns:
                found.append(entity.columns[name].name)
            else:
                self.problem(
                    entity.cls, where, f"@{where.name} names {name!r}, not a column of {entity.cls.name}"
                )
                return None
        return found

    def indexes(self, entity: _Entity) -> list[Index]:
        indexes: list[Index] = []
        table = entity.table
        for prop in entity.properties:
            column = entity.columns.get(prop.name)
            decorator = next((d for d in prop.decorators if d.name in _COLUMNS), None)
            if column is not None and decorator is not None and decorator.options.get("unique"):
                indexes.append(self.unique(table, [column.name], None, self.location(entity.cls, prop)))
            relation = prop.decorator("OneToOne")
            if relation is not None and prop.name in entity.relation_columns:
                cols = entity.relation_columns[prop.name]
                name = hashed_name("REL_", table, cols, 26)
                indexes.append(self.unique(table, cols, name, self.location(entity.cls, prop)))
            for index in (d for d in prop.decorators if d.name == "Index"):
                cols = entity.relation_columns.get(prop.name) or ([column.name] if column else [])
                if cols:
                    indexes.append(self.index(entity, cols, index, self.location(entity.cls, index)))
        for decorator in entity.cls.decorators:
            if decorator.name not in ("Index", "Unique"):
                continue
            listed = next((a for a in decorator.args if isinstance(a, list)), None)
            if listed is None:
                self.problem(
                    entity.cls, decorator, f"@{decorator.name} without a list of properties is not read"
                )
                continue
            found = self.property_columns(entity, listed, decorator)
            if not found:
                continue
            cols = found
            where = self.location(entity.cls, decorator)
            if decorator.name == "Unique":
                indexes.append(self.unique(table, cols, decorator.string(0), where))
            else:
                indexes.append(self.index(entity, cols, decorator, where))
        return indexes

    def unique(self, table: str, columns: Sequence[str], name: str | None, where: Location) -> Index:
        name = name or hashed_name("UQ_", table, columns, 27)
        keys = tuple(IndexKey(column=c) for c in columns)
        return Index(name, keys, unique=True, constraint=name, location=where)

    def index(self, entity: _Entity, columns: Sequence[str], decorator: Decorator, where: Location) -> Index:
        options = decorator.options
        predicate = options.get("where") if isinstance(options.get("where"), str) else None
        name = decorator.string(0) or hashed_name(
            "IDX_", entity.table, [*columns, *([predicate] if predicate else [])], 26
        )
        method = "fulltext" if options.get("fulltext") else "spatial" if options.get("spatial") else "btree"
        keys = tuple(IndexKey(column=c) for c in columns)
        return Index(
            name, keys, unique=bool(options.get("unique")), method=method, where=predicate, location=where
        )

    def junction_tables(self) -> list[Table]:
        tables = []
        for entity in self.entities.values():
            for prop in entity.properties:
                relation = prop.decorator("ManyToMany")
                join = prop.decorator("JoinTable")
                if relation is None or join is None:
                    continue
                target = self.related(entity, prop, relation)
                if target is not None:
                    tables.append(self.junction(entity, prop, relation, join, target))
        return tables

    def junction(
        self, owner: _Entity, prop: Property, relation: Decorator, join: Decorator, target: _Entity
    ) -> Table:
        options = join.options
        name = options.get("name")
        name = name if isinstance(name, str) else snake_case(f"{owner.table}_{prop.name}_{target.table}")
        where = self.location(owner.cls, prop)
        sides = []
        for entity, key in ((owner, "joinColumn"), (target, "inverseJoinColumn")):
            given = options.get(key)
            spec: Mapping[str, Any] = given if isinstance(given, dict) else {}
            referenced = spec.get("referencedColumnName") or (entity.primary[0] if entity.primary else "id")
            ref = entity.columns.get(referenced)
            if ref is None:
                self.problem(
                    owner.cls, join, f"{entity.cls.name} has no column {referenced!r} for @JoinTable"
                )
                ref = Column(name=referenced, raw_type="integer", kind=TypeKind.INTEGER)
            column = spec.get("name") or camel_case(f"{entity.table}_{ref.name}")
            sides.append((entity, ref, str(column)))
        if sides[0][2] == sides[1][2]:  # self-referencing: joinTableColumnDuplicationPrefix
            sides = [(e, r, f"{c}_{i}") for i, (e, r, c) in enumerate(sides, start=1)]
        names = [c for _, _, c in sides]
        columns = tuple(
            Column(name=c, raw_type=r.raw_type, kind=r.kind, nullable=False, length=r.length, location=where)
            for _, r, c in sides
        )
        inverse_delete = (
            "NO ACTION" if len(relation.args) > 1 and isinstance(relation.args[1], Code) else "CASCADE"
        )
        keys = tuple(
            ForeignKey(
                columns=(c,),
                ref_table=e.table,
                ref_columns=(r.name,),
                ref_schema=e.schema,
                name=hashed_name("FK_", name, [c], 27),
                on_delete=str(relation.options.get("onDelete", "CASCADE")).upper()
                if i == 0
                else inverse_delete,
                on_update="CASCADE" if i == 0 else inverse_delete,
                location=where,
            )
            for i, (e, r, c) in enumerate(sides)
        )
        pk_name = self.pk_name(name, names)
        indexes = [
            Index(pk_name or f"sqlite_autoindex_{name}_1", tuple(IndexKey(column=c) for c in names), unique=True,
                  primary=True, constraint=pk_name, location=where),
            *(Index(hashed_name("IDX_", name, [c], 26), (IndexKey(column=c),), location=where) for c in names),
        ]  # fmt: skip
        return Table(
            name=name,
            schema=owner.schema,
            columns=columns,
            primary_key=PrimaryKey(tuple(names), pk_name, where),
            foreign_keys=keys,
            indexes=tuple(indexes),
            location=where,
            attrs=MappingProxyType(
                {"orm": ORM, "orm_model": name, "orm_junction": f"{owner.cls.name}.{prop.name}"}
            ),
        )
