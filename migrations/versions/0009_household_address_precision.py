"""households: RT, RW, street/dusun and how precise the point is

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:30:00

A household reported by landmark and RT only gets an approximate point inside its kelurahan;
``location_precision`` says how far the point can be trusted: ``gps`` (measured), ``map`` (a
click on the map) or ``kelurahan`` (a point inside the kelurahan, nothing better known). Rows
stored before this revision were registered with typed coordinates: ``gps``.

``rt`` and ``rw`` are stored zero-padded to three digits ("003"), the way the kelurahan office
writes them; ``street`` is the jalan or dusun. Plain ADD/DROP COLUMN with a column CHECK works
on SpatiaLite (3.35+) and PostGIS alike; a batch copy of the table would lose its spatial column.
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

COLUMNS = ('street', 'rw', 'rt', 'location_precision')


def upgrade():
    op.execute("ALTER TABLE households ADD COLUMN rt VARCHAR(3)")
    op.execute("ALTER TABLE households ADD COLUMN rw VARCHAR(3)")
    op.execute("ALTER TABLE households ADD COLUMN street VARCHAR(200) NOT NULL DEFAULT ''")
    op.execute(
        "ALTER TABLE households ADD COLUMN location_precision VARCHAR(10) NOT NULL DEFAULT 'gps'"
        " CONSTRAINT ck_households_location_precision"
        " CHECK (location_precision IN ('gps', 'map', 'kelurahan'))"
    )


def downgrade():
    for column in COLUMNS:
        op.execute(f'ALTER TABLE households DROP COLUMN {column}')
