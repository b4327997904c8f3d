"""Redis: a read-only session (INFO, CONFIG GET, SLOWLOG GET, SCAN...), its health snapshot, content
checksums per database, and private throw-away servers that load a backup to verify it."""
