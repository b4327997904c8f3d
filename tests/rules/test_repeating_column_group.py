import sqlite3

from dbexpert.model import Engine, PrimaryKey, Table
from dbexpert.rules.context import run_rules
from dbexpert.rules.schema.repeating_column_group import RULE
from tests.factories import catalog, col


def _run(*names, table="contacts", pk=("id",), engine=Engine.SQLITE):
    columns = (col("id", "integer", engine), *(col(n, "text", engine) for n in names))
    t = Table(name=table, columns=columns, primary_key=PrimaryKey(pk) if pk else None)
    return run_rules(catalog(t, engine=engine), [RULE])


def test_fires_and_the_fix_migrates_the_values():
    [finding] = _run("name", "phone1", "phone2", "phone3")
    assert finding.evidence["columns"] == ["phone1", "phone2", "phone3"]
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE contacts (id integer PRIMARY KEY, name text, phone1 text, phone2 text, phone3 text);"
        "INSERT INTO contacts VALUES (1, 'a', '111', NULL, '333'), (2, 'b', '222', NULL, NULL);"
    )
    db.executescript(finding.fix.sql)
    rows = db.execute("SELECT contact_id, position, phone FROM contact_phones ORDER BY 1, 2").fetchall()
    assert rows == [(1, 1, "111"), (1, 3, "333"), (2, 1, "222")]


def test_underscore_and_camel_spellings():
    [finding] = _run("tag_1", "tag_2")
    assert finding.evidence["stem"] == "tag"
    assert "contact_tags" in finding.fix.sql
    assert len(_run("emailAddress1", "emailAddress2")) == 1


def test_legitimate_stems_and_single_columns_are_clean():
    assert _run("address_line1", "address_line2", "billing_addr_line1", "billing_addr_line2") == []
    assert _run("street1", "street2", "address1", "address2") == []
    assert _run("x1", "y1", "x2", "y2") == []
    assert _run("sha1", "sha256", "md5") == []
    assert _run("phone1") == []
    assert _run("level10", "level11") == []


def test_no_single_primary_key_gives_a_manual_note():
    [finding] = _run("phone1", "phone2", pk=None)
    assert finding.fix.sql.startswith("-- contacts needs a single-column primary key")


def test_hostile_names_are_quoted():
    [finding] = _run('ph"one1', 'ph"one2', table="my contacts")
    db = sqlite3.connect(":memory:")
    db.executescript('CREATE TABLE "my contacts" (id integer PRIMARY KEY, "ph""one1" text, "ph""one2" text);')
    db.executescript(finding.fix.sql)
    assert db.execute('SELECT count(*) FROM "my contact_ph""ones"').fetchone() == (0,)
