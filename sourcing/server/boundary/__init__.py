"""The request boundary: one table of limits, one check of every request against it."""
