"""The fix for a TypeScript N+1 site, in the ORM's own terms, the one batched query, and where
the loop item sits in the query's filter."""

from __future__ import annotations

import re
from typing import Any

from dbexpert.model.code import LoopQueryKind
from dbexpert.sources._typescript import arguments, text, unwrap, walk
from dbexpert.sources.code._ts_queries import PAGINATION_KEYS, Match


def _lower(name: str) -> str:
    return name[:1].lower() + name[1:]


def fix(found: Match, path: tuple[str, ...], relation: str | None = None) -> tuple[str, str | None]:
    """(fix, batched) for a query or write found in a loop; ``path`` leads to the loop item in the
    filter (``("authorId",)``, ``("posts", "some", "id")``)."""
    path = path or ("id",)
    if found.orm == "prisma":
        return _prisma(found, path)
    if found.orm == "typeorm":
        return _typeorm(found, path, relation)
    return _drizzle(found, path[-1])


def _nested(path: tuple[str, ...], leaf: str) -> str:
    """``{ posts: { some: { id: { in: ids } } } }`` from the path and the innermost value."""
    for key in reversed(path):
        leaf = f"{{ {key}: {leaf} }}"
    return leaf


def _prisma(found: Match, path: tuple[str, ...]) -> tuple[str, str | None]:
    client, model = found.client or "prisma", found.model or "model"
    key, where = path[-1], _nested(path, "{ in: ids }")
    if found.method.startswith("$"):
        return (
            "Run one raw query for all items (`WHERE id = ANY(${ids})` / `IN (${Prisma.join(ids)})`).",
            f"{client}.{found.method}`… WHERE {key} IN (${{Prisma.join(ids)}})`",
        )
    if found.kind is LoopQueryKind.PER_ROW_WRITE:
        if found.method == "create":
            return (
                "Insert all rows with one `createMany`.",
                f"{client}.{model}.createMany({{ data: rows }})",
            )
        if found.method in ("delete", "deleteMany"):
            return (
                "Delete all rows with one `deleteMany` filtered by the ids.",
                f"{client}.{model}.deleteMany({{ where: {where} }})",
            )
        if found.method == "upsert":
            return (
                "Prisma has no batched upsert: send the writes as one batch with "
                f"`{client}.$transaction([...])` instead of awaiting them one by one "
                "(or `createMany({ skipDuplicates: true })` plus one `updateMany`).",
                f"{client}.$transaction(items.map((item) => {client}.{model}.{found.method}({{ ... }})))",
            )
        return (
            "Use one `updateMany` when every row gets the same data; otherwise send the writes as one "
            f"batch with `{client}.$transaction([...])` instead of awaiting them one by one.",
            f"{client}.{model}.updateMany({{ where: {where}, data }})",
        )
    if found.method in ("count", "aggregate", "groupBy") and len(path) == 1:
        totals = "_count: true" if found.method == "count" else "_sum: { … }"
        return (
            "Aggregate for all items at once with one `groupBy` on the key (for counts of a relation, "
            "`include: { _count: { select: { <relation>: true } } }` on the parent query).",
            f"{client}.{model}.groupBy({{ by: ['{key}'], where: {where}, {totals} }})",
        )
    return (
        "Load the relation with the parent query (`include: { <relation>: true }` or a nested `select`), "
        "or fetch all rows in one query before the loop and map them by key.",
        f"{client}.{model}.findMany({{ where: {where} }})",
    )


def _typeorm(found: Match, path: tuple[str, ...], relation: str | None) -> tuple[str, str | None]:
    repo = f"{found.client}" if found.client else "repository"
    key, where = path[-1], _nested(path, "In(ids)")[2:-2]
    model = found.model or "Entity"
    if relation:
        return (
            f"Load `{relation}` with the parent query: `relations: ['{relation}']` (or "
            f"`leftJoinAndSelect('{_lower(model)}.{relation}', '{relation}')` on a query builder).",
            f"find({{ relations: {{ {relation}: true }} }})",
        )
    if "createQueryBuilder" in found.call:
        return _typeorm_builder(found, key, model)
    if found.kind is LoopQueryKind.PER_ROW_WRITE:
        target = f"{model}, " if _manager(found) and found.model else ""
        if found.method in ("save", "insert", "upsert"):
            return (
                f"Collect the entities and write them in one call: `{found.method}` accepts an array.",
                f"{repo}.{found.method}({target}entities)",
            )
        if found.method in ("delete", "softDelete", "remove"):
            return (
                "Delete all rows in one statement filtered by the ids.",
                f"{repo}.delete({target}{{ {where} }})",
            )
        return (
            "Update all rows in one statement when they get the same values "
            "(`update({ id: In(ids) }, values)`), or one `createQueryBuilder().update()` with a CASE.",
            f"{repo}.update({target}{{ {where} }}, values)",
        )
    if found.method == "query":
        return (
            "Run one query for all items with `= ANY($1)` / `IN (...)` and map the rows back by key.",
            f"{repo}.query('… WHERE {key} = ANY($1)', [ids])",
        )
    if found.method in ("count", "countBy"):
        return (
            "Count for all items in one grouped query "
            "(`createQueryBuilder().select(...).addSelect('COUNT(*)').groupBy(...)`) or "
            "`loadRelationCountAndMap` on the parent query.",
            f"{repo}.createQueryBuilder('{_lower(model)}').select('{_lower(model)}.{key}')"
            f".addSelect('COUNT(*)', 'count').where('{_lower(model)}.{key} IN (:...ids)', {{ ids }})"
            f".groupBy('{_lower(model)}.{key}').getRawMany()",
        )
    return (
        "Load the relation with the parent query (`relations: [...]` or `leftJoinAndSelect`), or fetch all "
        "rows in one query before the loop and map them by key.",
        f"{_repository(found)}.findBy({{ {where} }})",
    )


def _manager(found: Match) -> bool:
    last = found.client.split(".")[-1].lower()
    return "manager" in last or last.endswith(("datasource", "connection", "queryrunner")) or last == "em"


def _typeorm_builder(found: Match, key: str, model: str) -> tuple[str, str | None]:
    alias = _lower(model)
    if found.method == "insert":
        return (
            "Insert all rows in one statement: `.values([...])` takes an array.",
            f"{found.client}.createQueryBuilder().insert().into({model}).values(rows).execute()",
        )
    if found.method in ("update", "delete", "softDelete", "restore"):
        return (
            "Write all rows in one statement filtered by the ids.",
            f"{found.client}.createQueryBuilder().{found.method}()"
            + (".set(values)" if found.method == "update" else "")
            + f".where('{key} IN (:...ids)', {{ ids }}).execute()",
        )
    return (
        f"Load the relation with the parent query (`leftJoinAndSelect('<parent>.<relation>', '{alias}')`), or "
        "fetch all rows in one query before the loop and map them by key.",
        f"{found.client}.createQueryBuilder('{alias}').where('{alias}.{key} IN (:...ids)', {{ ids }}).getMany()",
    )


def _repository(found: Match) -> str:
    if found.client and found.model and found.client.split(".")[-1][:1].isupper():
        return found.client  # Active Record: User.findBy(...)
    if found.client and _manager(found):
        return f"{found.client}.getRepository({found.model or 'Entity'})"
    return found.client or "repository"


def _drizzle(found: Match, key: str) -> tuple[str, str | None]:
    client, table = found.client or "db", found.model or "table"
    column = f"{table}.{key.split('.')[-1]}"
    if found.model is None:
        return (
            "Run one query for all items (`= ANY(${ids})` / `inArray`) and map the rows back by key.",
            f"{client}.{found.method}(sql`… WHERE {key.split('.')[-1]} = ANY(${{ids}})`)",
        )
    if found.kind is LoopQueryKind.PER_ROW_WRITE:
        if found.method == "insert":
            return (
                "Insert all rows with one `insert(...).values([...])`.",
                f"{client}.insert({table}).values(rows)",
            )
        if found.method == "delete":
            return (
                "Delete all rows in one statement.",
                f"{client}.delete({table}).where(inArray({column}, ids))",
            )
        return (
            "Update all rows in one statement when they get the same values, or one `UPDATE … FROM (VALUES …)`.",
            f"{client}.update({table}).set(values).where(inArray({column}, ids))",
        )
    return (
        f"Load the relation with the parent query (`{client}.query.<parent>.findMany({{ with: {{ <relation>: true }} }})`), "
        "or fetch all rows in one query before the loop and map them by key.",
        f"{client}.select().from({table}).where(inArray({column}, ids))",
    )


def field_for(inputs: tuple[Any, ...], depends: Any) -> tuple[str, ...]:
    """Where the loop item goes in the filter, as a key path: ``("authorId",)`` for
    ``where: { authorId: post.id }``, ``("posts", "some", "id")`` for a relation filter, the column
    ``("posts.authorId",)`` for Drizzle's ``eq(posts.authorId, user.id)``; ``()`` when unknown.
    ``depends(node)`` says whether a node uses the loop item."""
    for node in inputs:
        for child in walk(node):
            if child.type == "call_expression" and text(child.child_by_field_name("function")) in (
                "eq",
                "inArray",
            ):
                args = arguments(child)
                if len(args) == 2 and depends(args[1]) and not depends(args[0]):
                    return (text(args[0]),)
    for node in inputs:
        if depends(node):
            path = tuple(_key_path(unwrap(node), depends))
            return _builder_column(inputs, path) or path
    return ()


def _builder_column(inputs: tuple[Any, ...], path: tuple[str, ...]) -> tuple[str, ...] | None:
    """``.where('line.orderId = :id', { id })``: the column behind a query builder parameter."""
    if len(path) != 1:
        return None
    for node in inputs:
        if node.type in ("string", "template_string"):
            found = re.search(
                rf"[\w$]+\.([\w$]+)\s*(?:=|IN|in)\s*\(?:(?:\.\.\.)?{re.escape(path[0])}\b", text(node)
            )
            if found:
                return (found.group(1),)
    return None


def _key_path(node: Any, depends: Any) -> list[str]:
    if node.type == "array":
        for child in node.named_children:
            if depends(child):
                return _key_path(unwrap(child), depends)
        return []
    if node.type != "object":
        return []
    for child in node.named_children:
        if child.type == "shorthand_property_identifier" and depends(child):
            return [text(child)]
        if child.type != "pair" or not depends(child):
            continue
        key = text(child.child_by_field_name("key")).strip("'\"")
        if key in PAGINATION_KEYS or key in ("select", "include", "orderBy", "order", "relations"):
            continue
        if key in ("equals", "in"):
            return []
        rest = _key_path(unwrap(child.child_by_field_name("value")), depends)
        return rest if key in ("where", "AND", "OR", "NOT", "data") else [key, *rest]
    return []
