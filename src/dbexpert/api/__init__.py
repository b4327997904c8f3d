"""The library calls behind every command: ``audit``, ``demo``, rule documentation."""
