"""audit: an indexed event_id per entry (the log's event filter), indexes for the other
filters, and the remembered verified prefix (audit_verified)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:20:00

``event_id`` is not part of an entry's hash: it is an index filled when the entry is written
(resilience/audit/scope.py). Entries written before this revision are filled here from the
rows they are about (an event; a need, task or stock movement's event; an SMS's task's event);
an entry whose row was deleted since takes the ``event_id`` of its row's creation entry.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_DIRECT = {"need": "needs", "task": "tasks", "stock_movement": "stock_movements"}


def upgrade():
    op.add_column('audit_entries', sa.Column('event_id', sa.Integer(), nullable=True))
    op.create_index('ix_audit_entries_event_id_seq', 'audit_entries', ['event_id', 'seq'], unique=False)
    op.create_index('ix_audit_entries_entity', 'audit_entries', ['entity_type', 'entity_id'], unique=False)
    op.create_index(op.f('ix_audit_entries_actor'), 'audit_entries', ['actor'], unique=False)
    op.create_index(op.f('ix_audit_entries_created_at'), 'audit_entries', ['created_at'], unique=False)
    op.create_table('audit_verified',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verified'))
    )
    _backfill(op.get_bind())


def _backfill(bind):
    bind.execute(sa.text("UPDATE audit_entries SET event_id = entity_id WHERE entity_type = 'flood_event'"))
    for entity_type, table in _DIRECT.items():
        bind.execute(sa.text(
            f"UPDATE audit_entries SET event_id = (SELECT t.event_id FROM {table} t"
            f" WHERE t.id = audit_entries.entity_id) WHERE entity_type = :kind"), {"kind": entity_type})
    bind.execute(sa.text(
        "UPDATE audit_entries SET event_id = (SELECT t.event_id FROM sms_messages m"
        " JOIN tasks t ON t.id = m.task_id WHERE m.id = audit_entries.entity_id)"
        " WHERE entity_type = 'sms_message'"))
    # Rows deleted since: their creation entry's payload names the event (or, for an SMS, the
    # task, whose event is known by now).
    entries = sa.table('audit_entries', sa.column('seq', sa.Integer), sa.column('action', sa.String),
                       sa.column('entity_type', sa.String), sa.column('entity_id', sa.Integer),
                       sa.column('payload', sa.JSON), sa.column('event_id', sa.Integer))
    kinds = [*_DIRECT, 'sms_message']
    missing = bind.execute(sa.select(entries.c.entity_type, entries.c.entity_id).distinct()
                           .where(entries.c.event_id.is_(None), entries.c.entity_type.in_(kinds),
                                  entries.c.entity_id.is_not(None))).all()
    if not missing:
        return
    task_events = dict(bind.execute(sa.select(entries.c.entity_id, entries.c.event_id)
                                    .where(entries.c.entity_type == 'task',
                                           entries.c.event_id.is_not(None)).distinct()).all())
    for entity_type, entity_id in missing:
        payload = bind.execute(sa.select(entries.c.payload).where(
            entries.c.entity_type == entity_type, entries.c.entity_id == entity_id,
            entries.c.action == f"{entity_type}.created")).scalar()
        if not isinstance(payload, dict):
            continue
        event_id = payload.get('event_id') if entity_type != 'sms_message' else task_events.get(payload.get('task_id'))
        if isinstance(event_id, int):
            bind.execute(entries.update().where(entries.c.entity_type == entity_type,
                                                entries.c.entity_id == entity_id,
                                                entries.c.event_id.is_(None)).values(event_id=event_id))


def downgrade():
    op.drop_table('audit_verified')
    op.drop_index(op.f('ix_audit_entries_created_at'), table_name='audit_entries')
    op.drop_index(op.f('ix_audit_entries_actor'), table_name='audit_entries')
    op.drop_index('ix_audit_entries_entity', table_name='audit_entries')
    op.drop_index('ix_audit_entries_event_id_seq', table_name='audit_entries')
    # plain DROP COLUMN (SQLite 3.35+), as in 0005
    op.execute('ALTER TABLE audit_entries DROP COLUMN event_id')
