"""The live MySQL 8 / MariaDB engine: a read-only PyMySQL session (connect.py), named catalog SQL
(queries.py), pure row-to-model mapping (introspect.py) and bounded probes (probe.py)."""
