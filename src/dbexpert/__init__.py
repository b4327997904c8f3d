"""dbexpert: a database architect in a command."""

__version__ = "0.1.0"
