"""``dbexpert demo``: audit a realistic SQLite shop database with real flaws, built on the spot."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from dbexpert.api.audit import AuditResult, audit
from dbexpert.api.config import Config
from dbexpert.demo import build_demo_database

DEMO_NAME = "shop.db"


def run_demo(config: Config | None = None, save_to: Path | None = None) -> AuditResult:
    """Build the demo database in a temporary folder, audit it live (read-only), clean up.

    With ``save_to`` the database is also copied there, to explore or audit again.
    """
    with tempfile.TemporaryDirectory(prefix="dbexpert-demo-") as folder:
        path = Path(folder) / DEMO_NAME
        build_demo_database(path)
        result = audit([str(path)], config or Config())
        if save_to is not None:
            shutil.copyfile(path, save_to)
    return replace(result, target=f"demo shop database ({DEMO_NAME}, SQLite)")
