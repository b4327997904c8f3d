"""PostgreSQL DDL (pglast raw parse trees) -> :mod:`dbexpert.sql.ddl` actions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType, SortByDir
from pglast.stream import RawStream

from dbexpert.sql.ddl import (
    Action,
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumnType,
    ColumnSpec,
    Comment,
    ConstraintSpec,
    CreateEnum,
    CreateIndex,
    CreateSequence,
    CreateTable,
    CreateView,
    Drop,
    DropColumn,
    DropConstraint,
    KeySpec,
    Name,
    Position,
    ReferenceSpec,
    RenameColumn,
    RenameConstraint,
    RenameTable,
    SetDefault,
    SetNotNull,
    ValidateConstraint,
)
from dbexpert.sql.parse import Statement

_T = TypeVar("_T")

_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_CONSTRAINT_KINDS = {
    ConstrType.CONSTR_PRIMARY: "primary",
    ConstrType.CONSTR_UNIQUE: "unique",
    ConstrType.CONSTR_FOREIGN: "foreign",
    ConstrType.CONSTR_CHECK: "check",
}


class _Reader:
    """Turns one statement's tree into actions; knows how to place the tree's offsets."""

    def __init__(self, statement: Statement) -> None:
        assert statement.tree is not None
        self.statement = statement
        self.base = statement.tree.base

    def position(self, location: int | None) -> Position:
        if location is None or location < 0:
            return Position(self.statement.line, self.statement.column)
        line, column = self.statement.position(self.base + location)
        return Position(line, column)


def postgres_actions(statement: Statement) -> list[Action]:
    assert statement.tree is not None
    node = statement.tree.node
    handler = _HANDLERS.get(type(node))
    if handler is None:
        return []
    return list(handler(node, _Reader(statement)))


def _given(value: _T | None) -> _T:
    """A field the grammar always fills for this kind of node (the stubs type every field optional)."""
    assert value is not None
    return value


def _sql(node: Any) -> str:
    return RawStream()(node)


def _strings(nodes: Iterable[Any] | None) -> tuple[str, ...]:
    return tuple(n.sval for n in nodes or () if isinstance(n, ast.String) and n.sval is not None)


def _name(range_var: ast.RangeVar | None) -> Name:
    range_var = _given(range_var)
    return Name(_given(range_var.relname), range_var.schemaname)


def _dotted(parts: tuple[str, ...]) -> Name:
    return Name(parts[-1], parts[-2] if len(parts) > 1 else None)


def _create_table(node: ast.CreateStmt, reader: _Reader) -> Iterable[Action]:
    columns: list[ColumnSpec] = []
    constraints: list[ConstraintSpec] = []
    for element in node.tableElts or ():
        if isinstance(element, ast.ColumnDef):
            columns.append(_column(element, reader))
        elif isinstance(element, ast.Constraint) and element.contype in _CONSTRAINT_KINDS:
            constraints.append(_constraint(element, reader))
    relation = _given(node.relation)
    yield CreateTable(
        table=_name(relation),
        columns=tuple(columns),
        constraints=tuple(constraints),
        if_not_exists=bool(node.if_not_exists),
        temporary=relation.relpersistence == "t",
        partitioned=node.partspec is not None,
        position=reader.position(relation.location),
    )


def _column(node: ast.ColumnDef, reader: _Reader) -> ColumnSpec:
    not_null = False
    default = identity = generated = None
    constraints: list[ConstraintSpec] = []
    for constraint in node.constraints or ():
        kind = constraint.contype
        if kind is ConstrType.CONSTR_NOTNULL:
            not_null = True
        elif kind is ConstrType.CONSTR_NULL:
            not_null = False
        elif kind is ConstrType.CONSTR_DEFAULT:
            default = _sql(constraint.raw_expr)
        elif kind is ConstrType.CONSTR_IDENTITY:
            identity = "always" if constraint.generated_when == "a" else "by default"
        elif kind is ConstrType.CONSTR_GENERATED:
            generated = _sql(constraint.raw_expr)
        elif kind in _CONSTRAINT_KINDS:
            constraints.append(_constraint(constraint, reader, column=node.colname))
        elif kind in (ConstrType.CONSTR_ATTR_DEFERRABLE, ConstrType.CONSTR_ATTR_DEFERRED) and constraints:
            # Attribute clauses follow the constraint they qualify: REFERENCES p DEFERRABLE.
            constraints[-1] = _deferrable(constraints[-1], kind is ConstrType.CONSTR_ATTR_DEFERRED)
    return ColumnSpec(
        name=_given(node.colname),
        raw_type=_sql(node.typeName) if node.typeName is not None else "",
        not_null=not_null,
        default=default,
        identity=identity,
        generated=generated,
        generated_stored=True if generated is not None else None,
        collation=".".join(_strings(node.collClause.collname)) if node.collClause else None,
        constraints=tuple(constraints),
        position=reader.position(node.location),
    )


def _deferrable(spec: ConstraintSpec, initially_deferred: bool) -> ConstraintSpec:
    if spec.reference is None:
        return spec
    ref = spec.reference
    reference = ReferenceSpec(
        ref.table,
        ref.columns,
        ref.on_delete,
        ref.on_update,
        True,
        initially_deferred or ref.initially_deferred,
    )
    return ConstraintSpec(
        spec.kind,
        spec.name,
        spec.columns,
        spec.keys,
        spec.expression,
        reference,
        spec.validated,
        position=spec.position,
    )


def _constraint(node: ast.Constraint, reader: _Reader, column: str | None = None) -> ConstraintSpec:
    kind = _CONSTRAINT_KINDS[_given(node.contype)]
    columns: tuple[str, ...]
    position = reader.position(node.location)
    validated = not node.skip_validation
    if kind == "check":
        columns = (column,) if column else ()
        return ConstraintSpec(
            kind,
            node.conname,
            columns,
            expression=_sql(node.raw_expr),
            validated=validated,
            position=position,
        )
    if kind == "foreign":
        columns = (column,) if column else _strings(node.fk_attrs)
        reference = ReferenceSpec(
            table=_name(node.pktable),
            columns=_strings(node.pk_attrs),
            on_delete=_FK_ACTIONS.get(node.fk_del_action or "a", "NO ACTION"),
            on_update=_FK_ACTIONS.get(node.fk_upd_action or "a", "NO ACTION"),
            deferrable=bool(node.deferrable),
            initially_deferred=bool(node.initdeferred),
        )
        return ConstraintSpec(
            kind, node.conname, columns, reference=reference, validated=validated, position=position
        )
    columns = (column,) if column else _strings(node.keys)
    return ConstraintSpec(kind, node.conname, columns, position=position)


def _create_index(node: ast.IndexStmt, reader: _Reader) -> Iterable[Action]:
    yield CreateIndex(
        table=_name(node.relation),
        keys=tuple(_index_key(param) for param in node.indexParams or ()),
        name=node.idxname,
        unique=bool(node.unique),
        method=node.accessMethod,
        where=_sql(node.whereClause) if node.whereClause is not None else None,
        include=tuple(p.name for p in node.indexIncludingParams or () if p.name),
        concurrently=bool(node.concurrent),
        if_not_exists=bool(node.if_not_exists),
        position=reader.position(_given(node.relation).location),
    )


def _index_key(param: ast.IndexElem) -> KeySpec:
    return KeySpec(
        column=param.name,
        expression=_sql(param.expr) if param.expr is not None else None,
        descending=param.ordering is SortByDir.SORTBY_DESC,
        opclass=".".join(_strings(param.opclass)) or None,
        collation=".".join(_strings(param.collation)) or None,
    )


def _alter_table(node: ast.AlterTableStmt, reader: _Reader) -> Iterable[Action]:
    if node.objtype is not ObjectType.OBJECT_TABLE:
        return
    table = _name(node.relation)
    for cmd in node.cmds or ():
        yield from _alter_command(cmd, table, reader)


def _alter_command(cmd: ast.AlterTableCmd, table: Name, reader: _Reader) -> Iterable[Action]:
    subtype = cmd.subtype
    definition = cmd.def_
    if subtype is AlterTableType.AT_AddColumn:
        assert isinstance(definition, ast.ColumnDef)
        yield AddColumn(table, _column(definition, reader), bool(cmd.missing_ok))
    elif subtype is AlterTableType.AT_DropColumn:
        yield DropColumn(table, _given(cmd.name), bool(cmd.missing_ok))
    elif subtype is AlterTableType.AT_AlterColumnType:
        assert isinstance(definition, ast.ColumnDef)
        yield AlterColumnType(table, _given(cmd.name), _sql(definition.typeName))
    elif subtype in (AlterTableType.AT_SetNotNull, AlterTableType.AT_DropNotNull):
        yield SetNotNull(table, _given(cmd.name), subtype is AlterTableType.AT_SetNotNull)
    elif subtype is AlterTableType.AT_ColumnDefault:
        yield SetDefault(table, _given(cmd.name), _sql(definition) if definition is not None else None)
    elif subtype is AlterTableType.AT_AddConstraint:
        assert isinstance(definition, ast.Constraint)
        if definition.contype in _CONSTRAINT_KINDS:
            yield AddConstraint(table, _constraint(definition, reader))
    elif subtype is AlterTableType.AT_ValidateConstraint:
        yield ValidateConstraint(table, _given(cmd.name))
    elif subtype is AlterTableType.AT_DropConstraint:
        yield DropConstraint(table, cmd.name, if_exists=bool(cmd.missing_ok))


def _rename(node: ast.RenameStmt, reader: _Reader) -> Iterable[Action]:
    kind = node.renameType
    if kind is ObjectType.OBJECT_TABLE:
        yield RenameTable(_name(node.relation), _given(node.newname))
    elif kind is ObjectType.OBJECT_COLUMN and node.relationType is ObjectType.OBJECT_TABLE:
        yield RenameColumn(_name(node.relation), _given(node.subname), _given(node.newname))
    elif kind is ObjectType.OBJECT_TABCONSTRAINT:
        yield RenameConstraint(_name(node.relation), _given(node.subname), _given(node.newname))


_DROP_KINDS = {
    ObjectType.OBJECT_TABLE: "table",
    ObjectType.OBJECT_INDEX: "index",
    ObjectType.OBJECT_VIEW: "view",
    ObjectType.OBJECT_MATVIEW: "view",
    ObjectType.OBJECT_TYPE: "type",
    ObjectType.OBJECT_SEQUENCE: "sequence",
}


def _drop(node: ast.DropStmt, reader: _Reader) -> Iterable[Action]:
    kind = _DROP_KINDS.get(_given(node.removeType))
    if kind is None:
        return
    names = []
    for obj in node.objects or ():
        parts = _strings(obj.names) if isinstance(obj, ast.TypeName) else _strings(obj)
        if parts:
            names.append(_dotted(parts))
    yield Drop(kind, tuple(names), bool(node.missing_ok))


def _create_enum(node: ast.CreateEnumStmt, reader: _Reader) -> Iterable[Action]:
    yield CreateEnum(_dotted(_strings(node.typeName)), _strings(node.vals), reader.position(None))


def _alter_enum(node: ast.AlterEnumStmt, reader: _Reader) -> Iterable[Action]:
    if node.newVal is None or node.oldVal is not None:
        return
    yield AddEnumValue(
        _dotted(_strings(node.typeName)),
        node.newVal,
        node.newValNeighbor,
        bool(node.newValIsAfter),
        bool(node.skipIfNewValExists),
    )


def _create_sequence(node: ast.CreateSeqStmt, reader: _Reader) -> Iterable[Action]:
    options: dict[str, Any] = {}
    for option in node.options or ():
        options[option.defname] = option.arg
    yield CreateSequence(
        name=_name(node.sequence),
        data_type=_sql(options["as"]) if "as" in options else None,
        start=_number(options.get("start")),
        increment=_number(options.get("increment")),
        min_value=_number(options.get("minvalue")),
        max_value=_number(options.get("maxvalue")),
        cycle=_flag(options.get("cycle")),
        owned_by=_strings(options.get("owned_by")),
        if_not_exists=bool(node.if_not_exists),
        position=reader.position(_given(node.sequence).location),
    )


def _number(value: Any) -> int | None:
    if isinstance(value, ast.Integer):
        return int(_given(value.ival))
    if isinstance(value, ast.Float):
        return int(_given(value.fval))
    return None


def _flag(value: Any) -> bool:
    if isinstance(value, ast.Boolean):
        return bool(value.boolval)
    if isinstance(value, ast.Integer):
        return bool(value.ival)
    return False


def _create_view(node: ast.ViewStmt, reader: _Reader) -> Iterable[Action]:
    view = _given(node.view)
    yield CreateView(_name(view), _sql(node.query), False, bool(node.replace), reader.position(view.location))


def _create_table_as(node: ast.CreateTableAsStmt, reader: _Reader) -> Iterable[Action]:
    if node.objtype is not ObjectType.OBJECT_MATVIEW:
        return
    relation = _given(_given(node.into).rel)
    yield CreateView(_name(relation), _sql(node.query), True, False, reader.position(relation.location))


def _comment(node: ast.CommentStmt, reader: _Reader) -> Iterable[Action]:
    if node.objtype is ObjectType.OBJECT_TABLE:
        yield Comment("table", _dotted(_strings(node.object)), None, node.comment)
    elif node.objtype is ObjectType.OBJECT_COLUMN:
        parts = _strings(node.object)
        yield Comment("column", _dotted(parts[:-1]), parts[-1], node.comment)


_HANDLERS: dict[type, Callable[[Any, _Reader], Iterable[Action]]] = {
    ast.CreateStmt: _create_table,
    ast.IndexStmt: _create_index,
    ast.AlterTableStmt: _alter_table,
    ast.RenameStmt: _rename,
    ast.DropStmt: _drop,
    ast.CreateEnumStmt: _create_enum,
    ast.AlterEnumStmt: _alter_enum,
    ast.CreateSeqStmt: _create_sequence,
    ast.ViewStmt: _create_view,
    ast.CreateTableAsStmt: _create_table_as,
    ast.CommentStmt: _comment,
}
