"""households: erased_at, the time a household's personal data was erased (UU PDP)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 01:00:00

An erased household keeps its id, kelurahan, counts and an approximate point (the aggregates);
its personal data is gone (resilience/privacy/erase.py). ``erased_at`` says so, and keeps it
from being edited back.
"""
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE households ADD COLUMN erased_at " + (
        "TIMESTAMP WITH TIME ZONE" if op.get_bind().dialect.name == 'postgresql' else "DATETIME"))


def downgrade():
    op.execute('ALTER TABLE households DROP COLUMN erased_at')
