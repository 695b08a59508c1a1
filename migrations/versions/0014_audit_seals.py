"""audit: the encrypted openings of sealed personal values (audit_entries.private)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:10:00

From this revision on, personal values (names, addresses, points, free-text notes, SMS bodies)
enter an entry's hashed payload only as salted seals; their openings are kept here, encrypted,
outside the hash (resilience/audit/sealing.py). Entries written before keep what they hashed;
officials get them withheld.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_entries', sa.Column('private', sa.Text(), nullable=True))


def downgrade():
    op.execute('ALTER TABLE audit_entries DROP COLUMN private')
