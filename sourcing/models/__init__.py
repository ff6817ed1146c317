"""SQLAlchemy tables and the lifecycle rules that change them."""
