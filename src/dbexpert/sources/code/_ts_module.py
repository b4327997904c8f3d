"""What one TypeScript file declares that the loop scanner needs: ORM imports, repositories and
entity managers, lazy relations, helper functions, and names bound to literal lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from dbexpert.sources._typescript import text, unwrap, walk
from dbexpert.sources.code._ts_queries import FileHints

_REPOSITORY_TYPES = frozenset({"Repository", "TreeRepository", "MongoRepository"})
_MANAGER_TYPES = frozenset({"EntityManager", "DataSource", "Connection", "QueryRunner", "MongoEntityManager"})
_RELATION_DECORATORS = frozenset({"ManyToOne", "OneToMany", "OneToOne", "ManyToMany"})
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})


@dataclass(frozen=True, slots=True)
class Module:
    hints: FileHints
    functions: dict[str, Any]  # module-level and local function name -> function node
    methods: dict[str, Any]  # class method name -> method_definition (called as this.name(...))
    lazy: dict[str, str]  # lazy relation property (declared Promise<Entity>) -> entity
    constants: frozenset[str]  # names bound to a written-out, non-empty array or object literal
    declarations: dict[str, list[Any]]  # variable name -> its declarators' values, in file order


def pattern_names(node: Any) -> set[str]:
    """The names a binding pattern introduces: ``x``, ``{ id, author: { name } }``, ``[a, b]``."""
    if node is None:
        return set()
    if node.type == "identifier":
        return {text(node)}
    names: set[str] = set()
    for child in walk(node):
        if child.type in ("identifier", "shorthand_property_identifier_pattern"):
            parent = child.parent
            # a default value (`{ id = fallback }`) is read, not bound
            if parent is not None and parent.type in ("assignment_pattern", "object_assignment_pattern"):
                if parent.child_by_field_name("right") == child:
                    continue
            names.add(text(child))
    return names


def parameters(function: Any) -> list[Any]:
    """The binding pattern of each parameter of a function, arrow function or method."""
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")  # x => ...
        return [single] if single is not None else []
    found = []
    for param in params.named_children:
        if param.type in ("required_parameter", "optional_parameter"):
            found.append(param.child_by_field_name("pattern"))
        elif param.type == "identifier":
            found.append(param)
    return found


def read_module(root: Any) -> Module:
    imports: set[str] = set()
    repositories: dict[str, str] = {}
    managers: set[str] = set()
    functions: dict[str, Any] = {}
    methods: dict[str, Any] = {}
    lazy: dict[str, str] = {}
    constants: set[str] = set()
    declarations: dict[str, list[Any]] = {}
    for node in walk(root):
        kind = node.type
        if kind == "import_statement":
            source = node.child_by_field_name("source")
            imports.update(_orm_of(text(source)[1:-1] if source is not None else ""))
        elif kind == "call_expression" and text(node.child_by_field_name("function")) == "require":
            imports.update(_orm_of(text(node)))
        elif kind == "generic_type":
            _typed_binding(node, repositories)
        elif kind == "type_identifier" and text(node) in _MANAGER_TYPES:
            owner = _annotated(node)
            if owner:
                managers.add(owner)
        elif kind == "function_declaration":
            functions[text(node.child_by_field_name("name"))] = node
        elif kind == "method_definition":
            methods[text(node.child_by_field_name("name"))] = node
        elif kind == "public_field_definition":
            _field(node, lazy, repositories, functions, methods)
        elif kind == "variable_declarator":
            _declarator(node, functions, repositories, managers, constants, declarations)
        elif kind == "assignment_expression":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None:
                target = text(left).removeprefix("this.")
                entity = _repository_call(right)
                if entity:
                    repositories[target] = entity
        elif kind == "enum_declaration":
            constants.add(text(node.child_by_field_name("name")))
        elif kind == "call_expression" and text(node.child_by_field_name("function")).endswith(
            ".transaction"
        ):
            # manager.transaction(async (em) => ...): the callback receives an EntityManager
            for arg in node.child_by_field_name("arguments").named_children:
                if arg.type in _FUNCTIONS:
                    managers.update(n for p in parameters(arg)[:1] for n in pattern_names(p))
    hints = FileHints(frozenset(imports), repositories, frozenset(managers))
    return Module(hints, functions, methods, lazy, frozenset(constants), declarations)


def _orm_of(source: str) -> set[str]:
    found = set()
    if "prisma" in source:
        found.add("prisma")
    if re.search(r"['\"/]?typeorm\b|@nestjs/typeorm", source) or source == "typeorm":
        found.add("typeorm")
    if "drizzle-orm" in source:
        found.add("drizzle")
    return found


def _annotated(type_node: Any) -> str | None:
    """The name a type annotation is attached to (a parameter, field or variable), if any."""
    node = type_node
    while node is not None and node.type != "type_annotation":
        if node.type not in ("generic_type", "type_identifier", "type_arguments", "union_type", "array_type"):
            return None
        node = node.parent
    owner = node.parent if node is not None else None
    if owner is None:
        return None
    name = owner.child_by_field_name("pattern") or owner.child_by_field_name("name")
    return text(name) if name is not None and name.type in ("identifier", "property_identifier") else None


def _typed_binding(generic: Any, repositories: dict[str, str]) -> None:
    name = generic.child_by_field_name("name")
    if name is None or text(name).split(".")[-1] not in _REPOSITORY_TYPES:
        return
    owner = _annotated(generic)
    args = generic.child_by_field_name("type_arguments")
    if owner and args is not None and args.named_children:
        repositories[owner] = text(args.named_children[0])


def _repository_call(value: Any) -> str | None:
    value = unwrap(value)
    if value.type == "await_expression" and value.named_children:
        value = unwrap(value.named_children[0])
    if value.type != "call_expression":
        return None
    function = text(value.child_by_field_name("function"))
    if not re.search(
        r"(^|\.)(getRepository|getTreeRepository|getMongoRepository|getCustomRepository)$", function
    ):
        return None
    args = [a for a in value.child_by_field_name("arguments").named_children if a.type != "comment"]
    return text(args[0]) if args else "Entity"


def _field(
    node: Any,
    lazy: dict[str, str],
    repositories: dict[str, str],
    functions: dict[str, Any],
    methods: dict[str, Any],
) -> None:
    name_node = node.child_by_field_name("name")
    if name_node is None:
        return
    name = text(name_node)
    value = node.child_by_field_name("value")
    if value is not None and value.type in _FUNCTIONS:
        methods[name] = value  # handler = async (x) => {...} as a class field
    entity = _repository_call(value) if value is not None else None
    if entity:
        repositories[name] = entity
    annotation = node.child_by_field_name("type")
    decorators = {text(d).lstrip("@").split("(")[0] for d in node.children if d.type == "decorator"}
    if annotation is None or not decorators & _RELATION_DECORATORS:
        return
    match = re.fullmatch(r":\s*Promise\s*<\s*([\w.]+)\s*(\[\])?\s*>", text(annotation).strip())
    if match:
        lazy[name] = match.group(1)


def _declarator(
    node: Any,
    functions: dict[str, Any],
    repositories: dict[str, str],
    managers: set[str],
    constants: set[str],
    declarations: dict[str, list[Any]],
) -> None:
    name_node, value = node.child_by_field_name("name"), node.child_by_field_name("value")
    if name_node is None or value is None:
        return
    name = text(name_node)
    declarations.setdefault(name, []).append(value)
    bare = unwrap(value)
    if bare.type in _FUNCTIONS:
        functions[name] = bare
    entity = _repository_call(value)
    if entity:
        repositories[name] = entity
    if bare.type == "new_expression" and text(bare.child_by_field_name("constructor")) in _MANAGER_TYPES:
        managers.add(name)
    declaration = node.parent
    is_const = declaration is not None and text(declaration).startswith("const")
    if is_const and bare.type in ("array", "object") and bare.named_children:
        constants.add(name)
