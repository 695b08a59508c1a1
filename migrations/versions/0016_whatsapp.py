"""WhatsApp: a volunteer's preferred channel; read receipts and SMS fallbacks of messages

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 03:40:00

``volunteers.preferred_channel`` is ``sms`` (every volunteer so far) or ``whatsapp``.
``sms_messages.read_at`` is when WhatsApp reported the message read; ``fallback_of_id`` names
the WhatsApp message an SMS replaces, unique, so one message is replaced by SMS at most once
whatever races (a late "delivered" against the fallback sweep).
"""
from alembic import op
import sqlalchemy as sa

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('volunteers', sa.Column('preferred_channel', sa.String(length=10), nullable=False,
                                          server_default='sms'))
    op.execute("ALTER TABLE sms_messages ADD COLUMN read_at " + (
        "TIMESTAMP WITH TIME ZONE" if op.get_bind().dialect.name == 'postgresql' else "DATETIME"))
    op.add_column('sms_messages', sa.Column('fallback_of_id', sa.Integer(), nullable=True))
    op.create_index('uq_sms_messages_fallback_of', 'sms_messages', ['fallback_of_id'], unique=True)


def downgrade():
    # plain DROP COLUMN (SQLite 3.35+), as 0006 does
    op.drop_index('uq_sms_messages_fallback_of', table_name='sms_messages')
    op.execute('ALTER TABLE sms_messages DROP COLUMN fallback_of_id')
    op.execute('ALTER TABLE sms_messages DROP COLUMN read_at')
    op.execute('ALTER TABLE volunteers DROP COLUMN preferred_channel')
