"""The C accelerators in tests: each is compared with its Python twin. Where a C compiler and
Python's headers are present (CI), pip builds them, so a missing one is a failure, not a skip."""

from __future__ import annotations

import os
import shutil
import sysconfig
from types import ModuleType

import pytest

from dbexpert.native import accelerator


def required(name: str) -> ModuleType:
    """The accelerator ``name``; fails when it could have been built here and was not, skips when it
    could not (no compiler or headers) or Python was asked for (``DBEXPERT_PURE_PYTHON``)."""
    module = accelerator(name)
    if module is not None:
        return module
    if os.environ.get("DBEXPERT_PURE_PYTHON"):
        pytest.skip("DBEXPERT_PURE_PYTHON is set: the Python twins run alone")
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) and os.path.exists(os.path.join(sysconfig.get_path("include"), "Python.h")):
        pytest.fail(f"{name} is not built though a compiler is here: pip install -e . again")
    pytest.skip(f"{name} is not built (no C compiler or Python headers at install time)")
