from dbexpert.model.code import LoopQueryKind
from tests.rules.code.helpers import findings, site


def test_fires_on_its_kind_with_the_location_fix_and_loop():
    found = site(
        LoopQueryKind.PER_ROW_WRITE,
        fix="Load them in one query.",
        batched="select(Order).where(Order.id.in_(ids))",
    )
    [finding] = findings("per-row-write-in-loop", found)
    assert (finding.location.path, finding.location.line, finding.location.column) == ("app/views.py", 12, 9)
    assert finding.evidence["loop_line"] == 10 and finding.evidence["orm"] == "sqlalchemy"
    assert finding.fix is not None and "Order.id.in_(ids)" in finding.fix.description
    assert "line 10" in finding.message


def test_other_kinds_are_left_to_their_rules():
    others = [k for k in LoopQueryKind if k is not LoopQueryKind.PER_ROW_WRITE]
    assert findings("per-row-write-in-loop", *(site(k) for k in others)) == []
