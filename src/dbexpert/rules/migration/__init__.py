"""Migration rules: one module per rule, each over one statement of a migration (a MigrationStep)."""
