"""Ops rules: the health of a live server, judged from its HealthSnapshot."""
