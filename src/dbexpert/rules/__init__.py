"""Rules: small pure checks over the model. See :mod:`dbexpert.rules.registry`."""
