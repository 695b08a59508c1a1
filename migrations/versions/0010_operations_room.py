"""the operations room: alerts, the SMS inbox, decline reasons, the safety check-in

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 00:00:00

- ``alerts``: what needs a coordinator now; at most one open alert per kind and subject (a
  partial unique index, so two workers noticing the same thing raise one).
- ``flood_events``: the safety check-in's two intervals and the categories it applies to, the
  long-wait threshold of priority 4-5 needs, the coordinator-on-duty phone, and ``public``
  (the transparency page).
- ``volunteer_groups.leader_phone``: safety escalations go to the group leader.
- ``tasks``: the volunteer's decline reason, the coordinator's note, the check-in's times.
- ``sms_messages``: an inbound message the system did not act on waits in the inbox
  (``needs_attention``) until someone handles it.

Columns are added with plain ADD COLUMN (a batch copy would lose the spatial columns of
``flood_events`` and ``volunteer_groups`` on SpatiaLite).
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

ALERT_KINDS = ('no_candidate', 'long_wait', 'repeated_expiry', 'sms_failed', 'opted_out_with_tasks',
               'safety_escalation')
OPEN = "acknowledged_at IS NULL AND resolved_at IS NULL"

EVENT_COLUMNS = ('public', 'duty_phone', 'long_wait_minutes', 'checkin_categories',
                 'checkin_escalate_minutes', 'checkin_after_minutes')
TASK_COLUMNS = ('checkin_escalated_at', 'checkin_help_at', 'checkin_safe_at', 'checkin_asked_at',
                'checkin_due_at', 'coordinator_note', 'decline_reason')
SMS_COLUMNS = ('handled_by', 'handled_at', 'needs_attention')


def upgrade():
    false = 'false' if op.get_bind().dialect.name == 'postgresql' else '0'
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('severity', sa.String(length=10), nullable=False),
        sa.Column('subject', sa.String(length=40), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=True),
        sa.Column('need_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.Integer(), nullable=True),
        sa.Column('volunteer_id', sa.Integer(), nullable=True),
        sa.Column('sms_message_id', sa.Integer(), nullable=True),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by', sa.String(length=120), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('notify_count', sa.Integer(), nullable=False),
        sa.CheckConstraint('kind IN (%s)' % ', '.join(f"'{k}'" for k in ALERT_KINDS), name=op.f('ck_alerts_kind')),
        sa.CheckConstraint("severity IN ('warning', 'emergency')", name=op.f('ck_alerts_severity')),
        sa.ForeignKeyConstraint(['event_id'], ['flood_events.id'], name=op.f('fk_alerts_event_id_flood_events')),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_alerts_need_id_needs')),
        sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_alerts_task_id_tasks')),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_alerts_volunteer_id_volunteers')),
        sa.ForeignKeyConstraint(['sms_message_id'], ['sms_messages.id'],
                                name=op.f('fk_alerts_sms_message_id_sms_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    )
    for column in ('kind', 'event_id', 'need_id', 'task_id', 'volunteer_id', 'sms_message_id', 'created_at'):
        op.create_index(op.f(f'ix_alerts_{column}'), 'alerts', [column], unique=False)
    op.create_index('uq_alerts_open_subject', 'alerts', ['kind', 'subject'], unique=True,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))

    op.execute("ALTER TABLE flood_events ADD COLUMN checkin_after_minutes INTEGER NOT NULL DEFAULT 60"
               " CONSTRAINT ck_flood_events_checkin_after CHECK (checkin_after_minutes BETWEEN 1 AND 1440)")
    op.execute("ALTER TABLE flood_events ADD COLUMN checkin_escalate_minutes INTEGER NOT NULL DEFAULT 15"
               " CONSTRAINT ck_flood_events_checkin_escalate CHECK (checkin_escalate_minutes BETWEEN 1 AND 1440)")
    op.execute("ALTER TABLE flood_events ADD COLUMN checkin_categories JSON NOT NULL"
               " DEFAULT '[\"evacuation\", \"medical\"]'")
    op.execute("ALTER TABLE flood_events ADD COLUMN long_wait_minutes INTEGER NOT NULL DEFAULT 30"
               " CONSTRAINT ck_flood_events_long_wait CHECK (long_wait_minutes BETWEEN 1 AND 10080)")
    op.execute("ALTER TABLE flood_events ADD COLUMN duty_phone VARCHAR(20)")
    op.execute(f"ALTER TABLE flood_events ADD COLUMN public BOOLEAN NOT NULL DEFAULT {false}")

    op.execute("ALTER TABLE volunteer_groups ADD COLUMN leader_phone VARCHAR(20)")

    op.execute("ALTER TABLE tasks ADD COLUMN decline_reason TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE tasks ADD COLUMN coordinator_note TEXT NOT NULL DEFAULT ''")
    for column in ('checkin_due_at', 'checkin_asked_at', 'checkin_safe_at', 'checkin_help_at',
                   'checkin_escalated_at'):
        op.add_column('tasks', sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_tasks_checkin_due_at'), 'tasks', ['checkin_due_at'], unique=False)

    op.execute(f"ALTER TABLE sms_messages ADD COLUMN needs_attention BOOLEAN NOT NULL DEFAULT {false}")
    op.add_column('sms_messages', sa.Column('handled_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('sms_messages', sa.Column('handled_by', sa.String(length=120), nullable=True))
    op.create_index(op.f('ix_sms_messages_needs_attention'), 'sms_messages', ['needs_attention'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sms_messages_needs_attention'), table_name='sms_messages')
    for column in SMS_COLUMNS:
        op.execute(f'ALTER TABLE sms_messages DROP COLUMN {column}')
    op.drop_index(op.f('ix_tasks_checkin_due_at'), table_name='tasks')
    for column in TASK_COLUMNS:
        op.execute(f'ALTER TABLE tasks DROP COLUMN {column}')
    op.execute('ALTER TABLE volunteer_groups DROP COLUMN leader_phone')
    for column in EVENT_COLUMNS:
        op.execute(f'ALTER TABLE flood_events DROP COLUMN {column}')
    op.drop_table('alerts')
