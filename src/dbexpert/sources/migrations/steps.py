"""Prepare migrations for the migration rules: one :class:`MigrationStep` per statement, in order.

Each step arrives with what a reviewer would keep in mind while reading the script: the tables as
they were before the statement, what the same migration created earlier, whether the statement
runs inside a transaction (the tool's or an explicit BEGIN), which locks that transaction already
holds, and which timeouts are set. Rules never re-parse or re-replay anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from dbexpert.model import Catalog, Engine, Location, Table, Version
from dbexpert.model.migration import Migration, MigrationScript
from dbexpert.sources.migrations.locks import STRENGTH, blocks_writes, table_locks
from dbexpert.sources.replay import Replayer
from dbexpert.sources.suppress import Suppression, parse_suppressions
from dbexpert.sql import ddl
from dbexpert.sql.ddl_actions import ddl_actions
from dbexpert.sql.parse import SqlSyntaxError, Statement, parse_statements

TableKey = tuple[str | None, str]

# Settings that bound how long a statement may wait for, or hold, its locks.
_LOCK_WAIT_SETTINGS = {
    Engine.POSTGRES: ("lock_timeout",),
    Engine.MYSQL: ("lock_wait_timeout", "innodb_lock_wait_timeout"),
}


@dataclass(frozen=True, slots=True)
class MigrationStep:
    migration: Migration
    statement: Statement
    actions: tuple[ddl.Action, ...]
    index: int  # position of the statement in its migration, from 0
    in_transaction: bool  # inside a transaction block: the tool's, or an explicit BEGIN
    explicit_transaction: bool  # inside BEGIN ... COMMIT written in the script
    tables_before: Mapping[TableKey, Table]  # the tables this statement touches, as they were before it
    # When each table/column was created in this migration (statement index). Shared by all the
    # migration's steps and only ever extended, so each step reads "earlier than me" from it.
    created_at: Mapping[TableKey, int]
    added_at: Mapping[tuple[TableKey, str], int]
    held_locks: Mapping[TableKey, str]  # strongest lock per table held from earlier in this transaction
    earlier_blocking_lock: (
        bool  # an earlier statement took a write-blocking lock on a table it did not create
    )
    not_valid_here: frozenset[tuple[TableKey, str]]  # constraints added NOT VALID earlier in this transaction
    settings: Mapping[str, str]  # SET name = value in force (lock_timeout, statement_timeout, ...)
    engine: Engine
    version: Version | None
    key_of: Callable[[ddl.Name], TableKey] = field(repr=False, compare=False)  # the replay's Replayer.key

    @property
    def location(self) -> Location:
        return Location(
            self.statement.path,
            self.statement.line,
            self.statement.column,
            end_line=self.statement.end_line,
        )

    def key(self, name: ddl.Name) -> TableKey:
        return self.key_of(name)

    def object_path(self, name: ddl.Name) -> str:
        """``schema.table`` for locations and messages, the schema defaulted as the engine does."""
        schema, table = self.key(name)
        return f"{schema}.{table}" if schema else table

    def table(self, name: ddl.Name) -> Table | None:
        """The table as it was before this statement; None when the files never defined it."""
        return self.tables_before.get(self.key(name))

    def defined(self, name: ddl.Name) -> bool:
        """The files defined the table (CREATE TABLE), so its columns are known, not just what was
        done to it since; a table that predates the files is a placeholder until then."""
        table = self.table(name)
        return table is not None and not table.attrs.get("placeholder")

    def is_new(self, name: ddl.Name) -> bool:
        """Created earlier in the same migration: empty, and invisible to running code."""
        return self.created_at.get(self.key(name), self.index) < self.index

    def column_added_here(self, name: ddl.Name, column: str) -> bool:
        """The column was added earlier in the same migration (so it holds no data but its default)."""
        return self.added_at.get((self.key(name), column), self.index) < self.index

    def lock_wait_bounded(self) -> bool:
        """A lock timeout is set, so a blocked statement fails fast instead of queueing everyone."""
        return any(
            self.settings.get(name) not in (None, "0", "default")
            for name in _LOCK_WAIT_SETTINGS.get(self.engine, ())
        )


@dataclass(frozen=True, slots=True)
class PreparedMigration:
    migration: Migration
    steps: tuple[MigrationStep, ...]
    catalog_after: Catalog  # every table replayed so far, after this migration
    created: frozenset[TableKey]  # tables this migration created (and did not drop)
    problems: tuple[SqlSyntaxError, ...]
    suppressions: tuple[Suppression, ...]


def prepare(
    migrations: Sequence[Migration],
    engine: Engine,
    version: Version | None = None,
    seed: Catalog | None = None,
) -> Iterator[PreparedMigration]:
    """Replay ``migrations`` in order and yield each with its steps. ``seed``: the schema before them."""
    replayer = Replayer(engine, version)
    if seed is not None:
        for table in seed.tables:
            replayer.tables[replayer.key(ddl.Name(table.name, table.schema))] = table
    key_of = replayer.key
    for migration in migrations:
        yield _prepare_one(migration, engine, version, replayer, key_of)


@dataclass
class _State:
    """What a reader of the script keeps in mind from one statement to the next."""

    transactional: bool  # the tool wraps the whole script in a transaction
    explicit: bool = False  # inside BEGIN ... COMMIT
    created: dict[TableKey, int] = field(default_factory=dict)  # table -> statement that created it
    added: dict[tuple[TableKey, str], int] = field(default_factory=dict)
    blocking_lock_seen: bool = False
    index: int = 0
    held: dict[TableKey, str] = field(default_factory=dict)
    not_valid: set[tuple[TableKey, str]] = field(default_factory=set)
    settings: dict[str, str] = field(default_factory=dict)
    local_settings: set[str] = field(default_factory=set)

    _snapshots: dict[str, Any] = field(default_factory=dict)  # frozen copies, shared until a change

    @property
    def in_transaction(self) -> bool:
        return self.explicit or self.transactional

    def snapshot(self, name: str) -> Any:
        """An immutable copy of one piece of state, shared by every step until that state changes:
        a migration creating thousands of tables must not copy the set for every statement."""
        if name not in self._snapshots:
            value = getattr(self, name)
            self._snapshots[name] = (
                MappingProxyType(dict(value)) if isinstance(value, dict) else frozenset(value)
            )
        return self._snapshots[name]

    def _changed(self, *names: str) -> None:
        for name in names:
            self._snapshots.pop(name, None)

    def end_transaction(self) -> None:
        if self.held or self.not_valid:
            self._changed("held", "not_valid")
        for name in self.local_settings:
            self.settings.pop(name, None)
            self._changed("settings")
        self.held.clear()
        self.not_valid.clear()
        self.local_settings.clear()

    def track(
        self,
        action: ddl.Action,
        key_of: Callable[[ddl.Name], TableKey],
        locks: Sequence[tuple[ddl.Name, str]] | None = None,
    ) -> None:
        """Note what ``action`` changes; ``locks``: its :func:`table_locks`, when already known."""
        match action:
            case ddl.TransactionControl(kind="begin"):
                self.explicit = True
            case ddl.TransactionControl():
                # COMMIT/ROLLBACK also ends the transaction the tool opened around the script:
                # later statements autocommit until the next BEGIN.
                self.explicit = False
                self.transactional = False
                self.end_transaction()
            case ddl.CreateTable():
                self.created.setdefault(key_of(action.table), self.index)
            case ddl.AddColumn():
                self.added.setdefault((key_of(action.table), action.column.name), self.index)
            case ddl.AddConstraint(constraint=spec) if not spec.validated and spec.name:
                self.not_valid.add((key_of(action.table), spec.name))
                self._changed("not_valid")
            case ddl.SetSetting(value=None):
                self.settings.pop(action.name, None)
                self._changed("settings")
            case ddl.SetSetting(value=str() as value):
                self.settings[action.name] = value
                self._changed("settings")
                if action.local:
                    self.local_settings.add(action.name)
        for name, mode in table_locks(action) if locks is None else locks:
            key = key_of(name)
            if STRENGTH.get(mode, 0) > STRENGTH.get(self.held.get(key, ""), 0):
                self.held[key] = mode
                self._changed("held")
            if key not in self.created and blocks_writes(mode):
                self.blocking_lock_seen = True
        if not self.in_transaction and (self.held or self.not_valid or self.local_settings):
            self.end_transaction()  # autocommit: each statement releases its locks


def _prepare_one(
    migration: Migration,
    engine: Engine,
    version: Version | None,
    replayer: Replayer,
    key_of: Callable[[ddl.Name], TableKey],
) -> PreparedMigration:
    script = migration.up
    text = _padded(script)
    parsed = parse_statements(text, engine, script.path)
    steps: list[MigrationStep] = []
    state = _State(transactional=migration.transactional)
    tables = replayer.tables
    for index, statement in enumerate(parsed.statements):
        actions = tuple(_resolved(action, replayer) for action in ddl_actions(statement))
        locks = [tuple(table_locks(action)) for action in actions]
        touched: dict[TableKey, None] = {}  # the tables the statement names, in order
        for action, action_locks in zip(actions, locks, strict=True):
            stand_in = not isinstance(action, ddl.CreateTable)
            for name in _names(action, action_locks):
                table_key = key_of(name)
                touched[table_key] = None
                if stand_in and table_key not in tables:
                    tables[table_key] = _placeholder(name, replayer)
        before = {table_key: tables[table_key] for table_key in touched if table_key in tables}
        steps.append(
            MigrationStep(
                migration=migration,
                statement=statement,
                actions=actions,
                index=index,
                in_transaction=state.in_transaction and engine is not Engine.MYSQL,  # MySQL DDL auto-commits
                explicit_transaction=state.explicit,
                tables_before=MappingProxyType(before) if before else _NO_TABLES,
                created_at=state.created,
                added_at=state.added,
                held_locks=state.snapshot("held"),
                earlier_blocking_lock=state.blocking_lock_seen,
                not_valid_here=state.snapshot("not_valid"),
                settings=state.snapshot("settings"),
                engine=engine,
                version=version,
                key_of=key_of,
            )
        )
        state.index = index
        for action, action_locks in zip(actions, locks, strict=True):
            state.track(action, key_of, action_locks)
        problems_before = len(replayer.problems)
        replayer.apply(statement, actions)
        del replayer.problems[problems_before:]  # tables predating the files read are not problems here
    return PreparedMigration(
        migration=migration,
        steps=tuple(steps),
        catalog_after=replayer.catalog(),
        created=frozenset(key for key in state.created if key in replayer.tables),
        problems=tuple(parsed.errors),
        suppressions=parse_suppressions(text, parsed.statements),
    )


def _resolved(action: ddl.Action, replayer: Replayer) -> ddl.Action:
    """The action with what the script leaves implicit filled in: the table of a ``DROP INDEX name``."""
    if (
        isinstance(action, ddl.Drop)
        and action.kind == "index"
        and action.table is None
        and len(action.names) == 1
    ):
        owner = replayer.index_table(action.names[0])
        if owner is not None:
            return replace(action, table=owner)
    return action


def _placeholder(name: ddl.Name, replayer: Replayer) -> Table:
    """An empty stand-in for a table that predates the files, so later statements of the run see
    what earlier ones did to it (a CHECK added and validated before SET NOT NULL, a new column)."""
    return Table(name=name.name, schema=name.schema or replayer.default_schema, attrs=_PLACEHOLDER)


_NO_TABLES: Mapping[TableKey, Table] = MappingProxyType({})
_PLACEHOLDER = MappingProxyType({"placeholder": True})  # shape unknown: defined before the files read


def _names(action: ddl.Action, locks: Sequence[tuple[ddl.Name, str]] | None = None) -> list[ddl.Name]:
    """Every table name an action refers to; ``locks``: its :func:`table_locks`, when already known."""
    names = [name for name, _ in (table_locks(action) if locks is None else locks)]
    value = getattr(action, "table", None)
    if isinstance(value, ddl.Name):
        names.append(value)
    return names


def _padded(script: MigrationScript) -> str:
    """The script with its offset restored, so line numbers point into the original file."""
    return "\n" * script.line_offset + script.text
