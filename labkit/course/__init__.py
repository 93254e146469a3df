"""Course tooling: executing notebooks, building exercises, grading (the top layer)."""
