"""SQLAlchemy and Django queries run once per item of a loop, read with the stdlib ``ast``.

A loop is a ``for``/``async for`` statement or a comprehension; ``while`` loops are left alone
(they are how pagination by cursor is written). Inside a loop the scanner follows the loop variable
and the names assigned from it, and into helper functions of the same module called with them:

- a query call that uses them: ``session.get/execute/scalars/scalar/query/merge/refresh``,
  ``Model.query...`` (Flask-SQLAlchemy), ``Model.objects.<anything>``, ``get_object_or_404``
  (query-in-loop), or writes ``session.execute(insert/update/delete)``, ``objects.create/update/
  get_or_create/delete``, ``obj.save()``, ``obj.tags.add()`` (per-row-write);
- a relation reached through an ORM row (lazy-load): known from the ``relationship(...)`` and
  ``ForeignKey``/``ManyToManyField`` declarations of the same file, otherwise recognised by use —
  ``post.author.name`` (an attribute of an attribute), ``for c in post.comments`` and
  ``len(post.comments)`` on SQLAlchemy rows, ``post.comments.all()``/``.count()`` and ``*_set``
  managers on Django rows — unless the statement or queryset that produced the rows loads it
  (``selectinload``/``joinedload``/``subqueryload``/``raiseload``/``select_related``/
  ``prefetch_related``) or the mapping declares ``lazy="selectin"`` and the like. Attributes that
  read like columns (``*_id``, ``*_at``, ``is_*``, ``status``...) are never taken for relations;
- Django's ``.filter()/.exclude()/.order_by()/.get()/.first()/.last()`` on a prefetched manager
  (prefetch-bypassed; ``.all()``, ``.count()`` and ``.exists()`` use the prefetch cache).

Loops over constants (literals, ``range()``, UPPER_CASE names) are skipped, and so are queries that
do not use the item, and queries whose only link to the item is the model itself (a loop over
model classes).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from dbexpert.model.code import LoopQuery
from dbexpert.sources.code import FileScan
from dbexpert.sources.code._py_models import FileModels, read_models
from dbexpert.sources.code._py_origin import Origin, Scope, origin_of, walk_local
from dbexpert.sources.code._py_sites import Site, query_site, relation_site

SUFFIXES = (".py",)

_LOOPS = (ast.For, ast.AsyncFor, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BATCHES = re.compile(r"chunk|batch|page", re.I)
_ORM_IMPORT = re.compile(r"^\s*(?:from|import)\s+(sqlalchemy|sqlmodel|flask_sqlalchemy|django)\b", re.M)


@dataclass(slots=True)
class Frame:
    """One loop (or a helper called from one): what depends on its item."""

    line: int
    text: str
    origin: Origin
    scope: Scope
    tainted: set[str]
    rows: set[str]
    aliases: dict[str, ast.Attribute] = field(default_factory=dict)  # author = post.author


class _FileScanner:
    def __init__(self, path: str, text: str, tree: ast.Module) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.tree = tree
        self.models: FileModels = read_models(tree)
        imports = {m.group(1) for m in _ORM_IMPORT.finditer(text)}
        self.orm = "django" if "django" in imports or ".objects." in text else "sqlalchemy"
        self.is_orm_file = bool(imports) or bool(self.models.models) or ".objects." in text or "session" in text
        self.parents: dict[int, ast.AST] = {
            id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)
        }
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, node)
        self.sites: dict[tuple[int, int], LoopQuery] = {}

    # -- scopes and loops -------------------------------------------------------------------
    def scan(self) -> list[LoopQuery]:
        module = Scope(self.tree.body, set())
        self._scan_scope(self.tree.body, module)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                params = {a.arg for a in _all_args(node.args)}
                body = node.body if isinstance(node.body, list) else [node.body]
                self._scan_scope(body, Scope(body, params, module))  # type: ignore[arg-type]
        return sorted(self.sites.values(), key=lambda s: (s.line, s.column))

    def _scan_scope(self, body: list[ast.stmt], scope: Scope) -> None:
        loops = [n for n in walk_local(body) if isinstance(n, _LOOPS)]
        # innermost loops first: a query is credited to the deepest loop whose item it uses
        loops.sort(key=self._depth, reverse=True)
        for loop in loops:
            if isinstance(loop, ast.For | ast.AsyncFor):
                self._scan_loop(loop.target, loop.iter, list(loop.body), loop, scope)
            else:
                for index, generator in enumerate(loop.generators):
                    later: list[ast.AST] = list(generator.ifs)
                    for other in loop.generators[index + 1 :]:
                        later += [other.iter, *other.ifs]
                    elts: list[ast.AST] = [loop.key, loop.value] if isinstance(loop, ast.DictComp) else [loop.elt]
                    self._scan_loop(generator.target, generator.iter, later + elts, loop, scope)

    def _depth(self, node: ast.AST) -> int:
        depth = 0
        while id(node) in self.parents:
            node = self.parents[id(node)]
            depth += 1
        return depth

    def _enclosing_rows(self, loop: ast.AST, scope: Scope) -> tuple[set[str], Origin | None]:
        """Row names of the loops around ``loop``, for ``for c in post.comments``."""
        node = loop
        while id(node) in self.parents:
            node = self.parents[id(node)]
            if isinstance(node, ast.For | ast.AsyncFor):
                outer = origin_of(node.iter, scope, node.lineno, set(), None)
                if outer.rows and outer.kind != "constant":
                    return _names(node.target), outer
        return set(), None

    def _scan_loop(
        self, target: ast.expr, iterable: ast.expr, body: list[ast.AST], loop: ast.AST, scope: Scope
    ) -> None:
        line = getattr(loop, "lineno", 1)
        outer_rows, outer = self._enclosing_rows(loop, scope)
        origin = origin_of(iterable, scope, line, outer_rows, outer)
        text = f"for {ast.unparse(target)} in {ast.unparse(iterable)}"
        if origin.kind == "constant" or _BATCHES.search(text):
            return  # constants, or a loop over chunks/pages: batching, not one query per item
        names = _names(target)
        frame = Frame(
            line=line,
            text=text if len(text) <= 80 else text[:77] + "...",
            origin=origin,
            scope=scope,
            tainted=set(names),
            rows=set(names) if origin.rows and (origin.kind != "unknown" or self.is_orm_file) else set(),
        )
        self._scan_body(body, frame, depth=0)

    # -- one loop body ----------------------------------------------------------------------
    def _scan_body(self, body: list[ast.AST], frame: Frame, depth: int) -> None:
        nodes = sorted(
            (n for n in walk_local(body) if hasattr(n, "lineno")),
            key=lambda n: (n.lineno, n.col_offset),  # type: ignore[attr-defined]
        )
        self._propagate(nodes, frame)
        consumed: set[int] = set()
        seen_relations: set[tuple[str, str]] = set()
        for node in nodes:
            if id(node) in consumed:
                continue
            if isinstance(node, ast.Call):
                site = query_site(node, frame, self)
                if site is not None:
                    consumed.update(id(n) for n in ast.walk(node))
                    self._add(site, frame)
                    continue
                self._follow_helper(node, frame, depth)
            elif isinstance(node, ast.Attribute | ast.Name):
                site = relation_site(node, frame, self)
                if site is None:
                    continue
                accessed = frame.aliases[node.id] if isinstance(node, ast.Name) else node
                key = (ast.unparse(accessed.value), site.relation or "")
                if key not in seen_relations:  # the first access loads it; later ones hit the cache
                    seen_relations.add(key)
                    self._add(site, frame)

    def _propagate(self, nodes: list[ast.AST], frame: Frame) -> None:
        """Names computed from the item are tainted; names bound to its relations are rows."""
        changed = True
        while changed:
            changed = False
            for node in nodes:
                pairs: list[tuple[ast.expr, ast.expr]] = []
                if isinstance(node, ast.Assign):
                    pairs = [(t, node.value) for t in node.targets]
                elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value is not None:
                    pairs = [(node.target, node.value)]
                elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                    pairs = [(node.target, node.iter)]
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    pairs = [(node.optional_vars, node.context_expr)]
                for target, value in pairs:
                    used = _names(value, loads=True)
                    new = _names(target) - frame.tainted
                    if used & frame.tainted and new:
                        frame.tainted |= new
                        changed = True
                    value = value.value if isinstance(value, ast.Await) else value
                    if isinstance(target, ast.Name) and isinstance(value, ast.Attribute):
                        base = value.value
                        if isinstance(base, ast.Name) and base.id in frame.rows and target.id not in frame.rows:
                            if not isinstance(node, ast.For | ast.AsyncFor | ast.comprehension):
                                frame.aliases[target.id] = value
                            frame.rows.add(target.id)
                            changed = True
                    elif isinstance(node, ast.For | ast.AsyncFor | ast.comprehension) and isinstance(value, ast.Name):
                        if value.id in frame.rows and not _names(target) <= frame.rows:
                            frame.rows |= _names(target)
                            changed = True

    def _follow_helper(self, call: ast.Call, frame: Frame, depth: int) -> None:
        """``helper(item)`` in a loop: the helper's queries run once per item too."""
        name = call.func.id if isinstance(call.func, ast.Name) else ""
        if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            if call.func.value.id in ("self", "cls"):
                name = call.func.attr
        helper = self.functions.get(name)
        if helper is None or depth >= 3:
            return
        params = [a.arg for a in _all_args(helper.args) if a.arg not in ("self", "cls")]
        tainted: set[str] = set()
        rows: set[str] = set()
        bound = list(zip(params, call.args, strict=False)) + [
            (k.arg, k.value) for k in call.keywords if k.arg in params
        ]
        for param, arg in bound:
            if _names(arg, loads=True) & frame.tainted:
                tainted.add(param)
            if isinstance(arg, ast.Name) and arg.id in frame.rows:
                rows.add(param)
        if not tainted:
            return
        scope = Scope(helper.body, {a.arg for a in _all_args(helper.args)}, frame.scope)
        inner = Frame(frame.line, frame.text, frame.origin, scope, tainted, rows)
        self._scan_body(list(helper.body), inner, depth + 1)

    def _add(self, site: Site, frame: Frame) -> None:
        key = (site.line, site.column)
        if key in self.sites:
            return
        self.sites[key] = LoopQuery(
            orm=site.orm,
            kind=site.kind,
            path=self.path,
            line=site.line,
            column=site.column,
            loop_line=frame.line,
            call=site.call,
            loop=frame.text,
            model=site.model,
            relation=site.relation,
            fix=site.fix,
            batched=site.batched,
        )


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return found + [a for a in (args.vararg, args.kwarg) if a is not None]


def _names(node: ast.AST, loads: bool = False) -> set[str]:
    """Names bound by a target (``loads=False``) or read by an expression."""
    if loads:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}


def scan_file(path: str, text: str) -> FileScan:
    """N+1 sites in one Python file; a file that does not parse is a problem, never an exception."""
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return FileScan(problems=(f"{path}:{exc.lineno or 1}:{exc.offset or 1}: invalid Python syntax: {exc.msg}",))
    except (ValueError, RecursionError) as exc:
        return FileScan(problems=(f"{path}:1:1: cannot parse Python: {exc}",))
    try:
        sites = _FileScanner(path, text, tree).scan()
    except RecursionError:
        return FileScan(problems=(f"{path}:1:1: code nested too deeply to analyse",))
    except Exception as exc:  # one unreadable construct must not stop the scan of a whole project
        return FileScan(problems=(f"{path}:1:1: could not analyse: {type(exc).__name__}: {exc}",))
    return FileScan(sites=tuple(sites))

