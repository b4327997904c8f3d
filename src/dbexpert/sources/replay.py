"""Replay DDL actions, in order, into one catalog, the way the engine itself would apply them."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass, replace
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
    Sequence,
    StatsSource,
    Table,
    TypeKind,
    UniqueConstraint,
    Version,
    View,
)
from dbexpert.model.types import NormalizedType, normalize_type
from dbexpert.sources import engine_rules as rules
from dbexpert.sql import ddl
from dbexpert.sql.parse import Statement
from dbexpert.sql.quote import qualify


@dataclass(frozen=True, slots=True)
class ReplayProblem:
    """A statement that parsed but could not be applied (ALTER of a table that does not exist)."""

    line: int
    column: int
    message: str


class _Tables(dict[tuple[str | None, str], Table]):
    """The replayed tables, keeping a count of index names per schema up to date as tables change:
    PostgreSQL index names are unique per schema, and a migration may create thousands of them."""

    def __init__(self, fold: Callable[[str], str]) -> None:
        super().__init__()
        self._fold = fold
        self._names: dict[str | None, Counter[str]] = defaultdict(Counter)

    def __setitem__(self, key: tuple[str | None, str], table: Table) -> None:
        old = self.get(key)
        if old is not None and old.indexes is table.indexes and old.schema == table.schema:
            # Most changes keep the table's indexes as they were: nothing to recount.
            super().__setitem__(key, table)
            return
        self._forget(key)
        super().__setitem__(key, table)
        if table.indexes:
            counts = self._names[table.schema]
            fold = self._fold
            for index in table.indexes:
                counts[fold(index.name)] += 1

    def __delitem__(self, key: tuple[str | None, str]) -> None:
        self._forget(key)
        super().__delitem__(key)

    def pop(self, key: tuple[str | None, str], default: Any = None) -> Any:
        self._forget(key)
        return super().pop(key, default)

    def _forget(self, key: tuple[str | None, str]) -> None:
        old = self.get(key)
        if old is not None and old.indexes:
            counts = self._names[old.schema]
            fold = self._fold
            for index in old.indexes:
                counts[fold(index.name)] -= 1

    def has_index(self, schema: str | None, name: str) -> bool:
        return self._names[schema][self._fold(name)] > 0

    def index_names(self, schema: str | None) -> Container[str]:
        """A live view: membership tests of (folded) index names in ``schema``."""
        return _Present(self._names[schema], self._fold)


class _Sequences(dict[tuple[str | None, str], Sequence]):
    """The replayed sequences, with a count of their names without case: every identity or serial
    column names a sequence, and choosing a free name must not look at all the others."""

    def __init__(self) -> None:
        super().__init__()
        self._names: Counter[str] = Counter()

    def __setitem__(self, key: tuple[str | None, str], sequence: Sequence) -> None:
        if key not in self:
            self._names[key[1].lower()] += 1
        super().__setitem__(key, sequence)

    def __delitem__(self, key: tuple[str | None, str]) -> None:
        super().__delitem__(key)
        self._names[key[1].lower()] -= 1

    def pop(self, key: tuple[str | None, str], default: Any = None) -> Any:
        if key in self:
            self._names[key[1].lower()] -= 1
        return super().pop(key, default)

    def name_taken(self, name: str) -> bool:
        """Whether a sequence (in any schema) has this name, compared without case."""
        return self._names[name.lower()] > 0


class _Present(Container[str]):
    def __init__(self, counts: Counter[str], fold: Callable[[str], str]) -> None:
        self._counts = counts
        self._fold = fold

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._counts[self._fold(name)] > 0


_HANDLER_NAMES: dict[type, str] = {}  # action type -> the Replayer method that applies it


class Replayer:
    def __init__(self, engine: Engine, version: Version | None = None) -> None:
        self.engine = engine
        self.version = version
        self.default_schema = rules.DEFAULT_SCHEMA.get(engine)
        self.tables = _Tables(str if engine is Engine.POSTGRES else str.lower)
        self.sequences = _Sequences()
        self._folds = engine is not Engine.POSTGRES
        self.enums: dict[tuple[str | None, str], EnumType] = {}
        self.views: dict[tuple[str | None, str], View] = {}
        self.problems: list[ReplayProblem] = []
        self._statement: Statement | None = None
        self._types: dict[str, NormalizedType] = {}  # raw type -> normalized: scripts repeat a few types

    def _normalize(self, raw_type: str) -> NormalizedType:
        norm = self._types.get(raw_type)
        if norm is None:
            norm = self._types[raw_type] = normalize_type(raw_type, self.engine)
        return norm

    # bookkeeping ------------------------------------------------------------------------------

    def _key(self, name: ddl.Name | str, schema: str | None = None) -> tuple[str | None, str]:
        if isinstance(name, ddl.Name):
            schema = name.schema
            name = name.name
        if schema is None:
            schema = self.default_schema
        if not self._folds:
            return schema, name
        # MySQL (on case-insensitive file systems) and SQLite compare names without case.
        return (schema.lower() if schema else None), name.lower()

    def key(self, name: ddl.Name) -> tuple[str | None, str]:
        """How the engine identifies a table name (schema defaulted, case folded where it folds)."""
        schema = name.schema
        if schema is None:
            schema = self.default_schema
        if not self._folds:
            return schema, name.name
        return (schema.lower() if schema else None), name.name.lower()

    def find(self, name: ddl.Name) -> Table | None:
        """The table as replayed so far, or None (not an error: it may predate the files read)."""
        return self.tables.get(self._key(name))

    def index_table(self, name: ddl.Name) -> ddl.Name | None:
        """The table that owns index ``name``, as replayed so far (PostgreSQL: ``DROP INDEX name``)."""
        schema = self._key(name)[0]
        for table in self.tables.values():
            if self.engine is Engine.POSTGRES and table.schema != schema:
                continue
            if any(self._same_name(index.name, name.name) for index in table.indexes):
                return ddl.Name(table.name, table.schema)
        return None

    def _schema(self, name: ddl.Name) -> str | None:
        return name.schema if name.schema is not None else self.default_schema

    def _location(self, position: ddl.Position | None, obj: str) -> Location:
        statement = self._statement
        path = statement.path if statement else None
        if position is not None:
            return Location(path, position.line, position.column, object=obj)
        if statement is not None:
            return Location(path, statement.line, statement.column, object=obj)
        return Location(path, object=obj)

    def _problem(self, message: str) -> None:
        statement = self._statement
        line, column = (statement.line, statement.column) if statement else (1, 1)
        self.problems.append(ReplayProblem(line, column, message))

    def _table(self, name: ddl.Name) -> Table | None:
        table = self.tables.get(self._key(name))
        if table is None:
            self._problem(f"table {name.name!r} does not exist")
        return table

    def _update(self, name: ddl.Name, change: Callable[[Table], Table]) -> None:
        table = self._table(name)
        if table is not None:
            self.tables[self._key(table.name, table.schema)] = change(table)

    # entry points -----------------------------------------------------------------------------

    def apply(self, statement: Statement, actions: Iterable[ddl.Action]) -> None:
        self._statement = statement
        for action in actions:
            kind = type(action)
            name = _HANDLER_NAMES.get(kind)
            if name is None:
                name = _HANDLER_NAMES[kind] = f"_on_{kind.__name__}"
            handler = getattr(self, name, None)
            if handler is not None:
                handler(action)

    def catalog(self, attrs: dict[str, Any] | None = None) -> Catalog:
        tables = tuple(self._finish_table(t) for t in self.tables.values())
        return Catalog(
            engine=self.engine,
            tables=tables,
            sequences=tuple(self.sequences.values()),
            enums=tuple(self.enums.values()),
            views=tuple(self.views.values()),
            version=self.version,
            default_schema=self.default_schema,
            source=StatsSource.NONE,
            attrs=MappingProxyType(dict(attrs or {})),
        )

    def _finish_table(self, table: Table) -> Table:
        """Resolve what only the whole script tells: enum labels, and REFERENCES without columns."""
        columns = tuple(self._resolve_enum(c) for c in table.columns)
        fks = []
        for fk in table.foreign_keys:
            if not fk.ref_columns:
                parent = self.tables.get(self._key(fk.ref_table, fk.ref_schema or table.schema))
                if parent is not None and parent.primary_key is not None:
                    fk = replace(fk, ref_columns=parent.primary_key.columns)
            fks.append(fk)
        if all(map(operator.is_, columns, table.columns)) and all(map(operator.is_, fks, table.foreign_keys)):
            return table  # nothing to resolve: the table as replayed
        return replace(table, columns=columns, foreign_keys=tuple(fks))

    def _resolve_enum(self, column: Column) -> Column:
        if self.engine is not Engine.POSTGRES or column.kind is not TypeKind.OTHER:
            return column
        parts = [p.strip('"') for p in column.raw_type.split(".")]
        enum = self.enums.get(self._key(parts[-1], parts[-2] if len(parts) > 1 else None))
        if enum is None:
            return column
        return replace(column, kind=TypeKind.ENUM, enum_values=enum.values)

    # columns ----------------------------------------------------------------------------------

    def _column(self, spec: ddl.ColumnSpec, table: str, schema: str | None) -> Column:
        norm = self._normalize(spec.raw_type)
        obj = ".".join([p for p in (schema, table, spec.name) if p])
        column = Column(
            name=spec.name,
            raw_type=spec.raw_type,
            kind=norm.kind,
            nullable=not spec.not_null and spec.identity is None,  # identity columns are NOT NULL
            default=spec.default,
            length=norm.length,
            precision=norm.precision,
            scale=norm.scale,
            identity=spec.identity,
            autoincrement=spec.autoincrement,
            generated=spec.generated,
            enum_values=norm.enum_values,
            comment=spec.comment,
            location=self._location(spec.position, obj),
            attrs=_frozen(_column_attrs(spec)),
        )
        serial_type = (
            rules.SERIAL_TYPES.get(spec.raw_type.lower()) if self.engine is Engine.POSTGRES else None
        )
        if serial_type is not None or spec.identity is not None:
            column = self._owned_sequence(column, table, schema, serial_type)
        return column

    def _owned_sequence(
        self, column: Column, table: str, schema: str | None, serial_type: str | None
    ) -> Column:
        data_type = serial_type or _integer_type(column.kind)
        name = f"{table}_{column.name}_seq"
        if self.sequences.name_taken(name):
            name = rules.unique_name(name, [k[1] for k in self.sequences])
        self.sequences[self._key(name, schema)] = Sequence(
            name=name,
            schema=schema,
            data_type=data_type,
            min_value=1,
            max_value=rules.SEQUENCE_MAX.get(data_type),
            owned_by=(table, column.name),
            location=column.location,
        )
        if serial_type is None:
            return column
        qualified = qualify(name, schema, self.engine, self.default_schema).replace("'", "''")
        return replace(
            column, nullable=False, autoincrement=True, default=f"nextval('{qualified}'::regclass)"
        )

    # CREATE TABLE -----------------------------------------------------------------------------

    def _on_CreateTable(self, action: ddl.CreateTable) -> None:
        key = self._key(action.table)
        if key in self.tables:
            if not action.if_not_exists:
                self._problem(f"table {action.table.name!r} already exists")
            return
        schema = "temp" if action.temporary and self.engine is Engine.SQLITE else self._schema(action.table)
        name = action.table.name
        obj = ".".join([p for p in (schema, name) if p])
        table = Table(
            name=name,
            schema=schema,
            columns=tuple(self._column(spec, name, schema) for spec in action.columns),
            kind="temporary" if action.temporary else "partitioned" if action.partitioned else "table",
            engine_options=MappingProxyType(dict(action.options)),
            comment=action.comment,
            location=self._location(action.position, obj),
        )
        for spec in action.columns:
            for constraint in spec.constraints:
                table = self._add_constraint(table, constraint)
        for constraint in action.constraints:
            table = self._add_constraint(table, constraint)
        self.tables[key] = table

    # constraints ------------------------------------------------------------------------------

    def _constraint_location(self, table: Table, spec: ddl.ConstraintSpec) -> Location:
        return self._location(spec.position, table.qualified_name)

    def _taken_names(self, table: Table) -> list[str]:
        names = [i.name for i in table.indexes]
        constraints: tuple[UniqueConstraint | CheckConstraint | ForeignKey, ...] = (
            *table.uniques,
            *table.checks,
            *table.foreign_keys,
        )
        names += [c.name for c in constraints if c.name]
        if table.primary_key and table.primary_key.name:
            names.append(table.primary_key.name)
        return names

    def _add_constraint(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        adders: dict[str, Callable[[Table, ddl.ConstraintSpec], Table]] = {
            "primary": self._add_primary,
            "unique": self._add_unique,
            "index": self._add_inline_index,
            "foreign": self._add_foreign,
            "check": self._add_check,
            "exclusion": self._add_exclusion,
        }
        if spec.using_index is not None and spec.kind in ("primary", "unique"):
            return self._adopt_index(table, spec)
        return adders[spec.kind](table, spec)

    def _adopt_index(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        """ADD CONSTRAINT c UNIQUE/PRIMARY KEY USING INDEX i: the index becomes the constraint's
        (PostgreSQL renames it to the constraint's name) rather than a second index being built."""
        assert spec.using_index is not None
        index = next((i for i in table.indexes if self._same_name(i.name, spec.using_index)), None)
        if index is None:
            self._problem(f"index {spec.using_index!r} does not exist")
            return table
        columns = tuple(k.column for k in index.keys if k.column)
        adopted = replace(spec, columns=columns, using_index=None)
        kept = replace(table, indexes=tuple(i for i in table.indexes if i is not index))
        changed = self._add_constraint(kept, adopted)
        if changed is kept:
            return table
        added = changed.indexes[-1]
        merged = replace(
            index, name=added.name, unique=True, primary=added.primary, constraint=added.constraint
        )
        return replace(changed, indexes=(*changed.indexes[:-1], merged))

    def _add_exclusion(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        name = spec.name or rules.postgres_constraint_name(
            table.name, spec.columns[:1], "excl", self._taken_names(table)
        )
        index = Index(
            name=name,
            keys=self._keys(spec),
            method=(spec.method or "btree").lower(),
            constraint=name,
            location=self._constraint_location(table, spec),
            attrs=MappingProxyType({"exclusion": spec.expression}),
        )
        return replace(table, indexes=(*table.indexes, index))

    def _keys(self, spec: ddl.ConstraintSpec, columns: tuple[str, ...] | None = None) -> tuple[IndexKey, ...]:
        """The index keys of a constraint; ``columns``: its columns as the table spells them."""
        if spec.keys:
            return tuple(_index_key(k) for k in spec.keys)
        return tuple(IndexKey(column=c) for c in (spec.columns if columns is None else columns))

    def _add_primary(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        if table.primary_key is not None:
            self._problem(f"table {table.name!r} has more than one primary key")
            return table
        location = self._constraint_location(table, spec)
        columns = tuple(_canonical(table, c) for c in spec.columns)
        rowid_alias = self.engine is Engine.SQLITE and _is_rowid_alias(table, columns)
        without_rowid = "WITHOUT ROWID" in table.engine_options
        name: str | None
        if self.engine is Engine.POSTGRES:
            name = spec.name or rules.postgres_constraint_name(
                table.name, (), "pkey", self._taken_names(table)
            )
        elif self.engine is Engine.MYSQL:
            name = rules.MYSQL_PRIMARY
        else:
            name = spec.name
        # SQLite keeps a historical quirk: only rowid aliases and WITHOUT ROWID tables force NOT NULL.
        forces_not_null = self.engine is not Engine.SQLITE or rowid_alias or without_rowid
        cols = tuple(
            replace(c, nullable=False) if forces_not_null and c.nullable and c.name in columns else c
            for c in table.columns
        )
        primary = PrimaryKey(columns, name, location)
        if rowid_alias:
            return replace(table, columns=cols, primary_key=primary)
        index_name = (
            rules.sqlite_autoindex_name(table.name, table.indexes) if self.engine is Engine.SQLITE else name
        )
        index = Index(
            name=index_name or "",
            keys=self._keys(spec, columns),
            unique=True,
            primary=True,
            constraint=name or index_name,
            location=location,
        )
        return replace(table, columns=cols, primary_key=primary, indexes=(*table.indexes, index))

    def _add_unique(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        location = self._constraint_location(table, spec)
        columns = tuple(_canonical(table, c) for c in spec.columns)
        taken = self._taken_names(table)
        name: str | None
        if self.engine is Engine.POSTGRES:
            name = spec.name or rules.postgres_constraint_name(table.name, columns, "key", taken)
            index_name = name
        elif self.engine is Engine.MYSQL:
            name = spec.name or rules.unique_name(columns[0] if columns else "key", taken)
            index_name = name
        else:
            name = spec.name
            index_name = rules.sqlite_autoindex_name(table.name, table.indexes)
        index = Index(
            name=index_name,
            keys=self._keys(spec, columns),
            unique=True,
            constraint=name or index_name,
            method=spec.method or "btree",
            location=location,
        )
        unique = UniqueConstraint(columns, name, location)
        return replace(table, uniques=(*table.uniques, unique), indexes=(*table.indexes, index))

    def _add_inline_index(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        keys = self._keys(spec)
        first = next((k.column for k in keys if k.column), "key")
        name = spec.name or rules.unique_name(first, self._taken_names(table))
        index = Index(
            name=name,
            keys=keys,
            method=spec.method or "btree",
            location=self._constraint_location(table, spec),
        )
        return replace(table, indexes=(*table.indexes, index))

    def _add_foreign(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        assert spec.reference is not None
        ref = spec.reference
        location = self._constraint_location(table, spec)
        columns = tuple(_canonical(table, c) for c in spec.columns)
        taken = self._taken_names(table)
        name = spec.name
        if name is None and self.engine is Engine.POSTGRES:
            name = rules.postgres_constraint_name(table.name, columns, "fkey", taken)
        elif name is None and self.engine is Engine.MYSQL:
            count = sum(1 for fk in table.foreign_keys if fk.name and "_ibfk_" in fk.name)
            name = f"{table.name}_ibfk_{count + 1}"
        ref_columns = ref.columns
        if not ref_columns:
            parent = table if self._key(ref.table) == self._key(table.name, table.schema) else None
            parent = parent or self.tables.get(self._key(ref.table))
            if parent is not None and parent.primary_key is not None:
                ref_columns = parent.primary_key.columns
        fk = ForeignKey(
            columns=columns,
            ref_table=ref.table.name,
            ref_columns=ref_columns,
            ref_schema=ref.table.schema if ref.table.schema is not None else self.default_schema,
            name=name,
            on_delete=ref.on_delete,
            on_update=ref.on_update,
            deferrable=ref.deferrable,
            initially_deferred=ref.initially_deferred,
            validated=spec.validated,
            location=location,
        )
        table = replace(table, foreign_keys=(*table.foreign_keys, fk))
        if self.engine is Engine.MYSQL and rules.mysql_needs_fk_index(columns, table.indexes):
            index_name = spec.name or rules.unique_name(columns[0], self._taken_names(table))
            index = Index(index_name, tuple(IndexKey(column=c) for c in columns), location=location)
            table = replace(table, indexes=(*table.indexes, index))
        return table

    def _add_check(self, table: Table, spec: ddl.ConstraintSpec) -> Table:
        name = spec.name
        if name is None and self.engine is Engine.POSTGRES:
            name = rules.postgres_constraint_name(
                table.name, spec.columns[:1], "check", self._taken_names(table)
            )
        check = CheckConstraint(
            spec.expression or "", name, spec.validated, self._constraint_location(table, spec)
        )
        return replace(table, checks=(*table.checks, check))

    # CREATE INDEX -----------------------------------------------------------------------------

    def _on_CreateIndex(self, action: ddl.CreateIndex) -> None:
        table = self._table(action.table)
        if table is None:
            return
        keys = tuple(_index_key(k) for k in action.keys)
        name = action.name or self._default_index_name(table, keys)
        exists = (
            any(self._same_name(i.name, name) for i in table.indexes)
            if self.engine is Engine.MYSQL  # MySQL index names are per table, elsewhere per schema
            else self.tables.has_index(table.schema, name)
        )
        if exists:
            if not action.if_not_exists:
                self._problem(f"index {name!r} already exists")
            return
        index = Index(
            name=name,
            keys=keys,
            unique=action.unique,
            method=(action.method or "btree").lower(),
            where=action.where,
            include=action.include,
            location=self._location(action.position, table.qualified_name),
            attrs=_CONCURRENTLY if action.concurrently else _NOTHING,
        )
        self.tables[self._key(table.name, table.schema)] = replace(table, indexes=(*table.indexes, index))

    def _default_index_name(self, table: Table, keys: tuple[IndexKey, ...]) -> str:
        if self.engine is Engine.MYSQL:  # MySQL index names are per table
            taken = [i.name for i in table.indexes]
            return rules.unique_name(next((k.column for k in keys if k.column), "key"), taken)
        parts = [k.column or "expr" for k in keys]
        return rules.postgres_constraint_name(table.name, parts, "idx", self.tables.index_names(table.schema))

    def _same_name(self, a: str, b: str) -> bool:
        return a == b if self.engine is Engine.POSTGRES else a.lower() == b.lower()

    # ALTER TABLE ------------------------------------------------------------------------------

    def _on_AddColumn(self, action: ddl.AddColumn) -> None:
        def change(table: Table) -> Table:
            if table.column(action.column.name) is not None:
                if not action.if_not_exists:
                    self._problem(f"column {action.column.name!r} already exists")
                return table
            column = self._column(action.column, table.name, table.schema)
            table = replace(table, columns=(*table.columns, column))
            for constraint in action.column.constraints:
                table = self._add_constraint(table, constraint)
            return table

        self._update(action.table, change)

    def _on_DropColumn(self, action: ddl.DropColumn) -> None:
        self._update(action.table, lambda table: _drop_column(table, action.column))

    def _on_AlterColumnType(self, action: ddl.AlterColumnType) -> None:
        norm = self._normalize(action.raw_type)
        fields = {
            "raw_type": action.raw_type,
            "kind": norm.kind,
            "length": norm.length,
            "precision": norm.precision,
            "scale": norm.scale,
            "enum_values": norm.enum_values,
        }
        self._update(action.table, lambda table: _change_column(table, action.column, **fields))

    def _on_SetNotNull(self, action: ddl.SetNotNull) -> None:
        self._update(
            action.table, lambda table: _change_column(table, action.column, nullable=not action.not_null)
        )

    def _on_SetDefault(self, action: ddl.SetDefault) -> None:
        self._update(action.table, lambda table: _change_column(table, action.column, default=action.default))

    def _on_ReplaceColumn(self, action: ddl.ReplaceColumn) -> None:
        def change(table: Table) -> Table:
            old = table.column(action.old_name)
            if old is None:
                self._problem(f"column {action.old_name!r} does not exist")
                return table
            if old.name != action.column.name:
                table = _rename_column(table, old.name, action.column.name)
            column = self._column(action.column, table.name, table.schema)
            if table.primary_key is not None and column.name in table.primary_key.columns:
                column = replace(column, nullable=False)
            columns = tuple(column if c.name == action.column.name else c for c in table.columns)
            table = replace(table, columns=columns)
            for constraint in action.column.constraints:
                table = self._add_constraint(table, constraint)
            return table

        self._update(action.table, change)

    def _on_AddConstraint(self, action: ddl.AddConstraint) -> None:
        self._update(action.table, lambda table: self._add_constraint(table, action.constraint))

    def _on_ValidateConstraint(self, action: ddl.ValidateConstraint) -> None:
        def change(table: Table) -> Table:
            name = action.name
            if not any(f.name == name for f in table.foreign_keys) and not any(
                c.name == name for c in table.checks
            ):
                return table  # not one the files added: nothing changes
            fks = tuple(replace(f, validated=True) if f.name == name else f for f in table.foreign_keys)
            checks = tuple(replace(c, validated=True) if c.name == name else c for c in table.checks)
            return replace(table, foreign_keys=fks, checks=checks)

        self._update(action.table, change)

    def _on_DropConstraint(self, action: ddl.DropConstraint) -> None:
        def change(table: Table) -> Table:
            dropped = _drop_constraint(table, action.name, action.kind, self._same_name)
            if dropped is table and not action.if_exists:
                self._problem(f"constraint {action.name!r} does not exist")
            return dropped

        self._update(action.table, change)

    def _on_RenameTable(self, action: ddl.RenameTable) -> None:
        table = self._table(action.table)
        if table is None:
            return
        del self.tables[self._key(table.name, table.schema)]
        renamed = replace(table, name=action.new_name)
        if renamed.location is not None:
            renamed = replace(renamed, location=renamed.location.with_object(renamed.qualified_name))
        self.tables[self._key(action.new_name, table.schema)] = renamed
        for key, other in self.tables.items():
            fks = tuple(
                replace(fk, ref_table=action.new_name)
                if self._key(fk.ref_table, fk.ref_schema) == self._key(table.name, table.schema)
                else fk
                for fk in other.foreign_keys
            )
            self.tables[key] = replace(other, foreign_keys=fks)

    def _on_RenameColumn(self, action: ddl.RenameColumn) -> None:
        table = self._table(action.table)
        if table is None:
            return
        if table.column(action.old_name) is None:
            self._problem(f"column {action.old_name!r} does not exist")
            return
        old = table.column(action.old_name)
        assert old is not None
        self.tables[self._key(table.name, table.schema)] = _rename_column(table, old.name, action.new_name)
        for key, other in self.tables.items():
            fks = tuple(
                replace(
                    fk, ref_columns=tuple(action.new_name if c == old.name else c for c in fk.ref_columns)
                )
                if self._key(fk.ref_table, fk.ref_schema) == self._key(table.name, table.schema)
                else fk
                for fk in other.foreign_keys
            )
            self.tables[key] = replace(other, foreign_keys=fks)

    def _on_RenameConstraint(self, action: ddl.RenameConstraint) -> None:
        def change(table: Table) -> Table:
            new = action.new_name
            pk = table.primary_key
            if pk is not None and pk.name == action.old_name:
                pk = replace(pk, name=new)
            return replace(
                table,
                primary_key=pk,
                uniques=tuple(
                    replace(u, name=new) if u.name == action.old_name else u for u in table.uniques
                ),
                checks=tuple(replace(c, name=new) if c.name == action.old_name else c for c in table.checks),
                foreign_keys=tuple(
                    replace(f, name=new) if f.name == action.old_name else f for f in table.foreign_keys
                ),
                indexes=tuple(
                    replace(i, name=new, constraint=new) if i.constraint == action.old_name else i
                    for i in table.indexes
                ),
            )

        self._update(action.table, change)

    # DROP -------------------------------------------------------------------------------------

    def _on_Drop(self, action: ddl.Drop) -> None:
        for name in action.names:
            if not self._drop_one(action, name) and not action.if_exists:
                self._problem(f"{action.kind} {name.name!r} does not exist")

    def _drop_one(self, action: ddl.Drop, name: ddl.Name) -> bool:
        key = self._key(name)
        if action.kind == "table":
            table = self.tables.pop(key, None)
            if table is not None:
                for seq_key, seq in list(self.sequences.items()):
                    if seq.owned_by and seq.owned_by[0] == table.name and seq.schema == table.schema:
                        del self.sequences[seq_key]
            return table is not None
        if action.kind == "view":
            return self.views.pop(key, None) is not None
        if action.kind == "type":
            return self.enums.pop(key, None) is not None
        if action.kind == "sequence":
            return self.sequences.pop(key, None) is not None
        candidates = list(self.tables.items())
        if action.table is not None:
            candidates = [(k, t) for k, t in candidates if k == self._key(action.table)]
        for table_key, table in candidates:
            if action.table is None and table.schema != key[0] and self.engine is not Engine.MYSQL:
                continue
            kept = tuple(i for i in table.indexes if not self._same_name(i.name, name.name))
            if len(kept) != len(table.indexes):
                self.tables[table_key] = replace(table, indexes=kept)
                return True
        return False

    # types, sequences, views, comments --------------------------------------------------------

    def _on_CreateEnum(self, action: ddl.CreateEnum) -> None:
        schema = self._schema(action.name)
        obj = ".".join(p for p in (schema, action.name.name) if p)
        location = self._location(action.position, obj)
        self.enums[self._key(action.name)] = EnumType(action.name.name, action.values, schema, location)

    def _on_AddEnumValue(self, action: ddl.AddEnumValue) -> None:
        key = self._key(action.name)
        enum = self.enums.get(key)
        if enum is None:
            self._problem(f"type {action.name.name!r} does not exist")
            return
        if action.value in enum.values:
            return
        values = list(enum.values)
        if action.neighbor in values:
            at = values.index(action.neighbor) + (1 if action.after else 0)
            values.insert(at, action.value)
        else:
            values.append(action.value)
        self.enums[key] = replace(enum, values=tuple(values))

    def _on_RenameEnumValue(self, action: ddl.RenameEnumValue) -> None:
        key = self._key(action.name)
        enum = self.enums.get(key)
        if enum is None:
            self._problem(f"type {action.name.name!r} does not exist")
            return
        values = tuple(action.new_value if v == action.old_value else v for v in enum.values)
        self.enums[key] = replace(enum, values=values)

    def _on_CreateSequence(self, action: ddl.CreateSequence) -> None:
        key = self._key(action.name)
        if key in self.sequences and action.if_not_exists:
            return
        schema = self._schema(action.name)
        data_type = (action.data_type or "bigint").lower()
        data_type = {"int": "integer", "int4": "integer", "int8": "bigint", "int2": "smallint"}.get(
            data_type, data_type
        )
        owned = action.owned_by[-2:] if len(action.owned_by) >= 2 else None
        self.sequences[key] = Sequence(
            name=action.name.name,
            schema=schema,
            data_type=data_type,
            start=action.start if action.start is not None else 1,
            increment=action.increment if action.increment is not None else 1,
            min_value=action.min_value if action.min_value is not None else 1,
            max_value=action.max_value if action.max_value is not None else rules.SEQUENCE_MAX.get(data_type),
            cycle=action.cycle,
            owned_by=(owned[0], owned[1]) if owned else None,
            location=self._location(action.position, ".".join(p for p in (schema, action.name.name) if p)),
        )

    def _on_CreateView(self, action: ddl.CreateView) -> None:
        schema = self._schema(action.name)
        obj = ".".join(p for p in (schema, action.name.name) if p)
        view = View(
            action.name.name,
            action.definition,
            schema,
            action.materialized,
            self._location(action.position, obj),
        )
        self.views[self._key(action.name)] = view

    def _on_Comment(self, action: ddl.Comment) -> None:
        if action.target == "table":
            self._update(action.table, lambda table: replace(table, comment=action.text))
        elif action.column is not None:
            column = action.column
            self._update(action.table, lambda table: _change_column(table, column, comment=action.text))


_NOTHING: MappingProxyType[str, Any] = MappingProxyType({})  # read-only, so one serves every object
_CONCURRENTLY: MappingProxyType[str, Any] = MappingProxyType({"concurrently": True})


def _frozen(attrs: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(attrs) if attrs else _NOTHING


def _column_attrs(spec: ddl.ColumnSpec) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if spec.collation:
        attrs["collation"] = spec.collation
    if spec.generated_stored is not None:
        attrs["generated_stored"] = spec.generated_stored
    return attrs


def _integer_type(kind: TypeKind) -> str:
    return {TypeKind.SMALLINT: "smallint", TypeKind.INTEGER: "integer"}.get(kind, "bigint")


def _index_key(spec: ddl.KeySpec) -> IndexKey:
    return IndexKey(
        column=spec.column,
        expression=spec.expression,
        descending=spec.descending,
        opclass=spec.opclass,
        collation=spec.collation,
        prefix_length=spec.prefix_length,
    )


def _canonical(table: Table, name: str) -> str:
    """The column's name as the table spells it (MySQL and SQLite match column names without case)."""
    column = table.column(name)
    return column.name if column is not None else name


def _is_rowid_alias(table: Table, columns: tuple[str, ...]) -> bool:
    """SQLite: a single ``INTEGER PRIMARY KEY`` column is the rowid itself and gets no index."""
    if len(columns) != 1 or "WITHOUT ROWID" in table.engine_options:
        return False
    column = table.column(columns[0])
    return column is not None and column.raw_type.strip().upper() == "INTEGER"


def _change_column(table: Table, name: str, **changes: Any) -> Table:
    column = table.column(name)
    if column is None:
        return table
    return replace(table, columns=tuple(replace(c, **changes) if c is column else c for c in table.columns))


def _rename_column(table: Table, old: str, new: str) -> Table:
    def rename(names: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if n == old else n for n in names)

    def rename_location(location: Location | None) -> Location | None:
        if location is None or location.object is None:
            return location
        return location.with_object(f"{table.qualified_name}.{new}")

    columns = tuple(
        replace(c, name=new, location=rename_location(c.location)) if c.name == old else c
        for c in table.columns
    )
    pk = table.primary_key
    return replace(
        table,
        columns=columns,
        primary_key=replace(pk, columns=rename(pk.columns)) if pk else None,
        uniques=tuple(replace(u, columns=rename(u.columns)) for u in table.uniques),
        foreign_keys=tuple(replace(f, columns=rename(f.columns)) for f in table.foreign_keys),
        indexes=tuple(
            replace(i, keys=tuple(replace(k, column=new) if k.column == old else k for k in i.keys))
            for i in table.indexes
        ),
    )


def _drop_column(table: Table, name: str) -> Table:
    """Dropping a column drops the constraints and indexes that use it, as every engine does."""
    column = table.column(name)
    if column is None:
        return table
    gone = column.name
    pk = table.primary_key if table.primary_key and gone not in table.primary_key.columns else None
    return replace(
        table,
        columns=tuple(c for c in table.columns if c.name != gone),
        primary_key=pk,
        uniques=tuple(u for u in table.uniques if gone not in u.columns),
        foreign_keys=tuple(f for f in table.foreign_keys if gone not in f.columns),
        indexes=tuple(
            i for i in table.indexes if gone not in (k.column for k in i.keys) and gone not in i.include
        ),
    )


def _drop_constraint(
    table: Table, name: str | None, kind: str | None, same: Callable[[str, str], bool]
) -> Table:
    def match(other: str | None) -> bool:
        return other is not None and name is not None and same(other, name)

    if kind == "primary" or (table.primary_key is not None and match(table.primary_key.name)):
        if table.primary_key is None:
            return table
        return replace(table, primary_key=None, indexes=tuple(i for i in table.indexes if not i.primary))
    uniques = tuple(u for u in table.uniques if not match(u.name))
    checks = tuple(c for c in table.checks if not match(c.name)) if kind in (None, "check") else table.checks
    fks = (
        tuple(f for f in table.foreign_keys if not match(f.name))
        if kind in (None, "foreign")
        else table.foreign_keys
    )
    if kind == "foreign":
        indexes = table.indexes  # MySQL keeps the index it added for the foreign key
    else:
        indexes = tuple(
            i for i in table.indexes if not (match(i.constraint) or (kind == "index" and match(i.name)))
        )
    changed = replace(table, uniques=uniques, checks=checks, foreign_keys=fks, indexes=indexes)
    return table if changed == table else changed
