"""PostgreSQL DDL (pglast raw parse trees) -> :mod:`dbexpert.sql.ddl` actions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pglast import ast
from pglast import parser as pg_parser
from pglast.enums import (
    AlterTableType,
    BoolExprType,
    ConstrType,
    DropBehavior,
    ObjectType,
    ReindexObjectType,
    SortByDir,
    SubLinkType,
    TransactionStmtKind,
    VariableSetKind,
)
from pglast.stream import RawStream

from dbexpert.sql.ddl import (
    Action,
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AlterColumnType,
    AttachPartition,
    ColumnSpec,
    Comment,
    ConstraintSpec,
    CreateEnum,
    CreateIndex,
    CreateSequence,
    CreateTable,
    CreateView,
    DataChange,
    DetachPartition,
    Drop,
    DropColumn,
    DropConstraint,
    KeySpec,
    LockTable,
    Name,
    Position,
    ReferenceSpec,
    Reindex,
    RenameColumn,
    RenameConstraint,
    RenameEnumValue,
    RenameTable,
    Rewrite,
    SetDefault,
    SetNotNull,
    SetSetting,
    TransactionControl,
    Truncate,
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
    ConstrType.CONSTR_EXCLUSION: "exclusion",
}
# Tokens that end an expression written inside a column definition (DEFAULT x NOT NULL ...).
_EXPRESSION_END = frozenset(
    """NOT NULL_P CONSTRAINT CHECK DEFAULT REFERENCES PRIMARY UNIQUE GENERATED COLLATE DEFERRABLE
    INITIALLY USING STORED""".split()
)
# Keywords that introduce an expression; its text starts right after them.
_ANCHORS = frozenset({"DEFAULT", "USING", "AS", "ASCII_44"})


class _Reader:
    """Turns one statement's tree into actions; knows how to place the tree's offsets."""

    def __init__(self, statement: Statement) -> None:
        assert statement.tree is not None
        self.statement = statement
        self.base = statement.tree.base
        self._tokens: list[Any] | None = None

    def tokens(self) -> list[Any]:
        """The statement's tokens, with offsets into the whole text (end offsets inclusive)."""
        if self._tokens is None:
            start = self.statement.start
            try:
                scanned = pg_parser.scan(self.statement.text)
            except pg_parser.ParseError:  # pragma: no cover - the statement already parsed
                scanned = []
            self._tokens = [(start + t.start, start + t.end, t.name) for t in scanned]
        return self._tokens

    def text(self, node: Any, stop: frozenset[str] = _EXPRESSION_END) -> str:
        """``node`` as written in the source (``'x'::text`` stays so), else as pglast prints it.

        The expression starts at the smallest offset inside it and ends before the first comma,
        unbalanced parenthesis or ``stop`` keyword outside parentheses."""
        span = _location_span(node)
        if span is None:
            return _sql(node)
        tokens = self.tokens()
        index = bisect_left(tokens, (self.base + span[0],))
        # Constants, parentheses and "::" carry no offset: walk back to the clause's own keyword.
        while index > 0 and tokens[index - 1][2] not in _ANCHORS:
            index -= 1
        if index >= len(tokens):
            return _sql(node)
        text, end = self._scan(tokens[index][0], stop)
        return text if text and end >= self.base + span[1] else _sql(node)

    def text_from(self, start: int, stop: frozenset[str] = frozenset()) -> str:
        """Source text from offset ``start`` up to the end of the clause that starts there."""
        return self._scan(start, stop)[0]

    def _scan(self, start: int, stop: frozenset[str]) -> tuple[str, int]:

        depth = 0
        end = None
        for token_start, token_end, kind in self.tokens():
            if token_start < start:
                continue
            if depth == 0 and end is not None and (kind in stop or kind in ("ASCII_44", "ASCII_59")):
                break
            if kind == "ASCII_40":
                depth += 1
            elif kind == "ASCII_41":
                if depth == 0:
                    break
                depth -= 1
            end = token_end
        if end is None:
            return "", -1
        offset = self.statement.start
        return self.statement.text[start - offset : end + 1 - offset], end

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


def _unwrap(text: str) -> str:
    """``(expr)`` -> ``expr`` when the outer parentheses enclose the whole text."""
    if not (text.startswith("(") and text.endswith(")")):
        return text
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and i < len(text) - 1:
            return text
    return text[1:-1].strip()


def _location_span(node: Any) -> tuple[int, int] | None:
    """The smallest and largest source offsets recorded anywhere in ``node``'s subtree."""
    best: int | None = None
    last = -1
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
            continue
        if not isinstance(item, ast.Node):
            continue
        location = getattr(item, "location", None)
        if isinstance(location, int) and location >= 0:
            best = location if best is None else min(best, location)
            last = max(last, location)
        for attr in item:
            stack.append(getattr(item, attr))
    return None if best is None else (best, last)


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
            default = reader.text(constraint.raw_expr)
        elif kind is ConstrType.CONSTR_IDENTITY:
            identity = "always" if constraint.generated_when == "a" else "by default"
        elif kind is ConstrType.CONSTR_GENERATED:
            generated = _unwrap(reader.text(constraint.raw_expr))
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
    if kind == "exclusion":
        return _exclusion(node, reader, position)
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
    return ConstraintSpec(kind, node.conname, columns, using_index=node.indexname, position=position)


def _exclusion(node: ast.Constraint, reader: _Reader, position: Position) -> ConstraintSpec:
    keys: list[KeySpec] = []
    for element in node.exclusions or ():
        if element and isinstance(element[0], ast.IndexElem):
            keys.append(_index_key(element[0]))
    clause = _sql(node)
    location = node.location
    if location is not None and location >= 0:
        clause = reader.text_from(reader.base + location)
    if clause.upper().startswith("CONSTRAINT"):
        clause = clause.split(None, 2)[2] if len(clause.split(None, 2)) == 3 else clause
    return ConstraintSpec(
        "exclusion",
        node.conname,
        tuple(k.column for k in keys if k.column),
        tuple(keys),
        expression=clause,
        method=node.access_method or "btree",
        position=position,
    )


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
        using = reader.text(definition.raw_default, frozenset()) if definition.raw_default else None
        yield AlterColumnType(table, _given(cmd.name), _sql(definition.typeName), using)
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
    elif subtype is AlterTableType.AT_SetLogged:
        yield Rewrite("SET LOGGED", (table,))
    elif subtype is AlterTableType.AT_SetUnLogged:
        yield Rewrite("SET UNLOGGED", (table,))
    elif subtype in (AlterTableType.AT_DetachPartition, AlterTableType.AT_DetachPartitionFinalize):
        assert isinstance(definition, ast.PartitionCmd)
        finalize = subtype is AlterTableType.AT_DetachPartitionFinalize
        yield DetachPartition(table, _name(definition.name), bool(definition.concurrent), finalize)
    elif subtype is AlterTableType.AT_AttachPartition:
        assert isinstance(definition, ast.PartitionCmd)
        yield AttachPartition(table, _name(definition.name))


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
    cascade = node.behavior is DropBehavior.DROP_CASCADE
    yield Drop(kind, tuple(names), bool(node.missing_ok), concurrently=bool(node.concurrent), cascade=cascade)


def _create_enum(node: ast.CreateEnumStmt, reader: _Reader) -> Iterable[Action]:
    yield CreateEnum(_dotted(_strings(node.typeName)), _strings(node.vals), reader.position(None))


def _alter_enum(node: ast.AlterEnumStmt, reader: _Reader) -> Iterable[Action]:
    if node.newVal is None:
        return
    if node.oldVal is not None:
        yield RenameEnumValue(_dotted(_strings(node.typeName)), node.oldVal, node.newVal)
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


# Statements that matter to migration safety ---------------------------------------------------

_TRANSACTION_KINDS = {
    TransactionStmtKind.TRANS_STMT_BEGIN: "begin",
    TransactionStmtKind.TRANS_STMT_START: "begin",
    TransactionStmtKind.TRANS_STMT_COMMIT: "commit",
    TransactionStmtKind.TRANS_STMT_ROLLBACK: "rollback",
}


def _transaction(node: ast.TransactionStmt, reader: _Reader) -> Iterable[Action]:
    kind = _TRANSACTION_KINDS.get(_given(node.kind))
    if kind is not None:
        yield TransactionControl(kind)


def _set(node: ast.VariableSetStmt, reader: _Reader) -> Iterable[Action]:
    kind = node.kind
    local = bool(node.is_local)
    if kind is VariableSetKind.VAR_RESET_ALL:
        yield SetSetting("all", None)
    elif node.name is None:
        return
    elif kind is VariableSetKind.VAR_SET_VALUE:
        values = ", ".join(_setting_value(arg) for arg in node.args or ())
        yield SetSetting(node.name.lower(), values, local)
    elif kind in (VariableSetKind.VAR_SET_DEFAULT, VariableSetKind.VAR_RESET):
        yield SetSetting(node.name.lower(), None, local)


def _setting_value(node: Any) -> str:
    if isinstance(node, ast.A_Const):
        value = node.val
        if isinstance(value, ast.String):
            return _given(value.sval)
        if isinstance(value, ast.Integer):
            return str(value.ival)
        if isinstance(value, ast.Float):
            return str(value.fval)
        if isinstance(value, ast.Boolean):
            return "on" if value.boolval else "off"
    return _sql(node)


_REINDEX_KINDS = {
    ReindexObjectType.REINDEX_OBJECT_INDEX: "index",
    ReindexObjectType.REINDEX_OBJECT_TABLE: "table",
    ReindexObjectType.REINDEX_OBJECT_SCHEMA: "schema",
    ReindexObjectType.REINDEX_OBJECT_DATABASE: "database",
    ReindexObjectType.REINDEX_OBJECT_SYSTEM: "system",
}


def _option(options: Iterable[Any] | None, name: str) -> bool:
    """A ``(NAME [boolean])`` option of VACUUM/REINDEX/CLUSTER: present and not turned off."""
    for option in options or ():
        if isinstance(option, ast.DefElem) and option.defname == name:
            arg = option.arg
            if arg is None:
                return True
            if isinstance(arg, ast.String):
                return (arg.sval or "").lower() in ("true", "on", "1", "yes")
            return _flag(arg)
    return False


def _reindex(node: ast.ReindexStmt, reader: _Reader) -> Iterable[Action]:
    kind = _REINDEX_KINDS.get(_given(node.kind))
    if kind is None:
        return
    name = _name(node.relation) if node.relation is not None else Name(node.name or "")
    yield Reindex(kind, name, _option(node.params, "concurrently"))


def _vacuum(node: ast.VacuumStmt, reader: _Reader) -> Iterable[Action]:
    if not node.is_vacuumcmd or not _option(node.options, "full"):
        return
    tables = tuple(_name(rel.relation) for rel in node.rels or () if rel.relation is not None)
    yield Rewrite("VACUUM FULL", tables)


def _cluster(node: ast.ClusterStmt, reader: _Reader) -> Iterable[Action]:
    yield Rewrite("CLUSTER", (_name(node.relation),) if node.relation is not None else ())


_LOCK_MODES = {
    1: "ACCESS SHARE",
    2: "ROW SHARE",
    3: "ROW EXCLUSIVE",
    4: "SHARE UPDATE EXCLUSIVE",
    5: "SHARE",
    6: "SHARE ROW EXCLUSIVE",
    7: "EXCLUSIVE",
    8: "ACCESS EXCLUSIVE",
}


def _lock(node: ast.LockStmt, reader: _Reader) -> Iterable[Action]:
    mode = _LOCK_MODES.get(int(node.mode or 8), "ACCESS EXCLUSIVE")
    yield LockTable(tuple(_name(rel) for rel in node.relations or ()), mode)


def _truncate(node: ast.TruncateStmt, reader: _Reader) -> Iterable[Action]:
    tables = tuple(_name(rel) for rel in node.relations or ())
    yield Truncate(tables, node.behavior is DropBehavior.DROP_CASCADE)


def _insert(node: ast.InsertStmt, reader: _Reader) -> Iterable[Action]:
    select = node.selectStmt
    from_select = isinstance(select, ast.SelectStmt) and not select.valuesLists
    has_where = has_limit = False
    if from_select:
        assert isinstance(select, ast.SelectStmt)
        has_where = select.whereClause is not None
        has_limit = _limited(select) or _bounded(select.whereClause)
    yield DataChange("insert", _name(node.relation), has_where, has_limit, from_select)


def _update(node: ast.UpdateStmt, reader: _Reader) -> Iterable[Action]:
    has_limit = _bounded(node.whereClause) or _batched_sources(node.withClause, node.fromClause)
    yield DataChange("update", _name(node.relation), node.whereClause is not None, has_limit)


def _delete(node: ast.DeleteStmt, reader: _Reader) -> Iterable[Action]:
    has_limit = _bounded(node.whereClause) or _batched_sources(node.withClause, node.usingClause)
    yield DataChange("delete", _name(node.relation), node.whereClause is not None, has_limit)


def _limited(select: Any) -> bool:
    """A SELECT that returns at most a fixed number of rows (LIMIT/FETCH FIRST)."""
    if not isinstance(select, ast.SelectStmt):
        return False
    if select.limitCount is not None:
        return True
    return _limited(select.larg) and _limited(select.rarg) if select.larg is not None else False


def _batched_sources(with_clause: ast.WithClause | None, sources: Iterable[Any] | None) -> bool:
    """UPDATE ... FROM (SELECT ... LIMIT n) or WITH batch AS (SELECT ... LIMIT n): one batch."""
    for cte in (with_clause.ctes if with_clause is not None else None) or ():
        if isinstance(cte, ast.CommonTableExpr) and _limited(cte.ctequery):
            return True
    return any(isinstance(item, ast.RangeSubselect) and _limited(item.subquery) for item in sources or ())


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop is BoolExprType.AND_EXPR:
        return [part for arg in node.args or () for part in _conjuncts(arg)]
    return [node]


_LOWER_OPS = {">": "lower", ">=": "lower", "<": "upper", "<=": "upper"}
_FLIPPED = {"lower": "upper", "upper": "lower"}


def _bounded(where: Any) -> bool:
    """A WHERE that restricts a column to a bounded set: BETWEEN, an IN list, IN (SELECT ... LIMIT),
    or both a lower and an upper bound on the same column (id >= 1000 AND id < 2000)."""
    bounds: dict[str, set[str]] = {}
    for part in _conjuncts(where) if where is not None else ():
        if isinstance(part, ast.A_Expr):
            kind = part.kind.name if part.kind is not None else ""
            if kind in ("AEXPR_BETWEEN", "AEXPR_BETWEEN_SYM"):
                return True
            if kind == "AEXPR_IN" and _strings(part.name) == ("=",):
                return True
            op = _strings(part.name)
            if kind == "AEXPR_OP_ANY" and op == ("=",) and isinstance(part.rexpr, ast.A_ArrayExpr):
                return True
            if kind == "AEXPR_OP" and len(op) == 1 and op[0] in _LOWER_OPS:
                side = _LOWER_OPS[op[0]]
                if isinstance(part.lexpr, ast.ColumnRef):
                    bounds.setdefault(_sql(part.lexpr), set()).add(side)
                elif isinstance(part.rexpr, ast.ColumnRef):
                    bounds.setdefault(_sql(part.rexpr), set()).add(_FLIPPED[side])
        elif isinstance(part, ast.SubLink) and part.subLinkType is SubLinkType.ANY_SUBLINK:
            if _limited(part.subselect):
                return True
    return any(len(sides) == 2 for sides in bounds.values())


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
    ast.TransactionStmt: _transaction,
    ast.VariableSetStmt: _set,
    ast.ReindexStmt: _reindex,
    ast.VacuumStmt: _vacuum,
    ast.ClusterStmt: _cluster,
    ast.LockStmt: _lock,
    ast.TruncateStmt: _truncate,
    ast.InsertStmt: _insert,
    ast.UpdateStmt: _update,
    ast.DeleteStmt: _delete,
}
