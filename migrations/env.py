"""Alembic environment: the app's engine and metadata, GeoAlchemy2's helpers for spatial
tables and indexes on both PostGIS and SpatiaLite."""

from __future__ import annotations

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

import resilience.models  # noqa: F401  (registers every table on the metadata)
from resilience.extensions import db

config = context.config


def run_migrations_online() -> None:
    engine = db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=alembic_helpers.include_object,
            process_revision_directives=alembic_helpers.writer,
            render_item=alembic_helpers.render_item,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run resilience init-db")
run_migrations_online()
