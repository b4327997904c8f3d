"""Application queries: parsed with their places, and the detectors the query rules call.

``tree`` reads statements into :class:`Query` values; ``shape``, ``predicates`` and the other
modules hold one detector per pattern, each yielding :class:`Match` values with the rewrite
(when one exists) already printed in the query's dialect.
"""
