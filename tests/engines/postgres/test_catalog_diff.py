from dataclasses import replace

from dbexpert.model import Catalog, Column, Engine, EnumType, Index, IndexKey, Table, TypeKind
from dbexpert.model import Sequence as SequenceObject
from dbexpert.model.catalog_diff import diff_catalogs, short_type

EMAIL = Column("email", "character varying(100)", TypeKind.VARCHAR, nullable=False, length=100)
USERS = Table(
    "users",
    "public",
    columns=(Column("id", "bigint", TypeKind.BIGINT, nullable=False), EMAIL),
    indexes=(Index("users_email_idx", (IndexKey("email"),)),),
)
BEFORE = Catalog(
    engine=Engine.POSTGRES,
    tables=(USERS,),
    sequences=(SequenceObject("s", "public", last_value=5),),
    enums=(EnumType("mood", ("sad", "ok"), "public"),),
)


def test_same_schema_and_changing_statistics_are_no_difference():
    moved = replace(BEFORE, sequences=(SequenceObject("s", "public", last_value=99),))
    assert diff_catalogs(BEFORE, moved) == []


def test_differences_read_like_sentences():
    wider = replace(EMAIL, raw_type="character varying(200)", nullable=True, default="'x'::text")
    after = replace(
        BEFORE,
        tables=(replace(USERS, columns=(USERS.columns[0], wider), indexes=()), Table("extra", "public")),
        enums=(EnumType("mood", ("sad", "ok", "happy"), "public"),),
        sequences=(),
    )
    changes = diff_catalogs(BEFORE, after)
    assert "column public.users.email type varchar(100) ≠ varchar(200)" in changes
    assert "column public.users.email NOT NULL ≠ NULL" in changes
    assert "index users_email_idx missing" in changes
    assert "table public.extra added" in changes
    assert "sequence public.s missing" in changes
    assert "enum public.mood (sad, ok) ≠ (sad, ok, happy)" in changes


def test_missing_column():
    after = replace(BEFORE, tables=(replace(USERS, columns=USERS.columns[:1]),))
    assert "column public.users.email missing" in diff_catalogs(BEFORE, after)


def test_short_type():
    assert short_type("timestamp with time zone") == "timestamptz"
    assert short_type("character(3)") == "char(3)"
    assert short_type("bigint") == "bigint"
