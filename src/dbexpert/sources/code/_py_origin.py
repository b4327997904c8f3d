"""Where a Python loop's items come from, and which relations that source already loads.

A loop over a literal list, ``range()`` or a module constant iterates constants; a loop over
``session.scalars(select(Post))`` or ``Post.objects.filter(...)`` iterates ORM rows, with the
relations named in ``.options(selectinload(...))``, ``select_related(...)`` and
``prefetch_related(...)`` loaded up front; ``.values()``/``values_list()`` and column selects give
plain values. Names are followed back to their last assignment in the function (or module).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from dbexpert.sources.migrations._pyast import dotted

_UNWRAP = frozenset({"enumerate", "list", "sorted", "reversed", "tuple", "set", "iter", "zip", "chunked", "batched"})
_SQLA_EAGER = frozenset(
    {"selectinload", "joinedload", "subqueryload", "immediateload", "contains_eager", "raiseload", "noload"}
)
_SQLA_QUERY = frozenset({"select", "query", "scalars", "execute", "scalar", "get", "all", "unique"})
_DJANGO_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
_ROW_CALLS = frozenset({"all", "filter", "exclude", "order_by", "distinct", "iterator", "scalars", "get_queryset"})


@dataclass(slots=True)
class Origin:
    kind: str  # "constant", "sqlalchemy", "django", "relation", "unknown"
    rows: bool = True  # items are ORM objects (False: ids, dicts, tuples of columns, constants)
    model: str | None = None
    loaded: set[str] = field(default_factory=set)  # relations loaded up front (any depth)
    prefetched: set[str] = field(default_factory=set)  # Django managers whose .all() is cached
    all_loaded: bool = False  # an option we cannot read, or raiseload("*"): assume loaded
    forward_loaded: bool = False  # Django select_related() with no argument


class Scope:
    """Assignments of one function (or the module body), to follow names back to their values."""

    def __init__(self, body: list[ast.stmt], params: set[str], parent: Scope | None = None) -> None:
        self.params = params
        self.parent = parent
        self.assigned: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in walk_local(body):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigned.setdefault(target.id, []).append((node.lineno, node.value))
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and isinstance(node.target, ast.Name):
                if node.value is not None:
                    self.assigned.setdefault(node.target.id, []).append((node.lineno, node.value))

    def lookup(self, name: str, before: int) -> tuple[int, ast.expr] | None:
        earlier = [(line, value) for line, value in self.assigned.get(name, []) if line < before]
        if earlier:
            return max(earlier, key=lambda item: item[0])
        if name in self.params:
            return None
        if name not in self.assigned and self.parent is not None:
            return self.parent.lookup(name, 10**9)
        return None


def walk_local(nodes: list[ast.stmt] | list[ast.expr] | list[ast.AST]) -> Iterator[ast.AST]:
    """Every node under ``nodes`` without entering nested functions, lambdas or classes."""
    stack: list[ast.AST] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def expand(expr: ast.expr, scope: Scope, line: int, depth: int = 0) -> list[ast.AST]:
    """The nodes of ``expr`` and of the values its names were last assigned (a few levels deep)."""
    nodes: list[ast.AST] = []
    for node in ast.walk(expr):
        nodes.append(node)
        if isinstance(node, ast.Name) and depth < 4:
            found = scope.lookup(node.id, line)
            if found is not None:
                nodes.extend(expand(found[1], scope, found[0], depth + 1))
    return nodes


def unwrap(expr: ast.expr) -> ast.expr:
    while isinstance(expr, ast.Await):
        expr = expr.value
    while isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.args:
        callee = expr.func.id
        if callee in _UNWRAP:
            expr = expr.args[0]
        elif callee == "filter" and len(expr.args) == 2:
            expr = expr.args[1]
        else:
            break
    return expr


def is_constant(expr: ast.expr, scope: Scope, line: int, depth: int = 0) -> bool:
    expr = unwrap(expr)
    if isinstance(expr, ast.Constant | ast.JoinedStr):
        return True
    if isinstance(expr, ast.List | ast.Tuple | ast.Set):
        return all(isinstance(e, ast.Constant | ast.Name | ast.Attribute | ast.Tuple) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return True
    if isinstance(expr, ast.Call) and dotted(expr.func) == "range":
        return True
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr in ("items", "keys", "values"):
        return not expr.args and is_constant(expr.func.value, scope, line, depth)
    if isinstance(expr, ast.Name):
        if expr.id.isupper():
            return True  # a module constant
        found = scope.lookup(expr.id, line)
        return found is not None and depth < 4 and is_constant(found[1], scope, found[0], depth + 1)
    return False


def origin_of(expr: ast.expr, scope: Scope, line: int, rows: set[str], outer: Origin | None) -> Origin:
    """What ``for item in expr`` iterates over."""
    if is_constant(expr, scope, line):
        return Origin("constant", rows=False)
    expr = unwrap(expr)
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in rows:
        inherited = outer or Origin("unknown")
        return Origin(
            "relation",
            loaded=set(inherited.loaded),
            all_loaded=inherited.all_loaded,
            forward_loaded=inherited.forward_loaded,
        )
    if isinstance(expr, ast.Name) and expr.id in rows:
        return Origin("relation", loaded=set(outer.loaded) if outer else set())
    if isinstance(expr, ast.Attribute) and not any(w in expr.attr for w in ("queryset", "qs", "objects")):
        # post.comments for a post loaded by a query or passed in is a relation; self.fields and
        # form.errors are attributes of something else
        base = expr.value
        if isinstance(base, ast.Name) and base.id not in ("self", "cls"):
            assigned = scope.lookup(base.id, line)
            if assigned is None and base.id in scope.params:
                return Origin("relation")
            if assigned is not None:
                loaded_by = origin_of(assigned[1], scope, assigned[0], set(), None)
                if loaded_by.kind in ("sqlalchemy", "django") or isinstance(unwrap(assigned[1]), ast.Call):
                    return Origin("relation", loaded=loaded_by.loaded, all_loaded=loaded_by.all_loaded)
        return Origin("unknown", rows=False)
    if isinstance(expr, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        # [p.id for p in posts] gives values; [p for p in posts if ...] keeps the rows
        same = isinstance(expr.elt, ast.Name) and any(
            isinstance(g.target, ast.Name) and g.target.id == expr.elt.id for g in expr.generators
        )
        inner = origin_of(expr.generators[0].iter, scope, line, rows, outer)
        return inner if same else Origin("unknown", rows=False)
    nodes = expand(expr, scope, line)
    methods = {n.func.attr for n in nodes if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
    calls = {dotted(n.func).rpartition(".")[2] for n in nodes if isinstance(n, ast.Call)}
    if any(isinstance(n, ast.Attribute) and n.attr in _DJANGO_MANAGERS for n in nodes) or (
        methods & {"select_related", "prefetch_related", "values_list"}
    ):
        return _django(nodes, methods)
    flask = [n.value.id for n in nodes if isinstance(n, ast.Attribute) and n.attr == "query"
             and isinstance(n.value, ast.Name) and n.value.id[:1].isupper()]  # fmt: skip
    if flask or calls & _SQLA_QUERY and (calls & {"select", "query", "scalars", "execute"}):
        found = _sqlalchemy(nodes)
        found.model = found.model or (flask[0] if flask else None)
        return found
    final = expr
    for _ in range(4):  # follow a name to the call that produced it
        if not isinstance(final, ast.Name) or (binding := scope.lookup(final.id, line)) is None:
            break
        final = unwrap(binding[1])
    if isinstance(final, ast.Call):
        # the result of a call we cannot classify (Path.glob(), form.fields.items(), get_fields()) is
        # not taken for ORM rows, unless it reads like a queryset
        callee = dotted(final.func) or (final.func.attr if isinstance(final.func, ast.Attribute) else "")
        last = callee.rpartition(".")[2]
        return Origin("unknown", rows=last in _ROW_CALLS or "queryset" in callee.lower())
    return Origin("unknown")


def _django(nodes: list[ast.AST], methods: set[str]) -> Origin:
    found = Origin("django", rows=not (methods & {"values", "values_list"}))
    for node in nodes:
        if isinstance(node, ast.Attribute) and node.attr in _DJANGO_MANAGERS and isinstance(node.value, ast.Name):
            found.model = found.model or node.value.id
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr == "select_related":
            if not node.args:
                found.forward_loaded = True
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.loaded.update(arg.value.split("__"))
                else:
                    found.forward_loaded = True
        elif node.func.attr == "prefetch_related":
            for arg in node.args:
                _prefetch(arg, found, nodes)
    return found


def _prefetch(arg: ast.expr, found: Origin, nodes: list[ast.AST]) -> None:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        parts = arg.value.split("__")
        found.prefetched.add(parts[0])
        found.loaded.update(parts)
        return
    if isinstance(arg, ast.Call) and dotted(arg.func).endswith("Prefetch") and arg.args:
        lookup = arg.args[0]
        to_attr = next((k.value for k in arg.keywords if k.arg == "to_attr"), None)
        if isinstance(lookup, ast.Constant) and isinstance(lookup.value, str):
            parts = lookup.value.split("__")
            found.loaded.update(parts)
            if isinstance(to_attr, ast.Constant) and isinstance(to_attr.value, str):
                found.loaded.add(to_attr.value)
            else:
                found.prefetched.add(parts[0])
            return
    if isinstance(arg, ast.Name):
        # a Prefetch(...) kept in a variable: its value is among the expanded nodes
        calls = [n for n in nodes if isinstance(n, ast.Call) and dotted(n.func).endswith("Prefetch")]
        for call in calls:
            _prefetch(call, found, [])
        if calls:
            return
    found.all_loaded = True


def _sqlalchemy(nodes: list[ast.AST]) -> Origin:
    found = Origin("sqlalchemy")
    for node in nodes:
        if not isinstance(node, ast.Call):
            continue
        name = dotted(node.func).rpartition(".")[2] or (
            node.func.attr if isinstance(node.func, ast.Attribute) else ""
        )
        if name in ("select", "query") and node.args:
            first = node.args[0]
            if all(isinstance(a, ast.Attribute) for a in node.args):
                found.rows = False  # select(Post.id, Post.title): tuples of columns
            elif isinstance(first, ast.Name) and found.model is None:
                found.model = first.id
        elif name in _SQLA_EAGER:
            for arg in node.args:
                if isinstance(arg, ast.Attribute):
                    found.loaded.add(arg.attr)
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value != "*":
                    found.loaded.add(arg.value)
                else:
                    found.all_loaded = True  # "*", a variable, or something we cannot read
        elif name == "options" and any(isinstance(a, ast.Starred | ast.Name) for a in node.args):
            found.all_loaded = True
        elif name in ("mappings", "scalar_one", "scalar"):
            found.rows = name != "mappings" and found.rows
    return found
