"""Alembic migrations (one named revision per change); applied by ``resilience init-db``."""
