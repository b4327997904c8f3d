"""One node inside a loop body judged: a query call, a relation load, or neither — with the fix.

``query_site`` reads call chains (``session.get``, ``Model.objects.filter(...).count()``,
``obj.save()``); ``relation_site`` reads attribute accesses on ORM rows (``post.author.name``,
``post.comments.all()``). Both return a :class:`Site` only when the node uses the loop item.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from dbexpert.model.code import LoopQueryKind
from dbexpert.sources.code._py_models import FileModels
from dbexpert.sources.code._py_origin import expand
from dbexpert.sources.migrations._pyast import dotted

if TYPE_CHECKING:
    from dbexpert.sources.code.python_loops import Frame

_SESSION = re.compile(r"(?:^|_)(?:session|sess|db|conn|connection|s|tx|uow)$", re.I)
_SESSION_READS = frozenset({"get", "get_one", "execute", "scalars", "scalar", "query", "merge", "refresh"})
_FLASK_READS = frozenset({"get", "get_or_404", "filter", "filter_by", "first", "one", "all", "count", "first_or_404"})
_DJANGO_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_DJANGO_WRITES = frozenset({"create", "update", "delete", "get_or_create", "update_or_create"})
_MANAGER_WRITES = frozenset({"add", "remove", "set", "clear", "create"})
_MANAGER_READS = frozenset(
    {"all", "filter", "exclude", "count", "exists", "first", "last", "get", "order_by", "values",
     "values_list", "aggregate", "annotate", "latest", "earliest", "distinct", "select_related",
     "only", "defer", "in_bulk", "iterator", "none"}
)  # fmt: skip
_CACHED = frozenset({"all", "count", "exists", "none"})  # answered from the prefetch cache
_SCALAR_ATTRS = frozenset(
    {"year", "month", "day", "hour", "minute", "second", "microsecond", "tzinfo", "days", "seconds",
     "real", "imag", "hex", "int", "value", "label", "choices", "url", "path", "size", "width", "height"}
)  # fmt: skip
_SCALAR_NAMES = frozenset(
    {"id", "pk", "name", "title", "email", "slug", "status", "state", "type", "kind", "text", "body",
     "content", "description", "price", "amount", "total", "count", "created", "updated", "modified",
     "date", "time", "timestamp", "data", "meta", "metadata", "json", "payload", "config", "settings",
     "options", "uuid", "key", "code", "username", "first_name", "last_name", "phone", "quantity",
     "score", "rank", "position", "priority", "enabled", "active", "deleted", "version",
     "value", "image", "file", "avatar", "photo", "password", "token", "extra", "attrs", "tags_text",
     "role", "level", "currency", "country", "language", "locale", "timezone", "notes", "comment_text",
     # framework objects that are attributes, not relations
     "field", "fields", "expression", "query", "queryset", "form", "formset", "widget", "model",
     "db", "connection", "request", "response", "engine", "backend", "introspection", "storage", "cache",
     "session", "context", "logger", "client", "template"}
)  # fmt: skip
_SCALAR_SUFFIX = ("_id", "_ids", "_at", "_on", "_date", "_time", "_count", "_url", "_json", "_data",
                  "_name", "_type", "_code", "_key", "_flag", "_total", "_amount", "_price", "_text")  # fmt: skip
_SCALAR_PREFIX = ("is_", "has_", "can_", "num_", "should_")
# Methods of plain values: `post.title.upper()` reads a column, `post.author.get_full_name()` a relation.
_VALUE_METHODS = frozenset(
    m for t in (str, bytes, dict, list, set, int, float, Decimal, datetime, date, timedelta, UUID)
    for m in dir(t) if not m.startswith("_")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Site:
    orm: str
    kind: LoopQueryKind
    line: int
    column: int
    call: str
    model: str | None = None
    relation: str | None = None
    fix: str = ""
    batched: str | None = None


class Scanner(Protocol):
    models: FileModels
    orm: str
    parents: dict[int, ast.AST]


# -- query calls ----------------------------------------------------------------------------
def _chain(call: ast.Call) -> tuple[list[tuple[str, ast.Call | None]], ast.expr | None]:
    """``a.b(x).c(y)`` as ``[("c", call), ("b", call), ...]`` (outermost first) and its root ``a``."""
    steps: list[tuple[str, ast.Call | None]] = []
    node: ast.expr = call
    while True:
        if isinstance(node, ast.Await):
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Attribute):
                steps.append((node.func.attr, node))
                node = node.func.value
            elif isinstance(node.func, ast.Name):
                steps.append((node.func.id, node))
                return steps, None
            else:
                return steps, node.func
        elif isinstance(node, ast.Attribute):
            steps.append((node.attr, None))
            node = node.value
        else:
            return steps, node


def _call_text(steps: list[tuple[str, ast.Call | None]], root: ast.expr | None) -> str:
    parts = [root.id if isinstance(root, ast.Name) else "…"] if root is not None else []
    for name, call in reversed(steps):
        parts.append(f"{name}(…)" if call is not None and (call.args or call.keywords) else f"{name}()" if call else name)
    text = ".".join(parts)
    return text if len(text) <= 80 else text[:77] + "..."


def _uses(node: ast.AST, frame: Frame, ignore: set[str]) -> bool:
    return bool(({n.id for n in ast.walk(node) if isinstance(n, ast.Name)} - ignore) & frame.tainted)


def _model_args(node: ast.AST) -> set[str]:
    """Names passed as the model of select()/query()/get()/insert(): a loop over models uses them."""
    found: set[str] = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.Name):
            name = dotted(call.func).rpartition(".")[2] or (
                call.func.attr if isinstance(call.func, ast.Attribute) else ""
            )
            if name in ("select", "query", "get", "get_one", "insert", "update", "delete", "get_object_or_404"):
                found.add(call.args[0].id)
    return found


def query_site(call: ast.Call, frame: Frame, scanner: Scanner) -> Site | None:
    steps, root = _chain(call)
    if not steps:
        return None
    text = _call_text(steps, root)
    names = [name for name, _ in steps]
    line, column = call.lineno, call.col_offset + 1
    manager = next((i for i, (name, c) in enumerate(steps) if name in _DJANGO_MANAGERS and c is None), None)
    if manager is not None:
        model = root.id if isinstance(root, ast.Name) and manager == len(steps) - 1 else None
        if not _uses(call, frame, {model} if model else set()) or names[0] in ("none", "bulk_create", "bulk_update"):
            return None
        return _django_query(names[0], model, call, text, line, column)
    if names == ["get_object_or_404"] or names == ["get_list_or_404"]:
        model = call.args[0].id if call.args and isinstance(call.args[0], ast.Name) else None
        if not _uses(call, frame, {model} if model else set()):
            return None
        return _django_query("get", model, call, text, line, column)
    if isinstance(root, ast.Name) and len(steps) == 1 and scanner.orm == "django":
        no_write = any(k.arg == "commit" for k in call.keywords)  # form.save(commit=False)
        if names[0] in ("save", "delete", "refresh_from_db") and root.id in frame.tainted and not no_write:
            return _django_instance(names[0], root.id, frame, text, line, column)
    if isinstance(root, ast.Name) and len(steps) == 2 and steps[1][1] is None and scanner.orm == "django":
        relation = names[1]
        plain = root.id in ("self", "cls") or relation[:1] in ("_",) or relation[:1].isupper() or _scalar_like(relation)
        if names[0] in _MANAGER_WRITES and not plain and (root.id in frame.rows or _uses(call, frame, set())):
            relation = names[1]
            return Site("django", LoopQueryKind.PER_ROW_WRITE, line, column, text, relation=relation,
                        fix=f"Change the relation once for all items: obj.{relation}.add(*objs) / .set(objs), "
                            f"or bulk_create the rows of its through model.",
                        batched=f"{relation}.through.objects.bulk_create([...])")  # fmt: skip
    return _sqlalchemy_query(steps, root, call, frame, text, line, column)


def _sqlalchemy_query(
    steps: list[tuple[str, ast.Call | None]], root: ast.expr | None, call: ast.Call, frame: Frame,
    text: str, line: int, column: int,
) -> Site | None:  # fmt: skip
    deepest = max((i for i, (_, c) in enumerate(steps) if c is not None), default=None)
    if deepest is None:
        return None
    method, inner = steps[deepest]
    receiver = steps[deepest + 1][0] if deepest + 1 < len(steps) else (root.id if isinstance(root, ast.Name) else "")
    flask = receiver == "query" and deepest + 2 == len(steps) and isinstance(root, ast.Name) and root.id[:1].isupper()
    if not (flask and method in _FLASK_READS) and not (_SESSION.search(receiver) and method in _SESSION_READS):
        return None
    if method in ("get", "get_one") and inner is not None and not (
        inner.args and isinstance(inner.args[0], ast.Name | ast.Attribute) and dotted(inner.args[0])[-1:].isalpha()
        and dotted(inner.args[0]).rpartition(".")[2][:1].isupper()
    ):
        return None  # session.get(Model, key); requests' session.get(url) and dict-like .get(key) are not queries
    nodes = expand(call, frame.scope, line)
    if not _uses(call, frame, _model_args(call)):
        return None
    model = _sqla_model(nodes) or (root.id if flask and isinstance(root, ast.Name) else None)
    if inner is not None and method == "execute" and inner.args:
        statement = {dotted(n.func).rpartition(".")[2] for n in expand(inner.args[0], frame.scope, line) if isinstance(n, ast.Call)}
        write = next((w for w in ("insert", "update", "delete") if w in statement), None)
        if write:
            return Site("sqlalchemy", LoopQueryKind.PER_ROW_WRITE, line, column, text, model=model,
                        fix="Collect the rows and send one statement with a list of parameters "
                            "(executemany / ORM bulk " + write + ").",
                        batched=_sqla_batched_write(write, model or "Model"))  # fmt: skip
    target = model or "Model"
    key = _compared_column(nodes, frame) or "id"
    return Site(
        "sqlalchemy", LoopQueryKind.QUERY_IN_LOOP, line, column, text, model=model,
        fix=f"Load the rows for all items in one query before the loop and look them up by {key} in a dict "
            f"(or eager-load the relation on the outer statement with selectinload/joinedload).",
        batched=f"session.scalars(select({target}).where({target}.{key}.in_(keys))).all()",
    )  # fmt: skip


def _sqla_batched_write(write: str, model: str) -> str:
    if write == "insert":
        return f"session.execute(insert({model}), [{{...}}, {{...}}])"
    if write == "update":
        return f"session.execute(update({model}), [{{'id': ..., ...}}, ...])"
    return f"session.execute(delete({model}).where({model}.id.in_(ids)))"


def _sqla_model(nodes: list[ast.AST]) -> str | None:
    for node in nodes:
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
            name = dotted(node.func).rpartition(".")[2] or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
            if name in ("select", "query", "get", "get_one", "merge") and node.args[0].id[:1].isupper():
                return node.args[0].id
    return None


def _compared_column(nodes: list[ast.AST], frame: Frame) -> str | None:
    for node in nodes:
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) and _uses(node, frame, set()):
            return node.left.attr
        if isinstance(node, ast.keyword) and node.arg and _uses(node.value, frame, set()):
            return node.arg  # filter_by(author_id=...)
    return None


def _django_query(method: str, model: str | None, call: ast.Call, text: str, line: int, column: int) -> Site:
    m = model or "Model"
    if method in _DJANGO_WRITES:
        batched = {
            "create": f"{m}.objects.bulk_create([{m}(...) for item in items])",
            "update": f"{m}.objects.bulk_update(objs, [fields])",
            "delete": f"{m}.objects.filter(pk__in=ids).delete()",
        }.get(method, f"{m}.objects.bulk_create(objs, update_conflicts=True, unique_fields=[...], update_fields=[...])")
        return Site("django", LoopQueryKind.PER_ROW_WRITE, line, column, text, model=model,
                    fix="Write all rows in one statement.", batched=batched)  # fmt: skip
    key = next((k.arg for n in ast.walk(call) if isinstance(n, ast.Call) for k in n.keywords if k.arg), "pk")
    field = key.split("__")[0]
    if method == "count":
        fix = f'Count for all items in one query: {m}.objects.values("{field}").annotate(n=Count("pk")), or annotate(Count(...)) on the outer queryset.'
    else:
        fix = f"Fetch the rows for all items in one query before the loop and group them by {field} in Python (or prefetch_related on the outer queryset)."
    return Site("django", LoopQueryKind.QUERY_IN_LOOP, line, column, text, model=model, fix=fix,
                batched=f"{m}.objects.filter({field}__in=keys)")  # fmt: skip


def _django_instance(method: str, name: str, frame: Frame, text: str, line: int, column: int) -> Site:
    found = frame.scope.lookup(name, line)
    created = found is not None and isinstance(found[1], ast.Call) and dotted(found[1].func)[:1].isupper()
    model = dotted(found[1].func) if found is not None and created and isinstance(found[1], ast.Call) else None
    m = model or "Model"
    if method == "refresh_from_db":
        return Site("django", LoopQueryKind.QUERY_IN_LOOP, line, column, text, model=model,
                    fix="Reload all objects in one query.", batched=f"{m}.objects.in_bulk(ids)")  # fmt: skip
    if method == "delete":
        batched = f"{m}.objects.filter(pk__in=ids).delete()"
    elif created:
        batched = f"{m}.objects.bulk_create(objs)"
    else:
        batched = f"{m}.objects.bulk_update(objs, [fields])"
    return Site("django", LoopQueryKind.PER_ROW_WRITE, line, column, text, model=model,
                fix="Collect the objects in the loop and write them in one statement after it.", batched=batched)  # fmt: skip


# -- relation loads -------------------------------------------------------------------------
def _usage(node: ast.expr, parents: dict[int, ast.AST]) -> str:
    """How an object is used: ``attr:x``, ``manager:m``, ``method:m``, ``iter`` or ``plain``."""
    parent = parents.get(id(node))
    if isinstance(parent, ast.Attribute) and parent.value is node:
        grand = parents.get(id(parent))
        if isinstance(grand, ast.Call) and grand.func is parent:
            return f"manager:{parent.attr}" if parent.attr in _MANAGER_READS else f"method:{parent.attr}"
        return f"attr:{parent.attr}"
    if isinstance(parent, ast.For | ast.AsyncFor | ast.comprehension) and parent.iter is node:
        return "iter"
    if isinstance(parent, ast.Call) and node in parent.args and dotted(parent.func) in (
        "len", "list", "sorted", "sum", "any", "all", "set", "tuple", "enumerate", "max", "min"
    ):
        return "iter"
    return "plain"


def _scalar_like(name: str) -> bool:
    return (
        name in _SCALAR_NAMES
        or name.endswith(_SCALAR_SUFFIX)
        or name.startswith(_SCALAR_PREFIX)
        or name.startswith("_")
        or name.isupper()
    )


def relation_site(node: ast.expr, frame: Frame, scanner: Scanner) -> Site | None:
    """A lazy relation load (or a bypassed prefetch) at ``row.relation`` or at an alias's use."""
    if isinstance(node, ast.Name):
        alias = frame.aliases.get(node.id)
        if alias is None or not isinstance(node.ctx, ast.Load):
            return None
        return _judge(alias, _usage(node, scanner.parents), frame, scanner)
    if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)):
        return None
    if node.value.id not in frame.rows:
        return None
    return _judge(node, _usage(node, scanner.parents), frame, scanner)


def _judge(node: ast.Attribute, usage: str, frame: Frame, scanner: Scanner) -> Site | None:
    name, models, origin = node.attr, scanner.models, frame.origin
    orm = origin.kind if origin.kind in ("sqlalchemy", "django") else scanner.orm
    known = name in models.relations
    how, _, method = usage.partition(":")
    if not known and (name in models.columns or _scalar_like(name)):
        return None
    if not known:
        if how == "attr" and (method in _SCALAR_ATTRS or method.startswith("_")):
            return None
        if how == "iter" and orm == "django":
            return None  # a Django manager is not iterable: this is a to_attr list or a property
        if how == "method" and (method in _VALUE_METHODS or method.startswith("_")):
            return None
        if not (name.endswith("_set") or how in ("attr", "manager", "iter", "method")):
            return None
    if name in models.eager:
        return None
    manager = how == "manager" or name.endswith("_set") or (orm == "django" and name in models.collections)
    if orm == "django" and how == "manager" and name in origin.prefetched:
        if method in _CACHED:
            return None
        return Site("django", LoopQueryKind.PREFETCH_BYPASSED, node.lineno, node.col_offset + 1,
                    f"{ast.unparse(node)}.{method}()", model=models.targets.get(name), relation=name,
                    fix=f'Filter inside the prefetch instead: prefetch_related(Prefetch("{name}", '
                        f'queryset=<related model>.objects.filter(...), to_attr="selected_{name}")) and read '
                        f"obj.selected_{name} (or filter obj.{name}.all() in Python).")  # fmt: skip
    if origin.all_loaded or name in origin.loaded:
        return None
    if origin.forward_loaded and not manager and name not in models.collections:
        return None
    return Site(orm, LoopQueryKind.LAZY_LOAD, node.lineno, node.col_offset + 1, ast.unparse(node),
                model=models.targets.get(name), relation=name,
                fix=_lazy_fix(orm, origin.model or "Model", name, manager, method, how,
                              name in models.collections))  # fmt: skip


def _lazy_fix(orm: str, model: str, name: str, manager: bool, method: str, how: str, collection: bool) -> str:
    if orm == "django":
        if not manager:
            return f'Follow the foreign key in the same query: {model}.objects.select_related("{name}").'
        if method in ("count", "exists"):
            return f'Count in the same query: {model}.objects.annotate({name}_count=Count("{name}")), then read obj.{name}_count.'
        return f'Load the related rows for all items in one more query: {model}.objects.prefetch_related("{name}").'
    if collection or how == "iter" or manager:
        return f"Eager-load the collection with the rows: select({model}).options(selectinload({model}.{name}))."
    return (
        f"Eager-load the relation with the rows: select({model}).options(joinedload({model}.{name})) "
        f"(or selectinload({model}.{name}))."
    )
