"""The optional C accelerators (dbexpert.native); everything else is in pyproject.toml.

Without a C compiler or Python's headers their build fails with a warning and dbexpert runs their
Python twins (the same results, slower on large logs)."""

from setuptools import Extension, setup

_CLASSES = "src/dbexpert/_classes.h"  # the character classes both include

setup(
    ext_modules=[
        Extension("dbexpert.sql._skeleton", ["src/dbexpert/sql/_skeleton.c"], depends=[_CLASSES], optional=True),
        Extension("dbexpert.sources.logs._rows", ["src/dbexpert/sources/logs/_rows.c"], depends=[_CLASSES], optional=True),
    ]
)
