"""The live overview of a center's day for its administrators and lead (docs/api.md §10)."""
