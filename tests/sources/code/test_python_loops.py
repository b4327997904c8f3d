"""The Python N+1 scanner on a labelled corpus and on the shapes it must (and must not) report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dbexpert.model.code import LoopQueryKind
from dbexpert.sources.code.python_loops import scan_file

CORPUS = Path(__file__).resolve().parents[2] / "data" / "nplusone"
FILES = sorted([*CORPUS.glob("sqlalchemy/*.py"), *CORPUS.glob("django/*.py")])
RULE_OF = {
    LoopQueryKind.LAZY_LOAD: "lazy-load-in-loop",
    LoopQueryKind.QUERY_IN_LOOP: "query-in-loop",
    LoopQueryKind.PER_ROW_WRITE: "per-row-write-in-loop",
    LoopQueryKind.PREFETCH_BYPASSED: "prefetch-bypassed",
}
EXPECT = re.compile(r"#\s*expect:\s*([a-z-]+)")


def _expected(text: str) -> dict[int, str]:
    return {n: m.group(1) for n, line in enumerate(text.splitlines(), 1) if (m := EXPECT.search(line))}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_every_labelled_site_is_found_and_nothing_else(path: Path):
    text = path.read_text(encoding="utf-8")
    scan = scan_file(str(path), text)
    assert scan.problems == ()
    found = {site.line: RULE_OF[site.kind] for site in scan.sites}
    assert found == _expected(text)


@pytest.mark.parametrize("orm", ["sqlalchemy", "django"])
def test_corpus_is_big_enough_to_mean_something(orm: str):
    files = list((CORPUS / orm).glob("*.py"))
    sites = sum(len(_expected(f.read_text(encoding="utf-8"))) for f in files)
    functions = sum(f.read_text(encoding="utf-8").count("\ndef ") for f in files)
    assert sites >= 15 and functions - sites >= 10


def _sites(code: str):
    return scan_file("app.py", code).sites


def test_lazy_load_reports_query_line_loop_line_relation_and_fix():
    code = (
        "from sqlalchemy import select\n"
        "def names(session):\n"
        "    posts = session.scalars(select(Post)).all()\n"
        "    for post in posts:\n"
        "        print(post.author.name)\n"
    )
    [site] = _sites(code)
    assert (site.kind, site.line, site.column, site.loop_line) == (LoopQueryKind.LAZY_LOAD, 5, 15, 4)
    assert (site.orm, site.relation, site.call, site.loop) == ("sqlalchemy", "author", "post.author", "for post in posts")
    assert "selectinload(Post.author)" in site.fix or "joinedload(Post.author)" in site.fix


def test_query_in_a_helper_is_reported_inside_the_helper_with_the_callers_loop_line():
    code = (
        "def load(session, item):\n"
        "    return session.get(Product, item.product_id)\n"
        "def report(session, items):\n"
        "    return [load(session, item) for item in items]\n"
    )
    [site] = _sites(code)
    assert (site.kind, site.line, site.loop_line, site.model) == (LoopQueryKind.QUERY_IN_LOOP, 2, 4, "Product")
    assert site.batched == "session.scalars(select(Product).where(Product.id.in_(keys))).all()"


def test_django_fixes_name_select_related_prefetch_and_bulk_calls():
    code = (
        "from django.db import models\n"
        "def f(names):\n"
        "    for book in Book.objects.all():\n"
        "        print(book.publisher.name)\n"
        "    for name in names:\n"
        "        Tag.objects.create(name=name)\n"
    )
    lazy, write = _sites(code)
    assert 'Book.objects.select_related("publisher")' in lazy.fix
    assert write.kind is LoopQueryKind.PER_ROW_WRITE and write.batched is not None
    assert write.batched.startswith("Tag.objects.bulk_create(")


def test_first_access_only_is_reported_later_ones_hit_the_cache():
    code = (
        "from sqlalchemy import select\n"
        "def f(session):\n"
        "    for post in session.scalars(select(Post)):\n"
        "        a = post.author.name\n"
        "        b = post.author.email\n"
    )
    assert [s.line for s in _sites(code)] == [4]


@pytest.mark.parametrize(
    "code",
    [
        # constants, range() and module constants
        "def f(session):\n    for name in ['a', 'b']:\n        session.execute(select(T).where(T.name == name))\n",
        "def f(session):\n    for i in range(10):\n        session.get(T, i)\n",
        "KINDS = ('a', 'b')\ndef f():\n    for kind in KINDS:\n        Post.objects.filter(kind=kind).count()\n",
        # pagination while loop
        "def f(session):\n    cursor = 0\n    while cursor is not None:\n        rows = session.scalars(select(T).where(T.id > cursor)).all()\n        cursor = rows[-1].id if rows else None\n",
        # a query that does not use the item
        "def f(session, users):\n    for user in users:\n        session.scalar(select(func.count()).select_from(Post))\n",
        # loops over model classes
        "def f():\n    for model in apps.get_models():\n        model.objects.count()\n",
        # columns, ids and method calls on column values
        "from sqlalchemy import select\ndef f(session):\n    for p in session.scalars(select(Post)):\n        print(p.author_id, p.created_at.year, p.title.upper())\n",
        # values() gives dicts
        "def f():\n    for row in Post.objects.values('id', 'author__name'):\n        print(row['author__name'])\n",
        # not ORM rows
        "from pathlib import Path\nimport sqlalchemy\ndef f():\n    for p in Path('.').glob('*'):\n        print(p.parent.name)\n",
    ],
)
def test_clean_shapes_are_not_reported(code: str):
    assert _sites(code) == ()


def test_a_file_that_does_not_parse_is_a_problem_with_its_location():
    scan = scan_file("broken.py", "def f(:\n    pass\n")
    assert scan.sites == ()
    [problem] = scan.problems
    assert problem.startswith("broken.py:1:") and "invalid Python syntax" in problem


def test_foreign_text_is_a_problem_not_an_exception():
    scan = scan_file("notes.py", "\x00binary\x00")
    assert scan.sites == () and len(scan.problems) == 1
