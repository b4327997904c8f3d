"""The optional C accelerators, built by ``pip install`` where a C compiler and Python's headers are
present (setup.py): each has a Python twin giving the same results, which runs when the
accelerator was not built or when ``DBEXPERT_PURE_PYTHON`` is set (to measure or test it)."""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def accelerator(name: str) -> ModuleType | None:
    """The C extension module ``name`` (dotted), or None: not built, or Python asked for."""
    if os.environ.get("DBEXPERT_PURE_PYTHON"):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
