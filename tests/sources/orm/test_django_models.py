"""Django models read into the catalog ``manage.py migrate`` would create."""

from __future__ import annotations

from pathlib import Path

from dbexpert.model import Engine, TypeKind
from dbexpert.sources._django_fields import index_name
from dbexpert.sources.orm import find_orm_schema
from dbexpert.sources.orm.django import find, load
from tests.files import write_tree

SETTINGS = """DATABASES = {"default": {"ENGINE": "django.db.backends.%s", "NAME": "shop"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""

MODELS = """from django.conf import settings
from django.db import models
from django.db.models import Q


class TimeStamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Tag(models.Model):
    label = models.SlugField(unique=True)


class Post(TimeStamped):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    editor = models.ForeignKey("Author", on_delete=models.SET_NULL, null=True, db_index=False)
    title = models.CharField(max_length=200, db_index=True)
    body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=[("d", "Draft")], default="d")
    tags = models.ManyToManyField(Tag)

    class Meta:
        db_table = "posts"
        indexes = [models.Index(fields=["-created", "status"], name="post_recent", condition=Q(status="p"))]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["d", "p"]), name="status_ok"),
            models.UniqueConstraint(fields=["title"], condition=Q(status="p"), name="one_title"),
        ]
        unique_together = [("author", "title")]


class Author(models.Model):
    name = models.CharField(max_length=100)
    profile = models.OneToOneField("Profile", on_delete=models.CASCADE, null=True)


class Guest(Author):
    token = models.UUIDField()


class Profile(models.Model):
    code = models.CharField(max_length=5, primary_key=True)


class Proxy(Author):
    class Meta:
        proxy = True
"""


def project(tmp_path: Path, backend: str = "postgresql", models: str = MODELS, **extra: str) -> Path:
    return write_tree(
        tmp_path / "site",
        {
            "site/settings.py": SETTINGS % backend,
            "blog/models.py": models,
            "blog/views.py": "X = 1\n",
            **extra,
        },
    )


def test_a_folder_without_models_is_not_django(tmp_path: Path):
    root = write_tree(
        tmp_path, {"blog/views.py": "from django.http import HttpResponse\n", "x/settings.py": ""}
    )
    assert find(root) == []


def test_models_become_tables_named_after_app_and_model(tmp_path: Path):
    schema = find_orm_schema(project(tmp_path))
    assert schema is not None and schema.orm == "django" and schema.problems == ()
    catalog = schema.catalog
    assert catalog.engine is Engine.POSTGRES and catalog.attrs["orm"] == "django"
    assert [t.name for t in catalog.tables] == [
        "blog_tag",
        "posts",
        "posts_tags",
        "blog_author",
        "blog_guest",
        "blog_profile",
    ]
    tag = catalog.table("blog_tag")
    assert (
        tag.column("id").raw_type == "bigint" and tag.column("id").identity == "by default"
    )  # DEFAULT_AUTO_FIELD
    assert tag.column("label").raw_type == "varchar(50)"
    assert [i.name for i in tag.indexes] == [
        "blog_tag_pkey",
        "blog_tag_label_key",
        index_name("blog_tag", ["label"], "_like"),
    ]
    posts = catalog.table("posts")
    assert posts.column_names == ("id", "created", "author_id", "editor_id", "title", "body", "status")
    assert posts.column("created").kind is TypeKind.TIMESTAMPTZ and posts.column("editor_id").nullable
    assert (
        posts.column("author_id").attrs["orm_field"] == "author"
        and posts.column("author_id").location.line == 18
    )


def test_foreign_keys_are_indexed_unless_db_index_false(tmp_path: Path):
    posts = find_orm_schema(project(tmp_path)).catalog.table("posts")
    by_columns = {i.columns: i for i in posts.indexes}
    assert by_columns[("author_id",)].name == index_name("posts", ["author_id"])
    assert ("editor_id",) not in by_columns
    author = next(f for f in posts.foreign_keys if f.columns == ("author_id",))
    assert author.ref_table == "auth_user" and author.initially_deferred
    assert author.name == index_name("posts", ["author_id"], "_fk_auth_user_id")


def test_meta_indexes_constraints_and_unique_together(tmp_path: Path):
    posts = find_orm_schema(project(tmp_path)).catalog.table("posts")
    recent = next(i for i in posts.indexes if i.name == "post_recent")
    assert (
        recent.columns == ("created", "status")
        and recent.keys[0].descending
        and recent.where == "status = 'p'"
    )
    assert posts.checks[0].expression == "status IN ('d', 'p')"
    partial = next(i for i in posts.indexes if i.name == "one_title")
    assert partial.unique and partial.where == "status = 'p'"
    assert posts.uniques[0].columns == ("author_id", "title")
    assert posts.uniques[0].name == index_name("posts", ["author_id", "title"], "_uniq")


def test_many_to_many_one_to_one_and_inheritance(tmp_path: Path):
    catalog = find_orm_schema(project(tmp_path)).catalog
    junction = catalog.table("posts_tags")
    assert junction.column_names == ("id", "post_id", "tag_id")
    assert junction.uniques[0].columns == ("post_id", "tag_id")
    assert {f.ref_table for f in junction.foreign_keys} == {"posts", "blog_tag"}
    author = catalog.table("blog_author")
    assert author.column("profile_id").raw_type == "varchar(5)"  # the target's primary key type
    assert any(u.columns == ("profile_id",) for u in author.uniques)
    guest = catalog.table("blog_guest")
    assert (
        guest.primary_key.columns == ("author_ptr_id",) and guest.foreign_keys[0].ref_table == "blog_author"
    )
    assert catalog.table("blog_proxy") is None and catalog.table("blog_timestamped") is None


def test_mysql_and_sqlite_types_and_implicit_indexes(tmp_path: Path):
    mysql = find_orm_schema(project(tmp_path / "m", "mysql")).catalog
    assert mysql.engine is Engine.MYSQL
    posts = mysql.table("posts")
    assert posts.column("created").raw_type == "datetime(6)" and posts.column("body").raw_type == "longtext"
    assert next(i for i in posts.indexes if i.columns == ("editor_id",)).attrs["implicit"] == "innodb"
    sqlite = find_orm_schema(project(tmp_path / "s", "sqlite3")).catalog
    tag = sqlite.table("blog_tag")
    assert sqlite.engine is Engine.SQLITE and tag.column("id").raw_type == "integer"
    assert [i.name for i in tag.indexes][0] == "sqlite_autoindex_blog_tag_1"  # the rowid key has no index


def test_apps_default_auto_field_and_app_label(tmp_path: Path):
    models = "from django.db import models\n\n\nclass Item(models.Model):\n    class Meta:\n        app_label = 'shop'\n"
    root = project(
        tmp_path,
        models=models,
        **{"blog/apps.py": "class C:\n    default_auto_field = 'django.db.models.AutoField'\n"},
    )
    item = find_orm_schema(root).catalog.table("shop_item")
    assert item is not None and item.column("id").raw_type == "integer"


def test_bad_files_and_unknown_fields_are_problems(tmp_path: Path):
    broken = MODELS.replace("    body = models.TextField(blank=True)\n", "    body = MyField()\n")
    root = project(
        tmp_path, models=broken, **{"shop/models.py": "from django.db import models\nclass X(models.Model:\n"}
    )
    schema = load(find(root))
    assert any(":21:12: field body not read: field type MyField" in p for p in schema.problems)
    assert any(
        p.startswith(f"{root / 'shop' / 'models.py'}:2:") and "syntax error" in p for p in schema.problems
    )
    assert schema.catalog.table("posts").column("body") is None
