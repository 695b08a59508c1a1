"""sms: the outbox and inbox of SMS messages

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 07:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('encoding', sa.String(length=8), nullable=False),
    sa.Column('segments', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=True),
    sa.Column('error_code', sa.Integer(), nullable=True),
    sa.Column('error_message', sa.String(length=500), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('attempt_token', sa.String(length=32), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sending_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('volunteer_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("direction IN ('outbound', 'inbound')", name=op.f('ck_sms_messages_direction')),
    sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'received')", name=op.f('ck_sms_messages_status')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_sms_messages_task_id_tasks')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_sms_messages_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_messages')),
    sa.UniqueConstraint('provider_sid', name=op.f('uq_sms_messages_provider_sid'))
    )
    op.create_index('ix_sms_messages_due', 'sms_messages', ['status', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_sms_messages_phone'), 'sms_messages', ['phone'], unique=False)
    op.create_index(op.f('ix_sms_messages_status'), 'sms_messages', ['status'], unique=False)
    op.create_index(op.f('ix_sms_messages_task_id'), 'sms_messages', ['task_id'], unique=False)
    op.create_index(op.f('ix_sms_messages_volunteer_id'), 'sms_messages', ['volunteer_id'], unique=False)


def downgrade():
    op.drop_table('sms_messages')
