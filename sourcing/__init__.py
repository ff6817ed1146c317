"""Optimisation-based order sourcing engine."""

__version__ = "0.1.0"
