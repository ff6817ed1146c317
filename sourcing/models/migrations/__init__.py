"""Alembic migrations of the sourcing database; run them with ``sourcing.models.db.upgrade``."""
