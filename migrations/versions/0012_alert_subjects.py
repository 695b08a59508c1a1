"""alerts: find the unresolved alerts of a subject by an index

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:30:00

Every time a need changes status (each offer of a 165-task dispatch, each acceptance) the
alerts about it are looked up to be resolved; the unique index covers only *open* alerts and
the kind index returns every alert of a kind ever raised. A partial index on the subject of the
unresolved alerts keeps that lookup a few index entries whatever the history.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

UNRESOLVED = "resolved_at IS NULL"


def upgrade():
    op.create_index('ix_alerts_unresolved_subject', 'alerts', ['subject'], unique=False,
                    sqlite_where=sa.text(UNRESOLVED), postgresql_where=sa.text(UNRESOLVED))


def downgrade():
    op.drop_index('ix_alerts_unresolved_subject', table_name='alerts')
