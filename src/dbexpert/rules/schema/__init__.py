"""Schema-design rules: one module per rule, each over a table or the whole catalog."""
