"""Query rules: anti-patterns in application SQL, each with the rewrite and when it is safe."""
