"""Migration scripts, oldest first by their ``0001_`` number."""
