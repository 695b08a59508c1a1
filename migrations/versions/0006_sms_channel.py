"""sms_messages: the channel that carried a message, and why it switched to it

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 21:30:00

With a fallback chain (``SMS_BACKEND=twilio,gammu``) a message that its first channel could not
send goes out by the next one: ``channel`` names the backend that sent it (``twilio``,
``gammu``, ``outbox``), ``channel_reason`` why it left the one before ('' when it did not).
"""
from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('sms_messages', sa.Column('channel', sa.String(length=10), nullable=True))
    op.add_column('sms_messages', sa.Column('channel_reason', sa.String(length=300), nullable=False,
                                            server_default=''))


def downgrade():
    # plain DROP COLUMN (SQLite 3.35+), as 0005 does
    op.execute('ALTER TABLE sms_messages DROP COLUMN channel_reason')
    op.execute('ALTER TABLE sms_messages DROP COLUMN channel')
