"""What the models declared in one Python file say about attribute names: relation or column.

The N+1 scanner sees one file at a time, so this knowledge is per file: SQLAlchemy
``relationship(...)`` (with its ``lazy=`` strategy and ``backref=``) and ``mapped_column``/``Column``
attributes, Django ``ForeignKey``/``OneToOneField``/``ManyToManyField`` fields (forward names, and the
reverse accessors ``related_name`` or ``<model>_set``) and plain fields. When the models live in
another file, the scanner falls back on how an attribute is used (see ``python_loops``).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from dbexpert.sources.migrations._pyast import dotted

# relationship(lazy=...) strategies that never load per row on attribute access
EAGER_STRATEGIES = frozenset(
    {"selectin", "joined", "subquery", "immediate", "raise", "raise_on_sql", "noload", "write_only"}
)
_DJANGO_FORWARD = frozenset({"ForeignKey", "OneToOneField", "ParentalKey"})
_DJANGO_MANY = frozenset({"ManyToManyField", "ParentalManyToManyField"})
_SQLA_COLUMN = frozenset({"mapped_column", "Column", "column_property", "synonym", "deferred"})


@dataclass(slots=True)
class FileModels:
    forward: set[str] = field(default_factory=set)  # many-to-one / one-to-one: one object per row
    collections: set[str] = field(default_factory=set)  # one-to-many / many-to-many: a list or manager
    eager: set[str] = field(default_factory=set)  # relations the mapping itself loads eagerly
    columns: set[str] = field(default_factory=set)
    models: set[str] = field(default_factory=set)
    targets: dict[str, str] = field(default_factory=dict)  # relation name -> target model, when known

    @property
    def relations(self) -> set[str]:
        return self.forward | self.collections


def read_models(tree: ast.Module) -> FileModels:
    found = FileModels()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            _read_class(node, found)
    found.columns -= found.relations
    return found


def _read_class(node: ast.ClassDef, found: FileModels) -> None:
    for statement in node.body:
        value: ast.expr | None
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value, annotation = statement.targets[0], statement.value, None
        elif isinstance(statement, ast.AnnAssign):
            target, value, annotation = statement.target, statement.value, statement.annotation
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        name = target.id
        if isinstance(value, ast.Call):
            _read_field(node.name, name, value, annotation, found)
        elif annotation is not None and "Mapped" in ast.unparse(annotation):
            found.columns.add(name)  # `title: Mapped[str]` is a column


def _read_field(model: str, name: str, call: ast.Call, annotation: ast.expr | None, found: FileModels) -> None:
    kind = dotted(call.func).rpartition(".")[2]
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if kind in ("relationship", "relation"):
        found.models.add(model)
        many = _sqla_is_collection(call, annotation, keywords)
        (found.collections if many else found.forward).add(name)
        lazy = keywords.get("lazy")
        if isinstance(lazy, ast.Constant) and lazy.value in EAGER_STRATEGIES:
            found.eager.add(name)
        if call.args and isinstance(call.args[0], ast.Constant | ast.Name):
            target = call.args[0].value if isinstance(call.args[0], ast.Constant) else call.args[0].id
            found.targets[name] = str(target)
        backref = keywords.get("backref")
        if isinstance(backref, ast.Constant) and isinstance(backref.value, str):
            found.collections.add(backref.value)  # a backref is usually the "many" side
        elif isinstance(backref, ast.Call) and backref.args and isinstance(backref.args[0], ast.Constant):
            found.collections.add(str(backref.args[0].value))
        return
    if kind in _SQLA_COLUMN:
        found.models.add(model)
        found.columns.add(name)
        return
    if kind in _DJANGO_FORWARD or kind in _DJANGO_MANY:
        found.models.add(model)
        (found.forward if kind in _DJANGO_FORWARD else found.collections).add(name)
        if call.args and isinstance(call.args[0], ast.Constant | ast.Name):
            target = call.args[0].value if isinstance(call.args[0], ast.Constant) else call.args[0].id
            found.targets[name] = str(target).rpartition(".")[2]
        found.columns.add(f"{name}_id")
        related = keywords.get("related_name")
        if isinstance(related, ast.Constant) and isinstance(related.value, str):
            if not related.value.endswith("+"):
                if kind == "OneToOneField":
                    found.forward.add(related.value)
                else:
                    found.collections.add(related.value)
        elif kind == "OneToOneField":
            found.forward.add(model.lower())
        else:
            found.collections.add(f"{model.lower()}_set")
        return
    if kind == "GenericForeignKey":
        found.forward.add(name)
        return
    if kind.endswith("Field"):
        found.models.add(model)
        found.columns.add(name)


def _sqla_is_collection(call: ast.Call, annotation: ast.expr | None, keywords: dict[str, ast.expr]) -> bool:
    uselist = keywords.get("uselist")
    if isinstance(uselist, ast.Constant):
        return bool(uselist.value)
    if annotation is not None:
        text = ast.unparse(annotation)
        return any(word in text for word in ("List[", "list[", "Set[", "set[", "WriteOnlyMapped", "DynamicMapped"))
    return "secondary" in keywords
