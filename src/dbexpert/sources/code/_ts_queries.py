"""Recognising one database call in TypeScript: Prisma, TypeORM or Drizzle, and its fix.

A call chain (``db.select().from(users).where(...)``, ``this.prisma.user.findFirst({...})``) is
flattened into steps and matched against each ORM's API by shape and method names; the client may
be named anything (``db``, ``tx``, ``ctx.prisma``), so Prisma is recognised by
``<client>.<model>.<method>(`` with Prisma's method names, TypeORM by repository / entity manager
receivers, Drizzle by its query builder chain.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from dbexpert.model.code import LoopQueryKind
from dbexpert.sources._typescript import arguments, text, unwrap, walk

PRISMA_READS = frozenset(
    {
        "findFirst",
        "findFirstOrThrow",
        "findUnique",
        "findUniqueOrThrow",
        "findMany",
        "count",
        "aggregate",
        "groupBy",
    }
)
PRISMA_WRITES = frozenset(
    {"create", "createMany", "update", "updateMany", "upsert", "delete", "deleteMany", "createManyAndReturn"}
)
PRISMA_RAW = {
    "$queryRaw": LoopQueryKind.QUERY_IN_LOOP,
    "$queryRawUnsafe": LoopQueryKind.QUERY_IN_LOOP,
    "$executeRaw": LoopQueryKind.PER_ROW_WRITE,
    "$executeRawUnsafe": LoopQueryKind.PER_ROW_WRITE,
}
# Prisma's dataloader merges findUnique calls made in the same tick into one query.
PRISMA_BATCHED = frozenset({"findUnique", "findUniqueOrThrow"})
# Methods whose names are Prisma's alone: the receiver needs no other evidence.
_PRISMA_ONLY = frozenset(
    {"findFirst", "findFirstOrThrow", "findUnique", "findUniqueOrThrow", "findMany", "aggregate", "groupBy"}
    | {"createMany", "updateMany", "deleteMany", "createManyAndReturn"}
)

TYPEORM_READS = frozenset(
    {
        "find",
        "findBy",
        "findOne",
        "findOneBy",
        "findOneOrFail",
        "findOneByOrFail",
        "findAndCount",
        "findAndCountBy",
        "findByIds",
        "count",
        "countBy",
        "exist",
        "exists",
        "existsBy",
        "sum",
        "average",
        "minimum",
        "maximum",
        "query",
    }
)
TYPEORM_WRITES = frozenset(
    {
        "save",
        "insert",
        "update",
        "upsert",
        "delete",
        "remove",
        "softDelete",
        "softRemove",
        "restore",
        "increment",
        "decrement",
    }
)
# Names no array or map has: on an unknown receiver they still mean TypeORM.
_TYPEORM_DISTINCT = frozenset(
    {
        "findBy",
        "findOne",
        "findOneBy",
        "findOneOrFail",
        "findOneByOrFail",
        "findAndCount",
        "countBy",
        "existsBy",
    }
)
QB_TERMINALS = frozenset(
    {
        "getOne",
        "getOneOrFail",
        "getMany",
        "getRawOne",
        "getRawMany",
        "getCount",
        "getManyAndCount",
        "getRawAndEntities",
        "getExists",
        "execute",
        "stream",
    }
)
_CUSTOM_READ = re.compile(r"^(find|get|count|load|fetch|exists?|search|select|preload)([A-Z_]\w*)?$")
_CUSTOM_WRITE = re.compile(
    r"^(save|update|delete|remove|insert|upsert|softDelete|restore|increment|decrement)[A-Z_]\w*$"
)
_NOT_QUERIES = frozenset(
    {"getId", "hasId", "create", "merge", "createQueryBuilder", "getRepository", "extend"}
)
_ENTITY_WRITES = frozenset({"save", "remove", "softRemove", "recover"})
_REPO_NAME = re.compile(r"(?i)(repo|repository)$")
_MANAGER_NAME = re.compile(
    r"(?i)^(em|tem|manager|\w*entitymanager|\w*datasource|\w*connection|\w*queryrunner)$"
)
# Keys and builder calls that page through results: a value from the loop here is a page, not an item.
PAGINATION_KEYS = frozenset(
    {"skip", "take", "cursor", "offset", "limit", "page", "pageSize", "after", "before"}
)
_PAGINATION_CALLS = frozenset({"skip", "take", "offset", "limit"})


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # property or method name ("[]" for a subscript)
    call: Any | None = None  # the call_expression node when the step is a call


@dataclass(frozen=True, slots=True)
class Match:
    orm: str
    kind: LoopQueryKind
    call: str  # short text: "prisma.user.findFirst", "db.select().from(users)"
    method: str
    model: str | None
    inputs: tuple[Any, ...]  # nodes whose identifiers make the call depend on the loop item
    skipped: tuple[Any, ...] = ()  # subtrees that never count (table, entity, pagination)
    client: str = ""
    field_nodes: tuple[Any, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class FileHints:
    imports: frozenset[str]  # "prisma", "typeorm", "drizzle"
    repositories: dict[str, str]  # a repository's name (variable or property) -> its entity
    managers: frozenset[str]  # names typed/assigned as EntityManager, DataSource, QueryRunner

    def typeorm_only(self) -> bool:
        return "typeorm" in self.imports and "prisma" not in self.imports


def flatten(node: Any) -> tuple[str, list[Step]]:
    """``a.b.c(x).d(y)`` as root ``a`` and steps b, c(x), d(y)."""
    steps: list[Step] = []
    node = unwrap(node)
    while True:
        if node.type == "call_expression":
            function = unwrap(node.child_by_field_name("function"))
            if function.type == "member_expression":
                steps.append(Step(text(function.child_by_field_name("property")), node))
                node = unwrap(function.child_by_field_name("object"))
                continue
            if function.type == "identifier":
                steps.append(Step(text(function), node))
                return "", steps[::-1]
            return text(function), steps[::-1]
        if node.type == "member_expression":
            steps.append(Step(text(node.child_by_field_name("property"))))
            node = unwrap(node.child_by_field_name("object"))
            continue
        if node.type == "subscript_expression":
            steps.append(Step("[]"))
            node = unwrap(node.child_by_field_name("object"))
            continue
        if node.type == "await_expression" and node.named_children:
            node = unwrap(node.named_children[0])
            continue
        return text(node), steps[::-1]


def _args(step: Step) -> list[Any]:
    if step.call is None:
        return []
    args = step.call.child_by_field_name("arguments")
    if args is not None and args.type == "template_string":
        return [args]
    return arguments(step.call)


def _has_callback(step: Step) -> bool:
    return any(a.type in ("arrow_function", "function_expression") for a in _args(step))


def _prefix(root: str, steps: list[Step], upto: int) -> str:
    parts = [root] if root else []
    for step in steps[:upto]:
        if step.call is None:
            parts.append(step.name)
            continue
        args = ", ".join(text(a) for a in _args(step))
        parts.append(f"{step.name}({args if len(args) <= 30 else '…'})")
    return ".".join(parts)


def _entity(node: Any | None) -> str | None:
    if node is None:
        return None
    name = text(unwrap(node))
    return name if re.fullmatch(r"[A-Za-z_$][\w$]*", name) else None


def match(node: Any, hints: FileHints) -> Match | None:
    """The database call ``node`` (the outermost call of a chain) makes, or None."""
    root, steps = flatten(node)
    if not steps or steps[-1].call is None:
        return None
    return (
        _typeorm_builder(root, steps, hints)
        or _drizzle(root, steps)
        or _prisma(root, steps, hints)
        or _typeorm(root, steps, hints)
        or _prisma_fluent(root, steps, hints)
    )


def _prisma(root: str, steps: list[Step], hints: FileHints) -> Match | None:
    last = steps[-1]
    if last.name in PRISMA_RAW and (root or len(steps) > 1):
        return Match(
            "prisma",
            PRISMA_RAW[last.name],
            _prefix(root, steps, len(steps) - 1) + f".{last.name}",
            last.name,
            None,
            tuple(_args(last)),
            client=_prefix(root, steps, len(steps) - 1),
        )
    if len(steps) < 2 or steps[-2].call is not None or not (root or len(steps) > 2):
        return None
    model = steps[-2].name
    if model in ("query", "[]") or model.startswith("$") or not model[:1].islower():
        return None
    if last.name not in PRISMA_READS | PRISMA_WRITES or _has_callback(last) or len(_args(last)) > 1:
        return None
    receiver_is_typeorm = (
        _REPO_NAME.search(model) or _MANAGER_NAME.match(model) or model in hints.repositories
    )
    if receiver_is_typeorm or (last.name not in _PRISMA_ONLY and hints.typeorm_only()):
        return None
    if last.name not in _PRISMA_ONLY and not _prisma_arguments(_args(last)):
        return None  # `cache.delete(key)`, `map.update(x)`: Prisma's shared names need Prisma's shape
    kind = LoopQueryKind.PER_ROW_WRITE if last.name in PRISMA_WRITES else LoopQueryKind.QUERY_IN_LOOP
    client = _prefix(root, steps, len(steps) - 2)
    return Match(
        "prisma", kind, f"{client}.{model}.{last.name}", last.name, model, tuple(_args(last)), client=client
    )


def _prisma_arguments(args: list[Any]) -> bool:
    """``{ where: ... }`` / ``{ data: ... }``: the one options object every Prisma call takes."""
    if not args:
        return True
    options = unwrap(args[0])
    if options.type != "object":
        return False
    keys = set()
    for child in options.named_children:
        if child.type == "pair":
            keys.add(text(child.child_by_field_name("key")))
        elif child.type == "shorthand_property_identifier":
            keys.add(text(child))
    return bool(keys & {"where", "data", "create", "update", "select", "include", "_count", "_sum", "by"})


def _prisma_fluent(root: str, steps: list[Step], hints: FileHints) -> Match | None:
    """``prisma.user.findUnique({...}).posts()``: the fluent API loads a relation of one row."""
    for i in range(1, len(steps) - 1):
        if steps[i].call is not None and steps[i].name in PRISMA_READS:
            found = _prisma(root, steps[: i + 1], hints)
            if found is not None and all(s.call is not None and not _args(s) for s in steps[i + 1 :]):
                return found
    return None


def _drizzle(root: str, steps: list[Step]) -> Match | None:
    names = [s.name for s in steps]
    for i, step in enumerate(steps[:-2]):
        # db.query.users.findFirst({...}): the relational query API
        if step.name == "query" and step.call is None and steps[i + 1].call is None:
            method = steps[i + 2]
            if method.name in ("findFirst", "findMany") and method.call is not None:
                client = _prefix(root, steps, i)
                name = steps[i + 1].name
                return Match(
                    "drizzle",
                    LoopQueryKind.QUERY_IN_LOOP,
                    f"{client}.query.{name}.{method.name}",
                    method.name,
                    name,
                    tuple(_args(method)),
                    client=client,
                )
    heads = (
        "select",
        "$count",
        "selectDistinct",
        "selectDistinctOn",
        "insert",
        "update",
        "delete",
        "execute",
        "run",
        "all",
        "get",
    )
    first_call = next((i for i, s in enumerate(steps) if s.call is not None and s.name in heads), None)
    if first_call is None:
        return None
    head = steps[first_call]
    client = _prefix(root, steps, first_call)
    rest = names[first_call + 1 :]
    if head.name in ("select", "selectDistinct", "selectDistinctOn") and "from" in rest:
        frm = steps[first_call + 1 + rest.index("from")]
        table = _entity(_args(frm)[0]) if _args(frm) else None
        inputs = [
            a
            for s in steps[first_call:]
            if s.name not in _PAGINATION_CALLS and s is not frm
            for a in _args(s)
        ]
        return Match(
            "drizzle",
            LoopQueryKind.QUERY_IN_LOOP,
            f"{client}.select().from({table or '…'})",
            "select",
            table,
            tuple(inputs),
            client=client,
        )
    if (
        head.name in ("insert", "update", "delete")
        and len(_args(head)) == 1
        and (
            (head.name == "insert" and "values" in rest)
            or (head.name == "update" and "set" in rest)
            or (head.name == "delete" and "where" in rest)
        )
    ):
        table = _entity(_args(head)[0])
        inputs = [a for s in steps[first_call + 1 :] for a in _args(s)]
        values = steps[first_call + 1 + rest.index("values")] if head.name == "insert" else None
        if values is not None and _args(values) and unwrap(_args(values)[0]).type == "array":
            return None  # one multi-row insert: already batched
        call = f"{client}.{head.name}({table or '…'})"
        return Match(
            "drizzle", LoopQueryKind.PER_ROW_WRITE, call, head.name, table, tuple(inputs), client=client
        )
    if head.name == "$count" and len(_args(head)) >= 1:
        table = _entity(_args(head)[0])
        return Match(
            "drizzle",
            LoopQueryKind.QUERY_IN_LOOP,
            f"{client}.$count({table or '…'})",
            "count",
            table,
            tuple(_args(head)[1:]),
            client=client,
        )
    if head.name in ("execute", "run", "all", "get") and first_call == len(steps) - 1 and _args(head):
        arg = unwrap(_args(head)[0])
        if arg.type == "call_expression" and text(arg.child_by_field_name("function")) == "sql":
            return Match(
                "drizzle",
                LoopQueryKind.QUERY_IN_LOOP,
                f"{client}.{head.name}(sql`…`)",
                head.name,
                None,
                (arg,),
                client=client,
            )
    return None


def _typeorm_builder(root: str, steps: list[Step], hints: FileHints) -> Match | None:
    names = [s.name for s in steps]
    if "createQueryBuilder" not in names or steps[-1].name not in QB_TERMINALS:
        return None
    start = names.index("createQueryBuilder")
    receiver = steps[start - 1].name if start > 0 else root
    model = hints.repositories.get(receiver) or (
        _repo_model(receiver) if _REPO_NAME.search(receiver) else None
    )
    qb = steps[start]
    if _args(qb) and receiver and _MANAGER_NAME.match(receiver.split(".")[-1]):
        model = _entity(_args(qb)[0])
    for step in steps[start + 1 :]:
        if step.name in ("from", "into", "update", "delete") and _args(step):
            model = _entity(_args(step)[0]) or model
    writes = {"insert", "update", "delete", "softDelete", "restore"}
    kind = LoopQueryKind.PER_ROW_WRITE if writes & set(names[start + 1 :]) else LoopQueryKind.QUERY_IN_LOOP
    if kind is LoopQueryKind.PER_ROW_WRITE and "values" in names:
        values = steps[names.index("values")]
        if _args(values) and unwrap(_args(values)[0]).type == "array":
            return None
    inputs = [
        a for s in steps[start + 1 :] if s.name not in _PAGINATION_CALLS | {"from", "into"} for a in _args(s)
    ]
    client = _prefix(root, steps, start)
    verb = next((n for n in names[start + 1 :] if n in writes), steps[-1].name)
    return Match(
        "typeorm",
        kind,
        f"{client}.createQueryBuilder(…).{steps[-1].name}",
        verb,
        model,
        tuple(inputs),
        client=client,
    )


def _typeorm(root: str, steps: list[Step], hints: FileHints) -> Match | None:
    last = steps[-1]
    receiver_step = steps[-2] if len(steps) > 1 else None
    receiver = receiver_step.name if receiver_step is not None else root
    if _has_callback(last):
        return None
    if last.name not in TYPEORM_READS | TYPEORM_WRITES:
        return _custom_repository(root, steps, hints, receiver)
    args = _args(last)
    kind = LoopQueryKind.PER_ROW_WRITE if last.name in TYPEORM_WRITES else LoopQueryKind.QUERY_IN_LOOP
    client = _prefix(root, steps, len(steps) - 1)
    if receiver_step is not None and receiver_step.name in (
        "getRepository",
        "getTreeRepository",
        "withRepository",
    ):
        repo_args = _args(receiver_step)
        model = _entity(repo_args[0]) if repo_args else None
        return Match(
            "typeorm",
            kind,
            f"{client}.{last.name}",
            last.name,
            model,
            tuple(args),
            skipped=tuple(repo_args),
            client=client,
        )
    if receiver_step is not None and receiver_step.call is not None:
        if receiver_step.name not in ("getManager", "getConnection", "getMongoManager"):
            return None
        receiver = "manager"
    if receiver in hints.repositories or _REPO_NAME.search(receiver):
        model = hints.repositories.get(receiver) or _repo_model(receiver)
        return Match("typeorm", kind, f"{client}.{last.name}", last.name, model, tuple(args), client=client)
    if receiver in hints.managers or _MANAGER_NAME.match(receiver) or receiver == "manager":
        if last.name == "query":
            return Match("typeorm", kind, f"{client}.query", "query", None, tuple(args), client=client)
        # manager.findOneBy(User, {...}) names the entity first; manager.save(post) passes the row
        named = last.name not in _ENTITY_WRITES or re.match(r"[A-Z]|['\"`]", text(args[0]) if args else "")
        entity = args[0] if args and named else None
        model = _entity(entity) if entity is not None else None
        inputs = tuple(args[1:]) if entity is not None else tuple(args)
        return Match(
            "typeorm",
            kind,
            f"{client}.{last.name}",
            last.name,
            model,
            inputs,
            skipped=(entity,) if entity is not None else (),
            client=client,
        )
    if len(steps) == 1 and root[:1].isupper() and last.name in _TYPEORM_DISTINCT:
        # Active Record: User.findOneBy({ id }) on an entity extending BaseEntity
        return Match("typeorm", kind, f"{root}.{last.name}", last.name, root, tuple(args), client=root)
    if "typeorm" not in hints.imports and not hints.repositories and not hints.managers:
        return None
    if (
        len(steps) == 1
        and root[:1].isupper()
        and last.name in TYPEORM_READS | TYPEORM_WRITES - {"save", "remove"}
    ):
        # Active Record: User.findOneBy({ id }) on an entity extending BaseEntity
        return Match("typeorm", kind, f"{root}.{last.name}", last.name, root, tuple(args), client=root)
    if len(steps) == 1 and root and last.name in _ENTITY_WRITES and not args:
        # post.save(): an Active Record entity writing itself
        return Match(
            "typeorm",
            LoopQueryKind.PER_ROW_WRITE,
            f"{root}.{last.name}",
            last.name,
            None,
            (unwrap_object(steps[-1]),),
        )
    if last.name in _TYPEORM_DISTINCT:
        return Match(
            "typeorm",
            kind,
            f"{client}.{last.name}",
            last.name,
            _repo_model(receiver),
            tuple(args),
            client=client,
        )
    return None


def _custom_repository(root: str, steps: list[Step], hints: FileHints, receiver: str) -> Match | None:
    """``userRepository.findByEmail(email)``: a custom repository method is a query by its name."""
    last = steps[-1]
    if not (receiver in hints.repositories or _REPO_NAME.search(receiver)) or last.name in _NOT_QUERIES:
        return None
    if len(steps) > 1 and steps[-2].call is not None:
        return None
    if _CUSTOM_WRITE.match(last.name):
        kind = LoopQueryKind.PER_ROW_WRITE
    elif _CUSTOM_READ.match(last.name):
        kind = LoopQueryKind.QUERY_IN_LOOP
    else:
        return None
    client = _prefix(root, steps, len(steps) - 1)
    model = hints.repositories.get(receiver) or _repo_model(receiver)
    orm = "prisma" if "prisma" in hints.imports and "typeorm" not in hints.imports else "typeorm"
    return Match(orm, kind, f"{client}.{last.name}", last.name, model, tuple(_args(last)), client=client)


def unwrap_object(step: Step) -> Any:
    assert step.call is not None
    function = step.call.child_by_field_name("function")
    return function.child_by_field_name("object")


def _repo_model(receiver: str) -> str | None:
    base = _REPO_NAME.sub("", receiver).rstrip("_")
    return base[:1].upper() + base[1:] if base else None


def pagination_nodes(nodes: tuple[Any, ...]) -> Iterator[Any]:
    """Subtrees under paging keys (``skip: page * 20``, ``cursor: { id }``)."""
    for node in nodes:
        for child in walk(node):
            if child.type == "pair":
                key = child.child_by_field_name("key")
                if key is not None and text(key) in PAGINATION_KEYS:
                    yield child
            elif child.type == "shorthand_property_identifier" and text(child) in PAGINATION_KEYS:
                yield child  # { skip, take }
