"""PostgreSQL DDL (raw parse trees, as :mod:`dbexpert.sql.pg_tree` data) -> :mod:`dbexpert.sql.ddl` actions."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pglast import parser as pg_parser

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
from dbexpert.sql.pg_tree import Tree, fields, items, kind, location_span, parse_json, strings, type_name
from dbexpert.sql.pg_tree import sql as _sql

_T = TypeVar("_T")

_FK_ACTIONS = {"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
_CONSTRAINT_KINDS = {
    "CONSTR_PRIMARY": "primary",
    "CONSTR_UNIQUE": "unique",
    "CONSTR_FOREIGN": "foreign",
    "CONSTR_CHECK": "check",
    "CONSTR_EXCLUSION": "exclusion",
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
        span = location_span(node)
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
        for token_start, token_end, token_kind in self.tokens():
            if token_start < start:
                continue
            if (
                depth == 0
                and end is not None
                and (token_kind in stop or token_kind in ("ASCII_44", "ASCII_59"))
            ):
                break
            if token_kind == "ASCII_40":
                depth += 1
            elif token_kind == "ASCII_41":
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
    if node is None:
        # Trees are not kept with the statements: thousands of them would burden the collector.
        parsed = parse_json(statement.text)
        node = parsed[0].get("stmt") if parsed else None
    name = kind(node)
    handler = _HANDLERS.get(name)
    if handler is None:
        return []
    return list(handler(node[name], _Reader(statement)))


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


def _given(value: _T | None) -> _T:
    """A field the grammar always fills for this kind of node."""
    assert value is not None
    return value


def _location(node: Tree) -> int:
    """A node's own offset (libpg_query leaves a zero offset out)."""
    location: int = node.get("location", 0)
    return location


def _name(range_var: Tree | None) -> Name:
    range_var = _given(range_var)
    return Name(_given(range_var.get("relname")), range_var.get("schemaname"))


def _dotted(parts: tuple[str, ...]) -> Name:
    return Name(parts[-1], parts[-2] if len(parts) > 1 else None)


def _create_table(node: Tree, reader: _Reader) -> Iterable[Action]:
    columns: list[ColumnSpec] = []
    constraints: list[ConstraintSpec] = []
    for element in node.get("tableElts", ()):
        column = fields(element, "ColumnDef")
        if column is not None:
            columns.append(_column(column, reader))
            continue
        constraint = fields(element, "Constraint")
        if constraint is not None and constraint.get("contype") in _CONSTRAINT_KINDS:
            constraints.append(_constraint(constraint, reader))
    relation = _given(node.get("relation"))
    yield CreateTable(
        table=_name(relation),
        columns=tuple(columns),
        constraints=tuple(constraints),
        if_not_exists=bool(node.get("if_not_exists")),
        temporary=relation.get("relpersistence") == "t",
        partitioned=node.get("partspec") is not None,
        position=reader.position(_location(relation)),
    )


def _column(node: Tree, reader: _Reader) -> ColumnSpec:
    not_null = False
    default = identity = generated = None
    constraints: list[ConstraintSpec] = []
    colname = node.get("colname")
    for item in node.get("constraints", ()):
        constraint = fields(item, "Constraint")
        if constraint is None:  # pragma: no cover - the grammar puts only constraints here
            continue
        contype = constraint.get("contype")
        if contype == "CONSTR_NOTNULL":
            not_null = True
        elif contype == "CONSTR_NULL":
            not_null = False
        elif contype == "CONSTR_DEFAULT":
            default = reader.text(constraint.get("raw_expr"))
        elif contype == "CONSTR_IDENTITY":
            identity = "always" if constraint.get("generated_when") == "a" else "by default"
        elif contype == "CONSTR_GENERATED":
            generated = _unwrap(reader.text(constraint.get("raw_expr")))
        elif contype in _CONSTRAINT_KINDS:
            constraints.append(_constraint(constraint, reader, column=colname))
        elif contype in ("CONSTR_ATTR_DEFERRABLE", "CONSTR_ATTR_DEFERRED") and constraints:
            # Attribute clauses follow the constraint they qualify: REFERENCES p DEFERRABLE.
            constraints[-1] = _deferrable(constraints[-1], contype == "CONSTR_ATTR_DEFERRED")
    type_node = node.get("typeName")
    collate = node.get("collClause")
    return ColumnSpec(
        name=_given(colname),
        raw_type=type_name(type_node) if type_node is not None else "",
        not_null=not_null,
        default=default,
        identity=identity,
        generated=generated,
        generated_stored=True if generated is not None else None,
        collation=".".join(strings(collate.get("collname"))) if collate is not None else None,
        constraints=tuple(constraints),
        position=reader.position(_location(node)),
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


def _constraint(node: Tree, reader: _Reader, column: str | None = None) -> ConstraintSpec:
    kind_ = _CONSTRAINT_KINDS[_given(node.get("contype"))]
    columns: tuple[str, ...]
    position = reader.position(_location(node))
    validated = not node.get("skip_validation")
    conname = node.get("conname")
    if kind_ == "check":
        columns = (column,) if column else ()
        return ConstraintSpec(
            kind_,
            conname,
            columns,
            expression=_sql(node.get("raw_expr")),
            validated=validated,
            position=position,
        )
    if kind_ == "exclusion":
        return _exclusion(node, reader, position)
    if kind_ == "foreign":
        columns = (column,) if column else strings(node.get("fk_attrs"))
        reference = ReferenceSpec(
            table=_name(node.get("pktable")),
            columns=strings(node.get("pk_attrs")),
            on_delete=_FK_ACTIONS.get(node.get("fk_del_action") or "a", "NO ACTION"),
            on_update=_FK_ACTIONS.get(node.get("fk_upd_action") or "a", "NO ACTION"),
            deferrable=bool(node.get("deferrable")),
            initially_deferred=bool(node.get("initdeferred")),
        )
        return ConstraintSpec(
            kind_, conname, columns, reference=reference, validated=validated, position=position
        )
    columns = (column,) if column else strings(node.get("keys"))
    return ConstraintSpec(kind_, conname, columns, using_index=node.get("indexname"), position=position)


def _exclusion(node: Tree, reader: _Reader, position: Position) -> ConstraintSpec:
    keys: list[KeySpec] = []
    for element in node.get("exclusions", ()):
        parts = items(element)
        param = fields(parts[0], "IndexElem") if parts else None
        if param is not None:
            keys.append(_index_key(param))
    location = _location(node)
    if location >= 0:
        clause = reader.text_from(reader.base + location)
    else:
        clause = _sql({"Constraint": node})
    if clause.upper().startswith("CONSTRAINT"):
        clause = clause.split(None, 2)[2] if len(clause.split(None, 2)) == 3 else clause
    return ConstraintSpec(
        "exclusion",
        node.get("conname"),
        tuple(k.column for k in keys if k.column),
        tuple(keys),
        expression=clause,
        method=node.get("access_method") or "btree",
        position=position,
    )


def _create_index(node: Tree, reader: _Reader) -> Iterable[Action]:
    where = node.get("whereClause")
    include = (fields(p, "IndexElem") or {} for p in node.get("indexIncludingParams", ()))
    yield CreateIndex(
        table=_name(node.get("relation")),
        keys=tuple(_index_key(fields(param, "IndexElem") or {}) for param in node.get("indexParams", ())),
        name=node.get("idxname"),
        unique=bool(node.get("unique")),
        method=node.get("accessMethod"),
        where=_sql(where) if where is not None else None,
        include=tuple(p["name"] for p in include if p.get("name")),
        concurrently=bool(node.get("concurrent")),
        if_not_exists=bool(node.get("if_not_exists")),
        position=reader.position(_location(_given(node.get("relation")))),
    )


def _index_key(param: Tree) -> KeySpec:
    expr = param.get("expr")
    return KeySpec(
        column=param.get("name"),
        expression=_sql(expr) if expr is not None else None,
        descending=param.get("ordering") == "SORTBY_DESC",
        opclass=".".join(strings(param.get("opclass"))) or None,
        collation=".".join(strings(param.get("collation"))) or None,
    )


def _alter_table(node: Tree, reader: _Reader) -> Iterable[Action]:
    if node.get("objtype") != "OBJECT_TABLE":
        return
    table = _name(node.get("relation"))
    for cmd in node.get("cmds", ()):
        yield from _alter_command(_given(fields(cmd, "AlterTableCmd")), table, reader)


def _alter_command(cmd: Tree, table: Name, reader: _Reader) -> Iterable[Action]:
    subtype = cmd.get("subtype")
    definition = cmd.get("def")
    name = cmd.get("name")
    missing_ok = bool(cmd.get("missing_ok"))
    if subtype == "AT_AddColumn":
        yield AddColumn(table, _column(_given(fields(definition, "ColumnDef")), reader), missing_ok)
    elif subtype == "AT_DropColumn":
        yield DropColumn(table, _given(name), missing_ok)
    elif subtype == "AT_AlterColumnType":
        column = _given(fields(definition, "ColumnDef"))
        raw_default = column.get("raw_default")
        using = reader.text(raw_default, frozenset()) if raw_default else None
        yield AlterColumnType(table, _given(name), type_name(column["typeName"]), using)
    elif subtype in ("AT_SetNotNull", "AT_DropNotNull"):
        yield SetNotNull(table, _given(name), subtype == "AT_SetNotNull")
    elif subtype == "AT_ColumnDefault":
        yield SetDefault(table, _given(name), _sql(definition) if definition is not None else None)
    elif subtype == "AT_AddConstraint":
        constraint = _given(fields(definition, "Constraint"))
        if constraint.get("contype") in _CONSTRAINT_KINDS:
            yield AddConstraint(table, _constraint(constraint, reader))
    elif subtype == "AT_ValidateConstraint":
        yield ValidateConstraint(table, _given(name))
    elif subtype == "AT_DropConstraint":
        yield DropConstraint(table, name, if_exists=missing_ok)
    elif subtype == "AT_SetLogged":
        yield Rewrite("SET LOGGED", (table,))
    elif subtype == "AT_SetUnLogged":
        yield Rewrite("SET UNLOGGED", (table,))
    elif subtype in ("AT_DetachPartition", "AT_DetachPartitionFinalize"):
        partition = _given(fields(definition, "PartitionCmd"))
        finalize = subtype == "AT_DetachPartitionFinalize"
        yield DetachPartition(
            table, _name(partition.get("name")), bool(partition.get("concurrent")), finalize
        )
    elif subtype == "AT_AttachPartition":
        partition = _given(fields(definition, "PartitionCmd"))
        yield AttachPartition(table, _name(partition.get("name")))


def _rename(node: Tree, reader: _Reader) -> Iterable[Action]:
    rename_type = node.get("renameType")
    if rename_type == "OBJECT_TABLE":
        yield RenameTable(_name(node.get("relation")), _given(node.get("newname")))
    elif rename_type == "OBJECT_COLUMN" and node.get("relationType") == "OBJECT_TABLE":
        yield RenameColumn(
            _name(node.get("relation")), _given(node.get("subname")), _given(node.get("newname"))
        )
    elif rename_type == "OBJECT_TABCONSTRAINT":
        yield RenameConstraint(
            _name(node.get("relation")), _given(node.get("subname")), _given(node.get("newname"))
        )


_DROP_KINDS = {
    "OBJECT_TABLE": "table",
    "OBJECT_INDEX": "index",
    "OBJECT_VIEW": "view",
    "OBJECT_MATVIEW": "view",
    "OBJECT_TYPE": "type",
    "OBJECT_SEQUENCE": "sequence",
}


def _drop(node: Tree, reader: _Reader) -> Iterable[Action]:
    kind_ = _DROP_KINDS.get(_given(node.get("removeType")))
    if kind_ is None:
        return
    names = []
    for obj in node.get("objects", ()):
        type_node = fields(obj, "TypeName")
        parts = strings(type_node.get("names")) if type_node is not None else strings(obj)
        if parts:
            names.append(_dotted(parts))
    cascade = node.get("behavior") == "DROP_CASCADE"
    yield Drop(
        kind_,
        tuple(names),
        bool(node.get("missing_ok")),
        concurrently=bool(node.get("concurrent")),
        cascade=cascade,
    )


def _create_enum(node: Tree, reader: _Reader) -> Iterable[Action]:
    yield CreateEnum(_dotted(strings(node.get("typeName"))), strings(node.get("vals")), reader.position(None))


def _alter_enum(node: Tree, reader: _Reader) -> Iterable[Action]:
    new_value = node.get("newVal")
    if new_value is None:
        return
    old_value = node.get("oldVal")
    if old_value is not None:
        yield RenameEnumValue(_dotted(strings(node.get("typeName"))), old_value, new_value)
        return
    yield AddEnumValue(
        _dotted(strings(node.get("typeName"))),
        new_value,
        node.get("newValNeighbor"),
        bool(node.get("newValIsAfter")),
        bool(node.get("skipIfNewValExists")),
    )


def _create_sequence(node: Tree, reader: _Reader) -> Iterable[Action]:
    options: dict[str, Any] = {}
    for option in node.get("options", ()):
        element = fields(option, "DefElem")
        if element is not None:
            options[str(element.get("defname"))] = element.get("arg")
    data_type = fields(options.get("as"), "TypeName")
    yield CreateSequence(
        name=_name(node.get("sequence")),
        data_type=(type_name(data_type) if data_type is not None else _sql(options["as"]))
        if "as" in options
        else None,
        start=_number(options.get("start")),
        increment=_number(options.get("increment")),
        min_value=_number(options.get("minvalue")),
        max_value=_number(options.get("maxvalue")),
        cycle=_flag(options.get("cycle")),
        owned_by=strings(options.get("owned_by")),
        if_not_exists=bool(node.get("if_not_exists")),
        position=reader.position(_location(_given(node.get("sequence")))),
    )


def _number(value: Any) -> int | None:
    integer = fields(value, "Integer")
    if integer is not None:
        return int(integer.get("ival", 0))
    decimal = fields(value, "Float")
    if decimal is not None:
        return int(_given(decimal.get("fval")))
    return None


def _flag(value: Any) -> bool:
    boolean = fields(value, "Boolean")
    if boolean is not None:
        return bool(boolean.get("boolval"))
    integer = fields(value, "Integer")
    if integer is not None:
        return bool(integer.get("ival"))
    return False


def _create_view(node: Tree, reader: _Reader) -> Iterable[Action]:
    view = _given(node.get("view"))
    yield CreateView(
        _name(view),
        _sql(node.get("query")),
        False,
        bool(node.get("replace")),
        reader.position(_location(view)),
    )


def _create_table_as(node: Tree, reader: _Reader) -> Iterable[Action]:
    if node.get("objtype") != "OBJECT_MATVIEW":
        return
    relation = _given(_given(node.get("into")).get("rel"))
    yield CreateView(
        _name(relation), _sql(node.get("query")), True, False, reader.position(_location(relation))
    )


def _comment(node: Tree, reader: _Reader) -> Iterable[Action]:
    objtype = node.get("objtype")
    if objtype == "OBJECT_TABLE":
        yield Comment("table", _dotted(strings(node.get("object"))), None, node.get("comment"))
    elif objtype == "OBJECT_COLUMN":
        parts = strings(node.get("object"))
        yield Comment("column", _dotted(parts[:-1]), parts[-1], node.get("comment"))


# Statements that matter to migration safety ---------------------------------------------------

_TRANSACTION_KINDS = {
    "TRANS_STMT_BEGIN": "begin",
    "TRANS_STMT_START": "begin",
    "TRANS_STMT_COMMIT": "commit",
    "TRANS_STMT_ROLLBACK": "rollback",
}


def _transaction(node: Tree, reader: _Reader) -> Iterable[Action]:
    kind_ = _TRANSACTION_KINDS.get(_given(node.get("kind")))
    if kind_ is not None:
        yield TransactionControl(kind_)


def _set(node: Tree, reader: _Reader) -> Iterable[Action]:
    kind_ = node.get("kind")
    local = bool(node.get("is_local"))
    name = node.get("name")
    if kind_ == "VAR_RESET_ALL":
        yield SetSetting("all", None)
    elif name is None:
        return
    elif kind_ == "VAR_SET_VALUE":
        values = ", ".join(_setting_value(arg) for arg in node.get("args", ()))
        yield SetSetting(name.lower(), values, local)
    elif kind_ in ("VAR_SET_DEFAULT", "VAR_RESET"):
        yield SetSetting(name.lower(), None, local)


def _setting_value(node: Any) -> str:
    const = fields(node, "A_Const")
    if const is not None:
        if "sval" in const:
            return str(const["sval"].get("sval", ""))
        if "ival" in const:
            return str(const["ival"].get("ival", 0))
        if "fval" in const:
            return str(const["fval"].get("fval"))
        if "boolval" in const:
            return "on" if const["boolval"].get("boolval") else "off"
    return _sql(node)


_REINDEX_KINDS = {
    "REINDEX_OBJECT_INDEX": "index",
    "REINDEX_OBJECT_TABLE": "table",
    "REINDEX_OBJECT_SCHEMA": "schema",
    "REINDEX_OBJECT_DATABASE": "database",
    "REINDEX_OBJECT_SYSTEM": "system",
}


def _option(options: Iterable[Any] | None, name: str) -> bool:
    """A ``(NAME [boolean])`` option of VACUUM/REINDEX/CLUSTER: present and not turned off."""
    for option in options or ():
        element = fields(option, "DefElem")
        if element is not None and element.get("defname") == name:
            arg = element.get("arg")
            if arg is None:
                return True
            text = fields(arg, "String")
            if text is not None:
                return str(text.get("sval", "")).lower() in ("true", "on", "1", "yes")
            return _flag(arg)
    return False


def _reindex(node: Tree, reader: _Reader) -> Iterable[Action]:
    kind_ = _REINDEX_KINDS.get(_given(node.get("kind")))
    if kind_ is None:
        return
    relation = node.get("relation")
    name = _name(relation) if relation is not None else Name(node.get("name") or "")
    yield Reindex(kind_, name, _option(node.get("params"), "concurrently"))


def _vacuum(node: Tree, reader: _Reader) -> Iterable[Action]:
    if not node.get("is_vacuumcmd") or not _option(node.get("options"), "full"):
        return
    relations = (fields(rel, "VacuumRelation") or {} for rel in node.get("rels", ()))
    tables = tuple(_name(rel["relation"]) for rel in relations if rel.get("relation") is not None)
    yield Rewrite("VACUUM FULL", tables)


def _cluster(node: Tree, reader: _Reader) -> Iterable[Action]:
    relation = node.get("relation")
    yield Rewrite("CLUSTER", (_name(relation),) if relation is not None else ())


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


def _relations(node: Tree) -> tuple[Name, ...]:
    return tuple(_name(fields(rel, "RangeVar")) for rel in node.get("relations", ()))


def _lock(node: Tree, reader: _Reader) -> Iterable[Action]:
    mode = _LOCK_MODES.get(int(node.get("mode") or 8), "ACCESS EXCLUSIVE")
    yield LockTable(_relations(node), mode)


def _truncate(node: Tree, reader: _Reader) -> Iterable[Action]:
    yield Truncate(_relations(node), node.get("behavior") == "DROP_CASCADE")


def _insert(node: Tree, reader: _Reader) -> Iterable[Action]:
    select = fields(node.get("selectStmt"), "SelectStmt")
    from_select = select is not None and not select.get("valuesLists")
    has_where = has_limit = False
    if select is not None and from_select:
        has_where = select.get("whereClause") is not None
        has_limit = _limited(node.get("selectStmt")) or _bounded(select.get("whereClause"))
    yield DataChange("insert", _name(node.get("relation")), has_where, has_limit, from_select)


def _update(node: Tree, reader: _Reader) -> Iterable[Action]:
    where = node.get("whereClause")
    has_limit = _bounded(where) or _batched_sources(node.get("withClause"), node.get("fromClause"))
    yield DataChange("update", _name(node.get("relation")), where is not None, has_limit)


def _delete(node: Tree, reader: _Reader) -> Iterable[Action]:
    where = node.get("whereClause")
    has_limit = _bounded(where) or _batched_sources(node.get("withClause"), node.get("usingClause"))
    yield DataChange("delete", _name(node.get("relation")), where is not None, has_limit)


def _limited(value: Any) -> bool:
    """A SELECT that returns at most a fixed number of rows (LIMIT/FETCH FIRST)."""
    select = fields(value, "SelectStmt")
    if select is None:
        return False
    if select.get("limitCount") is not None:
        return True
    larg = select.get("larg")
    # larg and rarg are SelectStmt structs, not wrapped nodes
    return _limited({"SelectStmt": larg}) and _limited({"SelectStmt": select.get("rarg")}) if larg else False


def _batched_sources(with_clause: Tree | None, sources: Iterable[Any] | None) -> bool:
    """UPDATE ... FROM (SELECT ... LIMIT n) or WITH batch AS (SELECT ... LIMIT n): one batch."""
    for cte in (with_clause.get("ctes") if with_clause is not None else None) or ():
        expression = fields(cte, "CommonTableExpr")
        if expression is not None and _limited(expression.get("ctequery")):
            return True
    for item in sources or ():
        subselect = fields(item, "RangeSubselect")
        if subselect is not None and _limited(subselect.get("subquery")):
            return True
    return False


def _conjuncts(node: Any) -> list[Any]:
    boolean = fields(node, "BoolExpr")
    if boolean is not None and boolean.get("boolop") == "AND_EXPR":
        return [part for arg in boolean.get("args", ()) for part in _conjuncts(arg)]
    return [node]


_LOWER_OPS = {">": "lower", ">=": "lower", "<": "upper", "<=": "upper"}
_FLIPPED = {"lower": "upper", "upper": "lower"}


def _bounded(where: Any) -> bool:
    """A WHERE that restricts a column to a bounded set: BETWEEN, an IN list, IN (SELECT ... LIMIT),
    or both a lower and an upper bound on the same column (id >= 1000 AND id < 2000)."""
    bounds: dict[str, set[str]] = {}
    for part in _conjuncts(where) if where is not None else ():
        expr = fields(part, "A_Expr")
        if expr is not None:
            kind_ = expr.get("kind", "")
            op = strings(expr.get("name"))
            if kind_ in ("AEXPR_BETWEEN", "AEXPR_BETWEEN_SYM"):
                return True
            if kind_ == "AEXPR_IN" and op == ("=",):
                return True
            if kind_ == "AEXPR_OP_ANY" and op == ("=",) and kind(expr.get("rexpr")) == "A_ArrayExpr":
                return True
            if kind_ == "AEXPR_OP" and len(op) == 1 and op[0] in _LOWER_OPS:
                side = _LOWER_OPS[op[0]]
                if kind(expr.get("lexpr")) == "ColumnRef":
                    bounds.setdefault(_sql(expr["lexpr"]), set()).add(side)
                elif kind(expr.get("rexpr")) == "ColumnRef":
                    bounds.setdefault(_sql(expr["rexpr"]), set()).add(_FLIPPED[side])
            continue
        link = fields(part, "SubLink")
        if link is not None and link.get("subLinkType") == "ANY_SUBLINK":
            if _limited(link.get("subselect")):
                return True
    return any(len(sides) == 2 for sides in bounds.values())


_HANDLERS: dict[str, Callable[[Tree, _Reader], Iterable[Action]]] = {
    "CreateStmt": _create_table,
    "IndexStmt": _create_index,
    "AlterTableStmt": _alter_table,
    "RenameStmt": _rename,
    "DropStmt": _drop,
    "CreateEnumStmt": _create_enum,
    "AlterEnumStmt": _alter_enum,
    "CreateSeqStmt": _create_sequence,
    "ViewStmt": _create_view,
    "CreateTableAsStmt": _create_table_as,
    "CommentStmt": _comment,
    "TransactionStmt": _transaction,
    "VariableSetStmt": _set,
    "ReindexStmt": _reindex,
    "VacuumStmt": _vacuum,
    "ClusterStmt": _cluster,
    "LockStmt": _lock,
    "TruncateStmt": _truncate,
    "InsertStmt": _insert,
    "UpdateStmt": _update,
    "DeleteStmt": _delete,
}
