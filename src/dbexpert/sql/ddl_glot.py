"""MySQL and SQLite DDL (sqlglot trees) -> :mod:`dbexpert.sql.ddl` actions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlglot import TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError as GlotParseError

from dbexpert.model import Engine
from dbexpert.sql.ddl import (
    Action,
    AddColumn,
    AddConstraint,
    AlterTableOptions,
    ColumnSpec,
    ConstraintSpec,
    CreateIndex,
    CreateTable,
    CreateView,
    DataChange,
    Drop,
    DropColumn,
    DropConstraint,
    KeySpec,
    LockTable,
    Name,
    Position,
    ReferenceSpec,
    RenameColumn,
    RenameTable,
    ReplaceColumn,
    Rewrite,
    SetDefault,
    SetSetting,
    TransactionControl,
    Truncate,
)
from dbexpert.sql.parse import Statement

_DIALECT = {Engine.MYSQL: "mysql", Engine.SQLITE: "sqlite"}
# Words that end a column's type and start its constraints; what comes before is the type as written.
_TYPE_END = frozenset(
    """CONSTRAINT NOT NULL PRIMARY UNIQUE CHECK DEFAULT COLLATE REFERENCES GENERATED AS AUTO_INCREMENT
    AUTOINCREMENT COMMENT CHARACTER CHARSET KEY ON INVISIBLE VISIBLE STORED VIRTUAL SRID COLUMN_FORMAT
    STORAGE FIRST AFTER""".split()
)
_DROP_KINDS = {"TABLE": "table", "INDEX": "index", "VIEW": "view"}


_COMMA = Dialect.get_or_raise("mysql").tokenize(",")[0]


class _Reader:
    def __init__(self, statement: Statement) -> None:
        assert statement.tree is not None
        self.statement = statement
        self.engine = statement.engine
        self.dialect = _DIALECT[statement.engine]
        self.tokens: Sequence[Any] = statement.tree.tokens
        self.text = statement.text

    def sql(self, node: exp.Expression) -> str:
        return node.sql(dialect=self.dialect)

    def position(self, node: exp.Expression | None) -> Position:
        start = node.meta.get("start") if node is not None else None
        if start is None:
            return Position(self.statement.line, self.statement.column)
        line, column = self.statement.position(start)
        return Position(line, column)

    def raw_type(self, column: exp.ColumnDef) -> str:
        """The column's type exactly as written: the tokens between its name and its first constraint."""
        kind = column.args.get("kind")
        name_end = column.this.meta.get("end")
        if name_end is not None:
            parts = []
            depth = 0
            for token in self.tokens:
                if token.start <= name_end:
                    continue
                word = (token.text.upper().split() or [""])[0]  # "PRIMARY KEY" is one token
                if depth == 0 and (word in _TYPE_END or token.text in (",", ")")):
                    break
                depth += token.text == "("
                depth -= token.text == ")"
                parts.append(token)
            if parts:
                offset = self.statement.start
                return self.text[parts[0].start - offset : parts[-1].end + 1 - offset]
        return self.sql(kind) if kind is not None else ""


def glot_actions(statement: Statement) -> list[Action]:
    assert statement.tree is not None
    return _actions(statement.tree.node, _Reader(statement))


def _actions(node: exp.Expression, reader: _Reader) -> list[Action]:
    if isinstance(node, exp.Create):
        return list(_create(node, reader))
    if isinstance(node, exp.Alter) and str(node.args.get("kind") or "TABLE").upper() == "TABLE":
        return list(_alter_table(node, reader))
    if isinstance(node, exp.Drop):
        return list(_drop(node))
    if isinstance(node, exp.Transaction):
        return [TransactionControl("begin")]
    if isinstance(node, exp.Commit):
        return [TransactionControl("commit")]
    if isinstance(node, exp.Rollback):
        return [] if node.args.get("savepoint") is not None else [TransactionControl("rollback")]
    if isinstance(node, exp.Set):
        return list(_set(node))
    if isinstance(node, exp.TruncateTable):
        return [Truncate(tuple(_name(t) for t in node.expressions), bool(node.args.get("cascade")))]
    if isinstance(node, exp.Update | exp.Delete | exp.Insert):
        return list(_data_change(node))
    if isinstance(node, exp.Command):
        return list(_command(node, reader))
    return []


def _alter_table(node: exp.Alter, reader: _Reader) -> Iterable[Action]:
    table = _name(node.this)
    for item in node.args.get("actions") or ():
        yield from _alter(item, table, reader)
    algorithm = lock = None
    for option in node.args.get("options") or ():
        value = option.this.name if isinstance(option.this, exp.Expression) else str(option.this)
        if isinstance(option, exp.AlgorithmProperty):
            algorithm = value.upper()
        elif isinstance(option, exp.LockProperty):
            lock = value.upper()
        elif isinstance(option, exp.EngineProperty):
            yield Rewrite(f"ENGINE={value}", (table,))
        elif isinstance(option, exp.RowFormatProperty):
            yield Rewrite(f"ROW_FORMAT={value.upper()}", (table,))
    if algorithm is not None or lock is not None:
        yield AlterTableOptions(table, algorithm, lock)


# SET, data changes and the statements sqlglot keeps as raw commands -------------------------------


def _set(node: exp.Set) -> Iterable[Action]:
    for item in node.expressions:
        if not isinstance(item, exp.SetItem) or str(item.args.get("kind") or "").upper() in (
            "NAMES",
            "CHARACTER SET",
            "TRANSACTION",
        ):
            continue
        assignment = item.this
        if not isinstance(assignment, exp.EQ):
            continue
        target, value = assignment.this, assignment.expression
        if isinstance(target, exp.SessionParameter | exp.Column):
            name = target.name
        elif isinstance(target, exp.Var | exp.Identifier):
            name = target.name
        else:
            continue
        if not name or name.startswith("@"):
            continue  # user variables (SET @x = 1) are not settings
        text: str | None
        if isinstance(value, exp.Literal):
            text = value.name
        elif isinstance(value, exp.Column | exp.Var | exp.Identifier | exp.Boolean):
            text = value.name if not isinstance(value, exp.Boolean) else str(value.this).lower()
        else:
            text = value.sql(dialect="mysql")
        if text is not None and text.upper() == "DEFAULT":
            text = None
        yield SetSetting(name.lower(), text)


def _data_change(node: exp.Update | exp.Delete | exp.Insert) -> Iterable[Action]:
    target = node.this
    if isinstance(target, exp.Schema):
        target = target.this
    if not isinstance(target, exp.Table):
        return
    table = _name(target)
    if isinstance(node, exp.Insert):
        query = node.expression
        from_select = isinstance(query, exp.Query) and not isinstance(query, exp.Values)
        where = query.args.get("where") if isinstance(query, exp.Select) else None
        limited = from_select and query.args.get("limit") is not None
        yield DataChange("insert", table, where is not None, limited or _bounded(where), from_select)
        return
    where = node.args.get("where")
    has_limit = node.args.get("limit") is not None or _bounded(where)
    kind = "update" if isinstance(node, exp.Update) else "delete"
    yield DataChange(kind, table, where is not None, has_limit)


def _limited(query: exp.Expression | None) -> bool:
    while isinstance(query, exp.Subquery):
        query = query.this
    return isinstance(query, exp.Query) and query.args.get("limit") is not None


_SIDES: dict[type[exp.Expression], str] = {
    exp.GT: "lower",
    exp.GTE: "lower",
    exp.LT: "upper",
    exp.LTE: "upper",
}


def _bounded(where: exp.Expression | None) -> bool:
    """WHERE restricting a column to a bounded set (BETWEEN, an IN list, IN (SELECT ... LIMIT n),
    or a lower and an upper bound on one column): one batch of a batched backfill."""
    if where is None:
        return False
    condition = where.this if isinstance(where, exp.Where) else where
    bounds: dict[str, set[str]] = {}
    for part in condition.flatten() if isinstance(condition, exp.And) else (condition,):
        part = _unparen(cast(exp.Expression, part))
        if isinstance(part, exp.Between):
            return True
        if isinstance(part, exp.In):
            if part.expressions or _limited(part.args.get("query")):
                return True
        side = _SIDES.get(type(part))
        if side is not None:
            if isinstance(part.this, exp.Column):
                bounds.setdefault(part.this.sql(), set()).add(side)
            elif isinstance(part.expression, exp.Column):
                other = "upper" if side == "lower" else "lower"
                bounds.setdefault(part.expression.sql(), set()).add(other)
    return any(len(sides) == 2 for sides in bounds.values())


def _words(tokens: Sequence[Any]) -> list[str]:
    return [t.text.upper() for t in tokens]


def _split(tokens: Sequence[Any]) -> list[list[Any]]:
    """Token runs between commas outside parentheses."""
    parts: list[list[Any]] = [[]]
    depth = 0
    for token in tokens:
        depth += token.token_type is TokenType.L_PAREN
        depth -= token.token_type is TokenType.R_PAREN
        if depth == 0 and token.token_type is TokenType.COMMA:
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part]


def _token_name(tokens: Sequence[Any]) -> Name | None:
    """A possibly qualified name at the start of ``tokens``: ``db.t`` or ``t``."""
    if not tokens:
        return None
    if len(tokens) >= 3 and tokens[1].token_type is TokenType.DOT:
        return Name(tokens[2].text, tokens[0].text)
    return Name(tokens[0].text)


_OPTION_WORDS = {"ALGORITHM", "LOCK"}


def _command(node: exp.Command, reader: _Reader) -> Iterable[Action]:
    tokens = list(reader.tokens)
    words = _words(tokens)
    if words and words[0].split()[0] in ("OPTIMIZE", "LOCK"):
        # sqlglot keeps the rest of these commands as one string token: read the text itself.
        match = _OPTIMIZE_RE.match(reader.text) or _LOCK_RE.match(reader.text)
        if match is None:
            return
        items = [_item_name(item) for item in match.group(1).split(",")]
        if match.re is _OPTIMIZE_RE:
            yield Rewrite("OPTIMIZE TABLE", tuple(name for name, _ in items if name is not None))
        else:
            yield from _lock_tables(items)
    elif words[:2] == ["ALTER", "TABLE"]:
        yield from _alter_command(tokens, reader)
    elif words[:1] == ["RENAME"]:
        yield from _rename_tables(reader.text)
    elif words[:1] == ["CREATE"] and "INDEX" in words[:4]:
        yield from _create_index_command(tokens, reader)


def _rename_tables(text: str) -> Iterable[Action]:
    """MySQL ``RENAME TABLE a TO b[, c TO d]``: one rename per pair, applied in order (so a swap
    through a temporary name replays as MySQL runs it)."""
    match = _RENAME_RE.match(text)
    if match is None:
        return
    for pair in match.group(1).rstrip().rstrip(";").split(","):
        names = _RENAME_PAIR_RE.fullmatch(pair.strip())
        if names is None:
            continue
        old, _ = _item_name(names.group(1))
        new, _ = _item_name(names.group(2))
        if old is not None and new is not None:
            yield RenameTable(old, new.name)


_RENAME_RE = re.compile(r"\s*RENAME\s+TABLES?\s+(.*)", re.I | re.S)
_RENAME_PAIR_RE = re.compile(r"(\S+)\s+TO\s+(\S+)", re.I | re.S)
_OPTIMIZE_RE = re.compile(r"\s*OPTIMIZE\s+(?:NO_WRITE_TO_BINLOG\s+|LOCAL\s+)?TABLES?\s+(.*)", re.I | re.S)
_LOCK_RE = re.compile(r"\s*LOCK\s+TABLES?\s+(.*)", re.I | re.S)


def _item_name(item: str) -> tuple[Name | None, list[str]]:
    """``db.t AS x WRITE`` -> (Name("t", "db"), ["AS", "X", "WRITE"])."""
    words = item.split()
    if not words:
        return None, []
    parts = [p.strip("`") for p in words[0].split(".")]
    name = Name(parts[-1], parts[-2] if len(parts) > 1 else None)
    return name, [w.upper() for w in words[1:]]


def _lock_tables(items: list[tuple[Name | None, list[str]]]) -> Iterable[Action]:
    by_mode: dict[str, list[Name]] = {}
    for name, words in items:
        if name is None:
            continue
        mode = "WRITE" if "WRITE" in words else "READ"
        by_mode.setdefault(mode, []).append(name)
    for mode, names in by_mode.items():
        yield LockTable(tuple(names), mode)


def _options(clauses: list[list[Any]]) -> tuple[list[list[Any]], str | None, str | None]:
    """Take ALGORITHM= / LOCK= clauses out; what stays is for sqlglot."""
    kept = []
    algorithm = lock = None
    for clause in clauses:
        words = _words(clause)
        if words and words[0] in _OPTION_WORDS:
            value = words[-1] if len(words) > 1 else None
            if words[0] == "ALGORITHM":
                algorithm = value
            else:
                lock = value
        else:
            kept.append(clause)
    return kept, algorithm, lock


def _reparse(tokens: Sequence[Any], reader: _Reader) -> list[Action]:
    """Parse the part of a statement sqlglot understands; nothing when it still does not."""
    if not tokens:
        return []
    try:
        nodes = (
            Dialect.get_or_raise(reader.dialect)
            .parser()
            .parse(list(tokens), " " * reader.statement.start + reader.text)
        )
    except GlotParseError:
        return []
    node = nodes[0] if nodes else None
    if node is None or isinstance(node, exp.Command):
        return []
    return _actions(cast(exp.Expression, node), reader)


def _alter_command(tokens: Sequence[Any], reader: _Reader) -> Iterable[Action]:
    """ALTER TABLE forms sqlglot does not know (CONVERT TO CHARACTER SET): the rest is parsed alone."""
    header_end = 3 if len(tokens) < 5 or tokens[3].token_type is not TokenType.DOT else 5
    header, body = tokens[:header_end], tokens[header_end:]
    table = _token_name(header[2:])
    if table is None:
        return
    clauses, algorithm, lock = _options(_split(body))
    rest: list[Any] = []
    rewrites: list[Action] = []
    for clause in clauses:
        words = _words(clause)
        if words[:2] == ["CONVERT", "TO"]:
            rewrites.append(Rewrite("CONVERT TO CHARACTER SET", (table,)))
            continue
        if rest:
            rest.append(_COMMA)
        rest.extend(clause)
    yield from _reparse([*header, *rest], reader) if rest else ()
    yield from rewrites
    if algorithm is not None or lock is not None:
        yield AlterTableOptions(table, algorithm, lock)


def _create_index_command(tokens: Sequence[Any], reader: _Reader) -> Iterable[Action]:
    """CREATE INDEX ... ALGORITHM=... LOCK=...: sqlglot stops at the trailing options."""
    words = _words(tokens)
    kept: list[Any] = []
    algorithm = lock = None
    index = 0
    while index < len(tokens):
        word = words[index]
        if word in _OPTION_WORDS and index + 1 < len(tokens):
            step = 3 if index + 2 < len(tokens) and tokens[index + 1].token_type is TokenType.EQ else 2
            value = words[index + step - 1]
            if word == "ALGORITHM":
                algorithm = value
            else:
                lock = value
            index += step
            continue
        kept.append(tokens[index])
        index += 1
    actions = _reparse(kept, reader)
    yield from actions
    table = next((a.table for a in actions if isinstance(a, CreateIndex)), None)
    if table is not None and (algorithm is not None or lock is not None):
        yield AlterTableOptions(table, algorithm, lock)


def _name(table: exp.Expression) -> Name:
    if isinstance(table, exp.Schema):
        table = table.this
    return Name(table.name, table.args.get("db") and table.args["db"].name or None)


def _create(node: exp.Create, reader: _Reader) -> Iterable[Action]:
    kind = str(node.args.get("kind") or "").upper()
    if kind == "TABLE" and isinstance(node.this, exp.Schema):
        yield _create_table(node, reader)
    elif kind == "TABLE" and isinstance(node.this, exp.Table):
        # CREATE TABLE x LIKE y / AS SELECT: a new table whose columns the statement does not list.
        yield CreateTable(
            table=_name(node.this),
            columns=(),
            constraints=(),
            if_not_exists=bool(node.args.get("exists")),
            position=reader.position(node.this.this),
        )
    elif kind == "INDEX" and isinstance(node.this, exp.Index):
        yield _create_index(node, reader)
    elif kind == "VIEW":
        query = node.args.get("expression")
        materialized = any(isinstance(p, exp.MaterializedProperty) for p in _properties(node))
        yield CreateView(
            _name(node.this),
            reader.sql(query) if query is not None else None,
            materialized,
            bool(node.args.get("replace")),
            reader.position(node.this.this if isinstance(node.this, exp.Table) else None),
        )


def _properties(node: exp.Create) -> list[exp.Expression]:
    properties = node.args.get("properties")
    return list(properties.expressions) if properties is not None else []


_PROPERTY_NAMES: dict[type[exp.Expression], str] = {
    exp.EngineProperty: "ENGINE",
    exp.CharacterSetProperty: "CHARSET",
    exp.CollateProperty: "COLLATE",
    exp.AutoIncrementProperty: "AUTO_INCREMENT",
    exp.RowFormatProperty: "ROW_FORMAT",
}


def _create_table(node: exp.Create, reader: _Reader) -> CreateTable:
    schema = node.this
    columns: list[ColumnSpec] = []
    constraints: list[ConstraintSpec] = []
    for element in schema.expressions:
        if isinstance(element, exp.ColumnDef):
            columns.append(_column(element, reader))
        elif isinstance(element, exp.Identifier):
            columns.append(ColumnSpec(element.name, "", position=reader.position(element)))
        else:
            spec = _constraint(element, reader)
            if spec is not None:
                constraints.append(spec)
    options: list[tuple[str, str]] = []
    comment = None
    temporary = False
    for prop in _properties(node):
        if isinstance(prop, exp.SchemaCommentProperty):
            comment = prop.this.name
        elif isinstance(prop, exp.TemporaryProperty):
            temporary = True
        elif type(prop) in _PROPERTY_NAMES:
            options.append((_PROPERTY_NAMES[type(prop)], prop.this.name if prop.this is not None else ""))
    assert reader.statement.tree is not None
    options.extend((option, "") for option in reader.statement.tree.options)
    return CreateTable(
        table=_name(schema.this),
        columns=tuple(columns),
        constraints=tuple(constraints),
        if_not_exists=bool(node.args.get("exists")),
        temporary=temporary,
        options=tuple(options),
        comment=comment,
        position=reader.position(schema.this.this),
    )


def _column(node: exp.ColumnDef, reader: _Reader) -> ColumnSpec:
    not_null = autoincrement = False
    default = generated = comment = collation = None
    stored: bool | None = None
    constraints: list[ConstraintSpec] = []
    position = reader.position(node.this)
    for item in node.args.get("constraints") or ():
        kind = item.args.get("kind")
        name = item.name or None
        if isinstance(kind, exp.NotNullColumnConstraint):
            not_null = not kind.args.get("allow_null")
        elif isinstance(kind, exp.DefaultColumnConstraint):
            default = reader.sql(kind.this)
        elif isinstance(kind, exp.AutoIncrementColumnConstraint):
            autoincrement = True
        elif isinstance(kind, exp.ComputedColumnConstraint):
            generated, stored = reader.sql(_unparen(kind.this)), bool(kind.args.get("persisted"))
        elif isinstance(kind, exp.CommentColumnConstraint):
            comment = kind.this.name
        elif isinstance(kind, exp.CollateColumnConstraint):
            collation = kind.this.name
        elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
            constraints.append(ConstraintSpec("primary", name, (node.name,), position=position))
        elif isinstance(kind, exp.UniqueColumnConstraint):
            constraints.append(ConstraintSpec("unique", name, (node.name,), position=position))
        elif isinstance(kind, exp.CheckColumnConstraint):
            check = reader.sql(_unparen(kind.this))
            constraints.append(
                ConstraintSpec("check", name, (node.name,), expression=check, position=position)
            )
        elif isinstance(kind, exp.Reference) and reader.engine is not Engine.MYSQL:
            # MySQL parses inline REFERENCES and ignores it; only SQLite creates a foreign key.
            reference = _reference(kind)
            constraints.append(
                ConstraintSpec("foreign", name, (node.name,), reference=reference, position=position)
            )
    placement = None
    where = node.args.get("position")
    if isinstance(where, exp.ColumnPosition):
        side = str(where.args.get("position") or "").upper()
        placement = f"AFTER {where.this.name}" if side == "AFTER" and where.this is not None else side or None
    return ColumnSpec(
        name=node.name,
        raw_type=reader.raw_type(node),
        not_null=not_null,
        default=default,
        autoincrement=autoincrement,
        generated=generated,
        generated_stored=stored,
        comment=comment,
        collation=collation,
        constraints=tuple(constraints),
        position=position,
        placement=placement,
    )


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _identifiers(nodes: Iterable[exp.Expression]) -> tuple[str, ...]:
    names = []
    for node in nodes:
        while isinstance(node, exp.Ordered | exp.ColumnPrefix):
            node = node.this
        names.append(node.name)
    return tuple(names)


def _reference(node: exp.Reference) -> ReferenceSpec:
    target = node.this
    columns = _identifiers(target.expressions) if isinstance(target, exp.Schema) else ()
    on_delete = on_update = "NO ACTION"
    deferrable = deferred = False
    for option in node.args.get("options") or ():
        words = " ".join(str(option).upper().split())
        if words.startswith("ON DELETE "):
            on_delete = words.removeprefix("ON DELETE ")
        elif words.startswith("ON UPDATE "):
            on_update = words.removeprefix("ON UPDATE ")
        elif words == "DEFERRABLE":
            deferrable = True
        elif words == "INITIALLY DEFERRED":
            deferred = True
    return ReferenceSpec(_name(target), columns, on_delete, on_update, deferrable, deferred)


def _constraint(node: exp.Expression, reader: _Reader, name: str | None = None) -> ConstraintSpec | None:
    position = reader.position(node.this if isinstance(node.this, exp.Identifier) else None)
    if isinstance(node, exp.Constraint):
        inner = node.expressions[0] if node.expressions else None
        return _constraint(inner, reader, node.name) if inner is not None else None
    if isinstance(node, exp.PrimaryKey):
        return ConstraintSpec("primary", name, _identifiers(node.expressions), position=position)
    if isinstance(node, exp.UniqueColumnConstraint):
        target = node.this
        own_name = target.this.name if isinstance(target, exp.Schema) and target.this is not None else None
        columns = _identifiers(target.expressions) if isinstance(target, exp.Schema) else ()
        return ConstraintSpec("unique", name or own_name, columns, position=position)
    if isinstance(node, exp.ForeignKey):
        reference = _reference(node.args["reference"])
        return ConstraintSpec(
            "foreign", name, _identifiers(node.expressions), reference=reference, position=position
        )
    if isinstance(node, exp.CheckColumnConstraint):
        return ConstraintSpec("check", name, expression=reader.sql(_unparen(node.this)), position=position)
    if isinstance(node, exp.IndexColumnConstraint):
        return _inline_index(node, reader, name, position)
    return None


def _inline_index(
    node: exp.IndexColumnConstraint, reader: _Reader, name: str | None, position: Position
) -> ConstraintSpec:
    keys = tuple(_key(part, reader) for part in node.expressions)
    kind = str(node.args.get("kind") or "").upper()
    method = kind.lower() if kind in ("FULLTEXT", "SPATIAL") else None
    for option in node.args.get("options") or ():
        using = option.args.get("using")
        if using is not None:
            method = (using.name if isinstance(using, exp.Expression) else str(using)).lower()
    own_name = node.this.name if node.this is not None else None
    spec_kind = "unique" if kind == "UNIQUE" else "index"
    columns = tuple(k.column for k in keys if k.column is not None)
    return ConstraintSpec(spec_kind, name or own_name, columns, keys, method=method, position=position)


def _key(node: exp.Expression, reader: _Reader) -> KeySpec:
    descending = False
    if isinstance(node, exp.Ordered):
        descending = bool(node.args.get("desc"))
        node = node.this
    collation = None
    if isinstance(node, exp.Collate):
        collation = node.expression.name
        node = node.this
    if isinstance(node, exp.ColumnPrefix):
        return KeySpec(node.this.name, descending=descending, prefix_length=int(node.expression.name))
    if isinstance(node, exp.Column | exp.Identifier):
        return KeySpec(node.name, descending=descending, collation=collation)
    return KeySpec(expression=reader.sql(_unparen(node)), descending=descending, collation=collation)


def _create_index(node: exp.Create, reader: _Reader) -> CreateIndex:
    index = node.this
    params = index.args.get("params")
    columns = params.args.get("columns") or [] if params is not None else []
    using = params.args.get("using") if params is not None else None
    where = params.args.get("where") if params is not None else None
    include = params.args.get("include") or [] if params is not None else []
    return CreateIndex(
        table=_name(index.args["table"]),
        keys=tuple(_key(part, reader) for part in columns),
        name=index.name or None,
        unique=bool(node.args.get("unique")),
        method=using.name.lower() if using is not None else None,
        where=reader.sql(where.this) if where is not None else None,
        include=_identifiers(include),
        if_not_exists=bool(node.args.get("exists")),
        position=reader.position(index.this),
    )


def _alter(item: exp.Expression, table: Name, reader: _Reader) -> Iterable[Action]:
    if isinstance(item, exp.ColumnDef):
        yield AddColumn(table, _column(item, reader), bool(item.args.get("exists")))
    elif isinstance(item, exp.ModifyColumn):
        column = _column(item.this, reader)
        old = item.args.get("rename_from")
        yield ReplaceColumn(table, old.name if old is not None else column.name, column)
    elif isinstance(item, exp.AddConstraint):
        for part in item.expressions:
            spec = _constraint(part, reader)
            if spec is not None:
                yield AddConstraint(table, spec)
    elif isinstance(item, exp.AlterColumn):
        if item.args.get("drop"):
            yield SetDefault(table, item.name, None)
        elif item.args.get("default") is not None:
            yield SetDefault(table, item.name, reader.sql(item.args["default"]))
    elif isinstance(item, exp.DropPrimaryKey):
        yield DropConstraint(table, None, "primary")
    elif isinstance(item, exp.Drop):
        yield from _alter_drop(item, table)
    elif isinstance(item, exp.AlterRename):
        yield RenameTable(table, item.this.name)
    elif isinstance(item, exp.RenameColumn):
        yield RenameColumn(table, item.this.name, item.args["to"].name)
    elif isinstance(item, exp.ForceProperty):
        yield Rewrite("FORCE", (table,))


def _alter_drop(item: exp.Drop, table: Name) -> Iterable[Action]:
    kind = str(item.args.get("kind") or "").upper()
    exists = bool(item.args.get("exists"))
    for target in item.args.get("tables") or ():
        if kind == "COLUMN":
            yield DropColumn(table, target.name, exists)
        elif kind in ("INDEX", "KEY"):
            yield DropConstraint(table, target.name, "index", exists)
        elif kind == "FOREIGN KEY":
            yield DropConstraint(table, target.name, "foreign", exists)
        elif kind in ("CONSTRAINT", "CHECK"):
            yield DropConstraint(table, target.name, "check" if kind == "CHECK" else None, exists)


def _drop(node: exp.Drop) -> Iterable[Action]:
    kind = _DROP_KINDS.get(str(node.args.get("kind") or "").upper())
    if kind is None:
        return
    names = tuple(_name(t) for t in node.args.get("tables") or ())
    cluster = node.args.get("cluster")
    on_table = _name(cluster.this) if isinstance(cluster, exp.OnProperty) else None
    yield Drop(kind, names, bool(node.args.get("exists")), on_table)
