"""Benchmarks for analysts: instance families, sourcing policies, a lower bound, reports.

This package imports the pure solver (``sourcing.solver``) and nothing of
the database or the wire. ``sourcing bench`` runs it; see
``benchmarks/README.md`` in the repository for the full run and its figures.
"""
