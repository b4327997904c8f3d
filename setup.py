"""The optional C accelerator of the fingerprint; everything else is in pyproject.toml.

Without a C compiler the build of the extension fails with a warning and dbexpert runs its Python
passes alone (the same results, slower on large logs)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("dbexpert.sql._skeleton", ["src/dbexpert/sql/_skeleton.c"], optional=True)])
