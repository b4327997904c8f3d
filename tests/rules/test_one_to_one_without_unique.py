import sqlite3

from dbexpert.model import Engine, ForeignKey, PrimaryKey, Table, UniqueConstraint
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.one_to_one_without_unique import RULE
from tests.factories import catalog, col, idx

USER_FK = ForeignKey(columns=("user_id",), ref_table="users", ref_columns=("id",))


def _child(name="user_profiles", fk=USER_FK, pk=("id",), **kw):
    return Table(
        name=name,
        columns=(col("id"), col("user_id"), col("avatar_id")),
        primary_key=PrimaryKey(pk),
        foreign_keys=(fk,),
        **kw,
    )


def _run(*tables, engine=Engine.POSTGRES):
    return run_rules(catalog(*tables, engine=engine), [RULE])


def test_fires_for_profile_table_with_unique_using_index_fix():
    [finding] = _run(_child())
    assert finding.fix.sql == (
        "CREATE UNIQUE INDEX CONCURRENTLY user_profiles_user_id_key ON user_profiles (user_id);\n"
        "ALTER TABLE user_profiles ADD CONSTRAINT user_profiles_user_id_key UNIQUE USING INDEX user_profiles_user_id_key;"
    )


def test_other_one_per_parent_names_fire():
    for name in ("user_settings", "user_stat", "users_details", "User_Preferences", "user_metadata"):
        assert len(_run(_child(name=name))) == 1, name
    person = ForeignKey(columns=("user_id",), ref_table="people", ref_columns=("id",))
    assert len(_run(_child(name="person_details", fk=person))) == 1


def test_clean_when_unique_by_constraint_index_or_primary_key():
    assert _run(_child(uniques=(UniqueConstraint(("user_id",)),))) == []
    assert _run(_child(indexes=(idx("u", "user_id", unique=True),))) == []
    assert _run(_child(pk=("user_id",))) == []


def test_partial_unique_index_does_not_count():
    assert len(_run(_child(indexes=(idx("u", "user_id", unique=True, where="deleted_at IS NULL"),)))) == 1


def test_no_fire_on_ordinary_tables_or_other_references():
    assert _run(_child(name="orders")) == []
    avatar = ForeignKey(columns=("avatar_id",), ref_table="images", ref_columns=("id",))
    assert _run(_child(fk=avatar)) == []
    assert _run(_child(name="user_profile_views")) == []


def test_mysql_and_sqlite_fix_sql():
    [mysql] = _run(_child(), engine=Engine.MYSQL)
    assert (
        mysql.fix.sql
        == "ALTER TABLE user_profiles ADD CONSTRAINT user_profiles_user_id_key UNIQUE (user_id);"
    )
    fk = ForeignKey(columns=("user_id",), ref_table='us"ers', ref_columns=("id",))
    hostile = Table(name='us"er_profiles', columns=(col("user_id"),), foreign_keys=(fk,))
    [lite] = _run(hostile, engine=Engine.SQLITE)
    db = sqlite3.connect(":memory:")
    db.execute('CREATE TABLE "us""er_profiles" (user_id integer)')
    db.executescript(lite.fix.sql)
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index'").fetchone() == (1,)
