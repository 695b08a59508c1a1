"""the registry: duplicates and their merge, "not the same family", help requests by SMS

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 00:30:00

- ``households.phone_digest``: a keyed digest of the phone (like ``nik_digest`` and
  ``kk_digest``), so duplicates by phone and the household of a ``TOLONG`` sender are found
  without decrypting; existing rows are filled here (the migration runs inside the app, with
  its keys).
- ``households.merged_into_id`` / ``merged_at``: a duplicate merged into another household is
  kept, pointing to it (a plain integer column: SQLite cannot drop a foreign-key column
  without a table copy, which would lose the spatial column).
- ``household_not_duplicates``: pairs a coordinator said are different families, one row per
  pair whichever way it was said (``low_id < high_id`` and a unique constraint).
- ``help_requests``: ``TOLONG`` SMS from numbers that are not volunteers', phone and text
  encrypted.
"""
from alembic import op
import sqlalchemy as sa

from resilience.core.crypto import EncryptedString, digest

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

HELP_REQUEST_STATUSES = ('pending', 'verified', 'rejected')


def upgrade():
    op.execute("ALTER TABLE households ADD COLUMN phone_digest VARCHAR(64)")
    op.execute("ALTER TABLE households ADD COLUMN merged_into_id INTEGER")
    op.execute("ALTER TABLE households ADD COLUMN merged_at " + (
        "TIMESTAMP WITH TIME ZONE" if op.get_bind().dialect.name == 'postgresql' else "DATETIME"))
    op.create_index(op.f('ix_households_phone_digest'), 'households', ['phone_digest'], unique=False)
    op.create_index(op.f('ix_households_merged_into_id'), 'households', ['merged_into_id'], unique=False)
    households = sa.table('households', sa.column('id', sa.Integer), sa.column('phone', EncryptedString),
                          sa.column('phone_digest', sa.String))
    bind = op.get_bind()
    rows = bind.execute(sa.select(households.c.id, households.c.phone).where(households.c.phone.is_not(None))).all()
    for household_id, phone in rows:
        if phone and phone != "<unreadable>":
            bind.execute(households.update().where(households.c.id == household_id).values(phone_digest=digest(phone)))

    op.create_table(
        'household_not_duplicates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('low_id', sa.Integer(), nullable=False),
        sa.Column('high_id', sa.Integer(), nullable=False),
        sa.Column('decided_by', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('low_id < high_id', name=op.f('ck_household_not_duplicates_ordered_pair')),
        sa.ForeignKeyConstraint(['low_id'], ['households.id'], name=op.f('fk_household_not_duplicates_low_id_households')),
        sa.ForeignKeyConstraint(['high_id'], ['households.id'], name=op.f('fk_household_not_duplicates_high_id_households')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_household_not_duplicates')),
        sa.UniqueConstraint('low_id', 'high_id', name='uq_household_not_duplicates_pair'),
    )
    op.create_index(op.f('ix_household_not_duplicates_low_id'), 'household_not_duplicates', ['low_id'])
    op.create_index(op.f('ix_household_not_duplicates_high_id'), 'household_not_duplicates', ['high_id'])

    op.create_table(
        'help_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.Text(), nullable=False),
        sa.Column('phone_digest', sa.String(length=64), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('need_id', sa.Integer(), nullable=True),
        sa.Column('sms_message_id', sa.Integer(), nullable=True),
        sa.Column('decided_by', sa.String(length=254), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('status IN (%s)' % ', '.join(f"'{s}'" for s in HELP_REQUEST_STATUSES),
                           name=op.f('ck_help_requests_status')),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_help_requests_household_id_households')),
        sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_help_requests_need_id_needs')),
        sa.ForeignKeyConstraint(['sms_message_id'], ['sms_messages.id'],
                                name=op.f('fk_help_requests_sms_message_id_sms_messages')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests')),
    )
    for column in ('phone_digest', 'received_at', 'status', 'household_id', 'need_id', 'sms_message_id'):
        op.create_index(op.f(f'ix_help_requests_{column}'), 'help_requests', [column], unique=False)


def downgrade():
    op.drop_table('help_requests')
    op.drop_table('household_not_duplicates')
    op.drop_index(op.f('ix_households_merged_into_id'), table_name='households')
    op.drop_index(op.f('ix_households_phone_digest'), table_name='households')
    for column in ('merged_at', 'merged_into_id', 'phone_digest'):
        op.execute(f'ALTER TABLE households DROP COLUMN {column}')
