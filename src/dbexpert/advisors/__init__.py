"""Advisors: whole-picture analyses that search for a set of changes (indexes, rewrites) rather than
report one pattern. Like rules, they are pure over what they receive; costs come from a callable."""
