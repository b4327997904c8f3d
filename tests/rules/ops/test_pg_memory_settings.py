"""memory-settings-vs-machine: memory settings against the machine's RAM."""

from __future__ import annotations

from dbexpert.model import Finding
from tests.rules.ops.helpers import postgres_findings

RULE = "memory-settings-vs-machine"
findings = postgres_findings(RULE)


GOOD = {
    "shared_buffers": "4GB",
    "effective_cache_size": "12GB",
    "work_mem": "16MB",
    "max_connections": "100",
    "maintenance_work_mem": "1GB",
}
RAM_16G = {"machine_memory_bytes": 16 * 1024**3, "machine_memory_source": "/proc/meminfo"}


def _by_setting(found: list[Finding]) -> dict[str | None, Finding]:
    return {f.location.object: f for f in found}


def test_defaults_on_a_16gb_machine():
    settings = {
        **GOOD,
        "shared_buffers": "128MB",
        "effective_cache_size": "4GB",
        "maintenance_work_mem": "64MB",
    }
    found = _by_setting(findings({"settings": settings, "facts": RAM_16G}))
    assert set(found) == {"shared_buffers", "effective_cache_size", "maintenance_work_mem"}
    assert "shared_buffers = '4GB'" in (found["shared_buffers"].fix.sql or "")
    assert "effective_cache_size = '12GB'" in (found["effective_cache_size"].fix.sql or "")
    assert "maintenance_work_mem = '512MB'" in (found["maintenance_work_mem"].fix.sql or "")
    assert found["shared_buffers"].evidence["machine_memory_source"] == "/proc/meminfo"


def test_work_mem_times_connections_beyond_ram():
    found = _by_setting(
        findings({"settings": {**GOOD, "work_mem": "256MB", "max_connections": "100"}, "facts": RAM_16G})
    )
    # PGTune: (12GB - 4GB) / (3 * 100) = 27MB
    assert "work_mem = '27MB'" in (found["work_mem"].fix.sql or "")


def test_option_wins_over_fact_and_unknown_memory_only_flags_the_default():
    assert findings({"settings": GOOD, "facts": RAM_16G}) == []
    assert _by_setting(findings({"settings": GOOD, "facts": RAM_16G}, machine_memory_mb=64 * 1024))
    [default] = findings({"settings": {**GOOD, "shared_buffers": "128MB"}})
    assert default.evidence["machine_memory"].startswith("unknown")
    assert not findings({"settings": GOOD})


def test_suggestions_are_rounded_and_shared_buffers_asks_for_a_restart():
    odd = {"machine_memory_bytes": 25276502016}  # MemTotal of a "24 GB" machine
    settings = {
        **GOOD,
        "shared_buffers": "128MB",
        "effective_cache_size": "4GB",
        "maintenance_work_mem": "64MB",
    }
    found = _by_setting(findings({"settings": settings, "facts": odd}))
    assert found["shared_buffers"].fix.sql == (
        "ALTER SYSTEM SET shared_buffers = '5GB';\n-- restart the server to apply"
    )
    assert "effective_cache_size = '17GB'" in (found["effective_cache_size"].fix.sql or "")
    assert "maintenance_work_mem = '704MB'" in (found["maintenance_work_mem"].fix.sql or "")
    assert "pg_reload_conf()" in (found["maintenance_work_mem"].fix.sql or "")
