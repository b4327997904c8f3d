"""Queries run once per loop item in TypeScript/JavaScript: Prisma, TypeORM and Drizzle (N+1).

Each loop — ``for``, ``for … of``/``in``, ``for await``, ``while`` draining a queue, and callbacks of
``forEach``/``map``/``flatMap``/``reduce``/... (also inside ``Promise.all``) — is followed with a
simple data flow: the loop variable, names destructured or derived from it in the body, and helper
functions of the same file called with it. A database call whose arguments use one of those names
is a site; calls that only use constants, a page number/cursor, or the table itself are not.
Prisma merges ``findUnique`` calls issued concurrently (``map``/``forEach`` callbacks) into one
query, so those are left out; sequential ones in ``for … of`` are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from dbexpert.model.code import LoopQuery, LoopQueryKind
from dbexpert.sources._typescript import parser, position, syntax_error, text, unwrap, walk
from dbexpert.sources.code import FileScan
from dbexpert.sources.code._ts_fixes import field_for, fix
from dbexpert.sources.code._ts_module import Module, parameters, pattern_names, read_module
from dbexpert.sources.code._ts_queries import PRISMA_BATCHED, Match, match, pagination_nodes

SUFFIXES = (".ts", ".tsx", ".js", ".mjs", ".cjs", ".mts", ".cts", ".jsx")

_CALLBACK_LOOPS = frozenset(
    {"forEach", "map", "flatMap", "filter", "reduce", "some", "every", "find", "findIndex"}
)
_CONCURRENT = frozenset({"forEach", "map", "flatMap", "filter", "some", "every", "find", "findIndex"})
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})
_CHAIN_TAILS = frozenset({"then", "catch", "finally"})
_DRAIN = frozenset({"shift", "pop", "dequeue", "next"})
_MAX_HELPER_DEPTH = 3


@dataclass(frozen=True, slots=True)
class _Loop:
    node: Any
    line: int
    text: str  # "for (const post of posts)", "Promise.all(posts.map(...))"
    seeds: frozenset[str]
    body: Any
    iterable: Any | None
    concurrent: bool  # callbacks started together (map/forEach), not awaited one by one
    in_transaction_batch: bool = False  # prisma.$transaction(items.map(...)): one batch of writes


def scan_file(path: str, source: str) -> FileScan:
    if path.endswith((".d.ts", ".min.js", ".min.mjs")):
        return FileScan()  # type declarations and minified bundles: no application loops to read
    ts = parser(tsx=path.endswith((".tsx", ".jsx")))
    if ts is None:
        return FileScan(
            problems=(f"{path}:1:1: TypeScript code needs tree-sitter and tree-sitter-typescript (dependencies of dbexpert: reinstall it)",)
        )
    root = ts.parse(source.encode("utf-8")).root_node
    error = syntax_error(root)
    if error is not None:
        line, column = position(error)
        near = text(error)[:30].replace("\n", " ")
        found = f"near {near!r}" if near else "at the end of the file"
        return FileScan(problems=(f"{path}:{line}:{column}: expected valid TypeScript/JavaScript {found}",))
    module = read_module(root)
    sites: dict[tuple[int, int, tuple[int, int] | None], LoopQuery] = {}
    for loop in _loops(root, module):
        _Scan(path, module, loop, sites).region(loop.body, loop.seeds, via=None, depth=0, helper=None)
    return FileScan(tuple(sorted(sites.values(), key=lambda s: (s.line, s.column))))


def _brief(node: Any, limit: int = 70) -> str:
    return _brief_text(text(node), limit)


def _brief_text(value: str, limit: int = 70) -> str:
    """Code on one line, cut to ``limit`` characters: how a loop is named in a finding."""
    value = re.sub(r"\s+", " ", value).strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


# ---------------------------------------------------------------- loops


def _loops(root: Any, module: Module) -> list[_Loop]:
    loops: list[_Loop] = []
    for node in walk(root):
        found = None
        if node.type == "for_in_statement":
            found = _for_in(node)
        elif node.type == "for_statement":
            found = _for(node)
        elif node.type in ("while_statement", "do_statement"):
            found = _while(node)
        elif node.type == "call_expression":
            found = _callback(node, module)
        if found is not None and not _constant(found.iterable, module, node):
            loops.append(found)
    return loops


def _for_in(node: Any) -> _Loop:
    left, right, body = (node.child_by_field_name(f) for f in ("left", "right", "body"))
    header = text(node)[: body.start_byte - node.start_byte]
    return _Loop(
        node, position(node)[0], _brief_text(header), frozenset(pattern_names(left)), body, right, False
    )


def _for(node: Any) -> _Loop | None:
    init, condition, body = (node.child_by_field_name(f) for f in ("initializer", "condition", "body"))
    seeds: set[str] = set()
    if init is not None:
        for child in walk(init):
            if child.type == "variable_declarator":
                seeds |= pattern_names(child.child_by_field_name("name"))
            elif child.type == "assignment_expression":
                seeds |= pattern_names(child.child_by_field_name("left"))
    iterable = None
    if condition is not None:
        # i < items.length: the loop walks items; i < 3: a constant count
        bound = re.search(r"<=?\s*([\w.$]+?)\.length\b", text(condition))
        if bound:
            iterable = _find_name(condition, bound.group(1).split(".")[0])
        elif re.search(r"<=?\s*\d+\s*\)?$", text(condition).strip()):
            return None
    if not seeds or body is None:
        return None
    header = text(node)[: body.start_byte - node.start_byte]
    return _Loop(node, position(node)[0], _brief_text(header), frozenset(seeds), body, iterable, False)


def _find_name(node: Any, name: str) -> Any | None:
    return next((n for n in walk(node) if n.type == "identifier" and text(n) == name), None)


def _while(node: Any) -> _Loop | None:
    """A while loop draining items (``const job = queue.shift()``, ``items[i]``); pages are not items."""
    body = node.child_by_field_name("body")
    if body is None:
        return None
    seeds: set[str] = set()
    for child in _own_nodes(body):
        if child.type == "subscript_expression":
            # users[i] with i stepped by the loop: i walks the items
            index = unwrap(child.child_by_field_name("index"))
            if index.type == "identifier" and re.search(
                rf"\b{re.escape(text(index))}\s*(\+\+|\+=)", text(body)
            ):
                seeds.add(text(index))
        if child.type != "variable_declarator":
            continue
        value = child.child_by_field_name("value")
        if value is None:
            continue
        value = unwrap(value)
        if value.type == "await_expression" and value.named_children:
            value = unwrap(value.named_children[0])
        drained = value.type == "call_expression" and re.search(
            r"\.(" + "|".join(_DRAIN) + r")$", text(value.child_by_field_name("function"))
        )
        indexed = (
            value.type == "subscript_expression"
            and unwrap(value.child_by_field_name("index")).type != "number"
        )
        if (drained and not _has_database_call(value)) or indexed:
            seeds |= pattern_names(child.child_by_field_name("name"))
    if not seeds:
        return None
    condition = node.child_by_field_name("condition")
    header = f"while {text(condition)}" if condition is not None else "do … while"
    return _Loop(node, position(node)[0], _brief_text(header), frozenset(seeds), body, None, False)


def _has_database_call(node: Any) -> bool:
    # `await cursor.next()` on a database cursor or `rows.shift()`: only plain collections are items
    return bool(re.search(r"\b(find|select|query)\w*\(", text(node)))


def _own_nodes(body: Any) -> list[Any]:
    """Nodes of ``body`` outside nested functions."""
    found = []
    stack = [body]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(c for c in node.children if c.type not in _FUNCTIONS)
    return found


def _callback(node: Any, module: Module | None = None) -> _Loop | None:
    function = unwrap(node.child_by_field_name("function"))
    args = node.child_by_field_name("arguments")
    if function.type != "member_expression" or args is None or args.type != "arguments":
        return None
    method = text(function.child_by_field_name("property"))
    receiver = function.child_by_field_name("object")
    callbacks = [a for a in args.named_children if a.type in _FUNCTIONS]
    if not callbacks and module is not None and args.named_children:
        # posts.map(loadAuthor), posts.map(this.loadAuthor): a named function as the callback
        named = text(unwrap(args.named_children[0]))
        target = module.functions.get(named) or (
            module.methods.get(named[5:]) if named.startswith("this.") and named.count(".") == 1 else None
        )
        if target is not None and method in _CALLBACK_LOOPS:
            callbacks = [target]
    if method in _CALLBACK_LOOPS and callbacks:
        callback = callbacks[0]
        iterable = receiver
    elif re.fullmatch(r"(Bluebird|Promise|P)\.(map|each|mapSeries|filter)", text(function)) and callbacks:
        callback, iterable = callbacks[0], args.named_children[0]
    else:
        return None
    params = parameters(callback)
    item = params[1] if method == "reduce" and len(params) > 1 else (params[0] if params else None)
    seeds = pattern_names(item)
    body = callback.child_by_field_name("body")
    if not seeds or body is None:
        return None
    loop_text = f"{_brief(iterable, 40)}.{method}(...)"
    outer = _enclosing_call(node)
    batch = False
    if outer is not None:
        outer_name = text(outer.child_by_field_name("function"))
        if re.fullmatch(r"Promise\.(all|allSettled|any|race)", outer_name):
            loop_text = f"{outer_name}({loop_text})"
        batch = outer_name.endswith(".$transaction")
    line = position(function.child_by_field_name("property"))[0]
    concurrent = method in _CONCURRENT
    return _Loop(node, line, loop_text, frozenset(seeds), body, iterable, concurrent, batch)


def _enclosing_call(node: Any) -> Any | None:
    parent = node.parent
    while parent is not None and parent.type in ("parenthesized_expression", "array", "spread_element"):
        parent = parent.parent
    if parent is not None and parent.type == "arguments" and parent.parent is not None:
        if parent.parent.type == "call_expression":
            return parent.parent
    return None


def _constant(iterable: Any | None, module: Module, loop: Any) -> bool:
    """A loop over a literal list, a constant, an enum, or a list of models/tables."""
    if iterable is None:
        return False
    node = unwrap(iterable)
    if node.type in ("array", "object", "string"):
        return True
    if node.type == "call_expression":
        function = text(node.child_by_field_name("function"))
        args = [a for a in node.child_by_field_name("arguments").named_children if a.type != "comment"]
        if re.fullmatch(r"Object\.(keys|values|entries)", function) and args:
            return _constant(args[0], module, loop)
        return False
    if node.type in ("identifier", "member_expression"):
        return _literal_name(text(node).split(".")[0], module, loop)
    return False


def _literal_name(name: str, module: Module, loop: Any) -> bool:
    """``name`` is bound, where the loop sees it, to a written-out list or object (or an enum)."""
    if name not in module.constants:
        return False
    scope = loop.parent
    while scope is not None:
        if scope.type in (*_FUNCTIONS, "function_declaration", "method_definition"):
            if any(name in pattern_names(p) for p in parameters(scope)):
                return False  # a parameter of the same name hides the constant
        scope = scope.parent
    before = [v for v in module.declarations.get(name, []) if v.start_byte < loop.start_byte]
    if not before:
        return True  # an enum, or a module constant declared below its use
    value = unwrap(before[-1])
    return value.type in ("array", "object") and bool(value.named_children)


# ---------------------------------------------------------------- data flow and sites


def _outermost(call: Any) -> bool:
    """The last call of a chain (``db.select().from(t).where(...)``), ignoring ``.then``/``.catch``."""
    parent = call.parent
    if parent is None or parent.type != "member_expression" or parent.child_by_field_name("object") != call:
        return True
    grand = parent.parent
    if grand is None or grand.type != "call_expression":
        return True
    return text(parent.child_by_field_name("property")) in _CHAIN_TAILS


def _names_in(node: Any, excluded: set[tuple[int, int, str]]) -> set[str]:
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if (current.start_byte, current.end_byte, current.type) in excluded:
            continue
        if current.type in ("identifier", "shorthand_property_identifier"):
            names.add(text(current))
        stack.extend(current.children)
    return names


def _propagate(body: Any, seeds: frozenset[str]) -> set[str]:
    """The loop variable and every name derived from it in ``body`` (declarations, assignments,
    nested loops and callbacks over it)."""
    tainted = set(seeds)
    nodes = list(walk(body))
    for _ in range(6):
        before = len(tainted)
        for node in nodes:
            if node.type == "variable_declarator":
                value = node.child_by_field_name("value")
                if value is not None and _names_in(value, set()) & tainted:
                    tainted |= pattern_names(node.child_by_field_name("name"))
            elif node.type in ("assignment_expression", "augmented_assignment_expression"):
                left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
                # entity.name = item.name: the entity now carries the item
                while left is not None and left.type in ("member_expression", "subscript_expression"):
                    left = left.child_by_field_name("object")
                if left is not None and left.type == "identifier" and _names_in(right, set()) & tainted:
                    tainted.add(text(left))
            elif node.type == "for_in_statement":
                if _names_in(node.child_by_field_name("right"), set()) & tainted:
                    tainted |= pattern_names(node.child_by_field_name("left"))
            elif node.type == "call_expression":
                loop = _callback(node)
                if (
                    loop is not None
                    and loop.iterable is not None
                    and _names_in(loop.iterable, set()) & tainted
                ):
                    tainted |= loop.seeds
        if len(tainted) == before:
            break
    return tainted


class _Scan:
    def __init__(self, path: str, module: Module, loop: _Loop, sites: dict[Any, LoopQuery]) -> None:
        self.path, self.module, self.loop, self.sites = path, module, loop, sites

    def region(
        self, body: Any, seeds: frozenset[str], via: tuple[int, int] | None, depth: int, helper: str | None
    ) -> None:
        tainted = _propagate(body, seeds)
        for node in walk(body):
            if node.type == "call_expression" and _outermost(node):
                found = match(node, self.module.hints)
                if found is not None:
                    self._query(node, found, tainted, via, helper)
                elif depth < _MAX_HELPER_DEPTH:
                    self._helper(node, tainted, depth)
            elif node.type == "await_expression" and self.module.lazy:
                self._lazy(node, tainted, via, helper)

    def _query(
        self, node: Any, found: Match, tainted: set[str], via: tuple[int, int] | None, helper: str | None
    ) -> None:
        excluded = {
            (n.start_byte, n.end_byte, n.type) for n in (*found.skipped, *pagination_nodes(found.inputs))
        }

        def depends(part: Any) -> bool:
            return bool(_names_in(part, excluded) & tainted)

        if not any(depends(part) for part in found.inputs):
            return
        if found.orm == "prisma" and self.loop.concurrent and found.method in PRISMA_BATCHED:
            return  # Prisma's dataloader turns these into one findMany
        if self.loop.in_transaction_batch and found.method != "create":
            return  # $transaction([...]) sends the writes as one batch
        line, column = position(node)
        fixed, batched = fix(found, field_for(found.inputs, depends))
        self._add(line, column, via, found, fixed, batched, helper)

    def _add(
        self,
        line: int,
        column: int,
        via: tuple[int, int] | None,
        found: Match,
        fixed: str,
        batched: str | None,
        helper: str | None,
        relation: str | None = None,
        call: str | None = None,
    ) -> None:
        facts: dict[str, Any] = {}
        if helper and via:
            facts = {"helper": helper, "helper_call_line": via[0]}
        self.sites[(line, column, via)] = LoopQuery(
            orm=found.orm,
            kind=found.kind,
            path=self.path,
            line=line,
            column=column,
            loop_line=self.loop.line,
            call=call or found.call,
            loop=self.loop.text,
            model=found.model,
            relation=relation,
            fix=fixed,
            batched=batched,
            facts=MappingProxyType(facts),
        )

    def _helper(self, call: Any, tainted: set[str], depth: int) -> None:
        function = unwrap(call.child_by_field_name("function"))
        args_node = call.child_by_field_name("arguments")
        if args_node is None or args_node.type != "arguments":
            return
        name = text(function)
        target = None
        if function.type == "identifier":
            target = self.module.functions.get(name)
        elif name.startswith("this.") and name.count(".") == 1:
            target = self.module.methods.get(name[5:])
        if target is None or target.child_by_field_name("body") is None:
            return
        args = [a for a in args_node.named_children if a.type != "comment"]
        seeds: set[str] = set()
        for param, arg in zip(parameters(target), args, strict=False):
            if param is not None and _names_in(arg, set()) & tainted:
                seeds |= pattern_names(param)
        if seeds:
            self.region(target.child_by_field_name("body"), frozenset(seeds), position(call), depth + 1, name)

    def _lazy(self, node: Any, tainted: set[str], via: tuple[int, int] | None, helper: str | None) -> None:
        target = unwrap(node.named_children[0]) if node.named_children else None
        if target is None or target.type != "member_expression":
            return
        relation = text(target.child_by_field_name("property"))
        owner = target.child_by_field_name("object")
        if relation not in self.module.lazy or not _names_in(owner, set()) & tainted:
            return
        if self._eager(relation):
            return
        entity = self.module.lazy[relation]
        found = Match("typeorm", LoopQueryKind.LAZY_LOAD, text(target), "lazy", entity, ())
        fixed, batched = fix(found, (), relation)
        line, column = position(target)
        self._add(line, column, via, found, fixed, batched, helper, relation=relation, call=text(target))

    def _eager(self, relation: str) -> bool:
        """The iterated rows were loaded with the relation (``relations``, ``leftJoinAndSelect``)."""
        iterable = self.loop.iterable
        if iterable is None:
            return False
        sources = [iterable]
        for name in _names_in(iterable, set()):
            sources.extend(
                v for v in self.module.declarations.get(name, []) if v.start_byte < self.loop.node.start_byte
            )
        pattern = re.compile(
            rf"relations\s*:[^;]*\b{re.escape(relation)}\b|JoinAndSelect\(\s*['\"`][\w$]+\.{re.escape(relation)}['\"`]"
        )
        return any(pattern.search(text(source)) for source in sources)
