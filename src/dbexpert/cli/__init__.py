"""Command-line entry points: thin wrappers over :mod:`dbexpert.api`."""
