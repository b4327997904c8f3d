"""Reading values out of Python migration source with the stdlib ``ast``: the code is never run."""

from __future__ import annotations

import ast
from typing import Any

from dbexpert.sources.migrations._code import NotUnderstood

Env = dict[str, ast.expr]  # names bound to simple values in the module or the function


def dotted(node: ast.expr) -> str:
    """``sa.Column`` for an attribute chain, ``""`` for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def last(node: ast.expr) -> str:
    """The last name of a call target or attribute chain: ``Column`` for ``sa.Column``."""
    name = dotted(node.func if isinstance(node, ast.Call) else node)
    return name.rpartition(".")[2]


def resolve(node: ast.expr, env: Env) -> ast.expr:
    seen = 0
    while isinstance(node, ast.Name) and node.id in env and seen < 20:
        node, seen = env[node.id], seen + 1
    return node


def value(node: ast.expr | None, env: Env) -> Any:
    """A literal (str, number, bool, None, or lists/tuples/dicts of them); NotUnderstood otherwise."""
    if node is None:
        return None
    node = resolve(node, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [value(item, env) for item in node.elts]
    if isinstance(node, ast.Dict):
        return {
            value(k, env) if k is not None else None: value(v, env)
            for k, v in zip(node.keys, node.values, strict=True)
        }
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = value(node.operand, env)
        if isinstance(inner, int | float):
            return -inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = value(node.left, env), value(node.right, env)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    if isinstance(node, ast.Call) and last(node) in ("f", "text") and len(node.args) == 1:
        return value(node.args[0], env)  # op.f("name"), sa.text("...")
    if isinstance(node, ast.JoinedStr):
        raise NotUnderstood("f-string")
    raise NotUnderstood(f"not a literal: {ast.unparse(node)[:60]}")


def text(node: ast.expr | None, env: Env) -> str:
    found = value(node, env)
    if not isinstance(found, str):
        raise NotUnderstood(f"expected a string, found {found!r}")
    return found


def strings(node: ast.expr | None, env: Env) -> list[str]:
    found = value(node, env)
    if isinstance(found, str):
        return [found]
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        raise NotUnderstood(f"expected a list of names, found {found!r}")
    return found


def kwargs(call: ast.Call) -> dict[str, ast.expr]:
    if any(k.arg is None for k in call.keywords):
        raise NotUnderstood("**kwargs")
    if any(isinstance(a, ast.Starred) for a in call.args):
        raise NotUnderstood("*args")
    return {k.arg: k.value for k in call.keywords if k.arg is not None}


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """A call's argument given by position or by keyword."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def string_line(node: ast.expr, env: Env) -> int:
    """The line where a string argument's text starts (a triple-quoted string keeps its lines)."""
    node = resolve(node, env)
    if isinstance(node, ast.Call) and node.args:
        return string_line(node.args[0], env)
    return node.lineno


def module_env(tree: ast.Module) -> Env:
    env: Env = {}
    bind(tree.body, env)
    return env


def bind(body: list[ast.stmt], env: Env) -> None:
    """Record ``NAME = <expr>`` assignments (the last one wins), for names used as arguments."""
    for statement in body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                env[target.id] = statement.value
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value
        ):
            env[statement.target.id] = statement.value


def first_line(source_lines: list[str], node: ast.stmt | ast.expr) -> str:
    line = source_lines[node.lineno - 1].strip() if 0 < node.lineno <= len(source_lines) else ""
    return line if len(line) <= 80 else line[:77] + "..."
