"""households: a keyed digest of the KK number, so a search by KK number decrypts nothing

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 13:00:00

Like ``nik_digest``: HMAC-SHA256 of the number with the key derived from ``SECRET_KEY``
(``resilience.core.crypto.digest``). Existing rows are filled here, which needs the same
``SECRET_KEY`` that encrypted them (the migration runs inside the app, as ``init-db`` does).
"""
from alembic import op
import sqlalchemy as sa

from resilience.core.crypto import EncryptedString, digest

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('households', sa.Column('kk_digest', sa.String(length=64), nullable=True))
    op.create_index(op.f('ix_households_kk_digest'), 'households', ['kk_digest'], unique=False)
    households = sa.table(
        'households', sa.column('id', sa.Integer), sa.column('kk_number', EncryptedString),
        sa.column('kk_digest', sa.String),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(households.c.id, households.c.kk_number)
                        .where(households.c.kk_number.is_not(None))).all()
    for household_id, kk_number in rows:
        bind.execute(households.update().where(households.c.id == household_id)
                     .values(kk_digest=digest(kk_number)))


def downgrade():
    op.drop_index(op.f('ix_households_kk_digest'), table_name='households')
    # plain DROP COLUMN (SQLite 3.35+): a batch copy of the table would lose its spatial column
    op.execute('ALTER TABLE households DROP COLUMN kk_digest')
