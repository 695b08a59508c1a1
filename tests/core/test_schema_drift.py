"""The migrations build exactly the schema the models declare, on both databases: a column,
index or constraint added to a model without a migration (or the reverse) fails here. Tables
the databases keep for themselves (SpatiaLite's and PostGIS's metadata, spatial index
tables) are not ours and are left out."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext


def _ours(name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    if type_ == "table" and reflected and compare_to is None:
        return False  # a table only the database has: spatial metadata and index tables
    if type_ == "index" and name and name.startswith(("idx_", "spatial_")):
        return False  # SpatiaLite's and GeoAlchemy's own spatial indexes
    return True


def _differences(conn, metadata) -> list:
    context = MigrationContext.configure(conn, opts={
        "include_object": lambda obj, name, type_, reflected, compare_to: _ours(name, type_, reflected, compare_to),
        "compare_type": False,
    })
    return compare_metadata(context, metadata)


def test_migrations_build_the_schema_the_models_declare(fresh_app):
    from flask_migrate import downgrade, upgrade

    import resilience.models  # noqa: F401  (every model in the metadata)
    from resilience.extensions import db

    with fresh_app.app_context():
        directory = fresh_app.extensions["migrate"].directory
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert _differences(conn, db.metadata) == []
        downgrade(directory=directory, revision="0009")
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert _differences(conn, db.metadata) == []
        db.engine.dispose()
