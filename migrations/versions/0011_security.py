"""account security: web sessions ended on the server, API tokens that expire

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 00:30:00

- ``web_sessions``: one row per web login (the digest of the random id its signed cookie
  carries); logout sets ``ended_at``, after which a copy of the cookie is refused.
- ``api_tokens.expires_at``: tokens stop working at this time. Tokens made before this
  migration get 90 days from the upgrade (the default ``API_TOKEN_DAYS``), so nothing breaks
  on the day of the upgrade but nothing lives forever either.
"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

LEGACY_TOKEN_DAYS = 90


def upgrade():
    op.create_table(
        'web_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_web_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_sessions')),
        sa.UniqueConstraint('digest', name=op.f('uq_web_sessions_digest')),
    )
    op.create_index(op.f('ix_web_sessions_user_id'), 'web_sessions', ['user_id'], unique=False)
    op.add_column('api_tokens', sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    expires = datetime.now(timezone.utc) + timedelta(days=LEGACY_TOKEN_DAYS)
    if op.get_bind().dialect.name == 'sqlite':  # UTCDateTime stores naive UTC text there
        expires = expires.replace(tzinfo=None)
    update = sa.text('UPDATE api_tokens SET expires_at = :at').bindparams(
        sa.bindparam('at', type_=sa.DateTime(timezone=True)))
    op.get_bind().execute(update, {'at': expires})
    with op.batch_alter_table('api_tokens') as batch:
        batch.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
    op.drop_index(op.f('ix_web_sessions_user_id'), table_name='web_sessions')
    op.drop_table('web_sessions')
