"""Rules over what exact mode observed by running migrations on a scratch database."""
