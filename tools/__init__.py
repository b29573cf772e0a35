"""Project tooling run by make targets (not part of the app)."""
