"""Alembic migrations of the sourcing database.

Run them with ``sourcing.models.db.engine.upgrade``.
"""
