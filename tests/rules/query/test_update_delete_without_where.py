from tests.rules.query.helpers import findings


def test_delete_and_update_without_where():
    found = findings(
        "update-or-delete-without-where", "DELETE FROM sessions;\nUPDATE users SET active = false"
    )
    assert [(f.location.line, f.evidence["statement"]) for f in found] == [(1, "DELETE"), (2, "UPDATE")]


def test_where_using_and_from_restrict_the_rows():
    sql = (
        "DELETE FROM sessions WHERE expires_at < now();"
        "UPDATE users u SET plan = p.name FROM plans p WHERE p.id = u.plan_id;"
        "DELETE FROM a USING b WHERE a.id = b.id"
    )
    assert findings("update-or-delete-without-where", sql) == []
