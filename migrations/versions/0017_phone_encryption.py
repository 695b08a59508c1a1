"""every stored phone number encrypted at rest; volunteers' and SMS phones found by a keyed digest

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 03:30:00

Like a household's phone since 0001: ``volunteers.phone``, ``sms_messages.phone`` (a volunteer's,
a resident's, a stranger's), ``volunteer_groups.leader_phone`` and ``flood_events.duty_phone``
hold Fernet ciphertexts (``EncryptedString``). Volunteers and SMS are looked up by phone (an
inbound sender's volunteer, a volunteer's conversation, a modem's status report), so they get
``phone_digest`` (HMAC under the field keys, ``crypto.digest``); the volunteer's is a UNIQUE
index, the database's guarantee that one phone is one volunteer (the UNIQUE on the ciphertext,
from 0001, stays: SQLite cannot drop it without copying the table, and it holds trivially).

Existing rows are encrypted here, in batches (the migration runs inside the app, with its keys).
Downgrade decrypts them back.
"""
from alembic import op
import sqlalchemy as sa

from resilience.core import crypto

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

# table -> (its phone columns, whether it gets a phone_digest)
PHONES = {
    'volunteers': (('phone',), True),
    'sms_messages': (('phone',), True),
    'volunteer_groups': (('leader_phone',), False),
    'flood_events': (('duty_phone',), False),
}
BATCH = 1000


def _rewrite(bind, table_name, columns, convert, digest_of=None):
    """Every row's phone columns through ``convert`` (and the digest from the plain value), in
    batches by id."""
    table = sa.table(table_name, sa.column('id', sa.Integer), *(sa.column(c, sa.Text) for c in columns),
                     *([sa.column('phone_digest', sa.String)] if digest_of else []))
    last = 0
    while True:
        rows = bind.execute(sa.select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id > last)
                            .order_by(table.c.id).limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            values = {}
            for column, value in zip(columns, row[1:]):
                if value is None:
                    continue
                values[column] = convert(value)
                if digest_of is not None:
                    values['phone_digest'] = digest_of(value)
            if values:
                bind.execute(table.update().where(table.c.id == row[0]).values(**values))
        last = rows[-1][0]


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    op.drop_index('ix_sms_messages_phone', table_name='sms_messages')
    for table, (columns, digested) in PHONES.items():
        if postgres:  # a ciphertext is ~120 characters; SQLite does not enforce VARCHAR lengths
            for column in columns:
                op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE TEXT')
        if digested:
            op.execute(f'ALTER TABLE {table} ADD COLUMN phone_digest VARCHAR(64)')
        _rewrite(bind, table, columns, crypto.encrypt,
                 (lambda phone: crypto.digest(phone) if phone else None) if digested else None)
    op.create_index('ix_volunteers_phone_digest', 'volunteers', ['phone_digest'], unique=True)
    op.create_index('ix_sms_messages_phone_digest', 'sms_messages', ['phone_digest'], unique=False)


def _decrypt(token):
    try:
        return crypto.decrypt(token)
    except Exception:  # unreadable under every key: left as it is (it does not fit in 20 characters)
        return token


def downgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == 'postgresql'
    op.drop_index('ix_sms_messages_phone_digest', table_name='sms_messages')
    op.drop_index('ix_volunteers_phone_digest', table_name='volunteers')
    for table, (columns, digested) in PHONES.items():
        _rewrite(bind, table, columns, _decrypt)
        if digested:
            op.execute(f'ALTER TABLE {table} DROP COLUMN phone_digest')
        if postgres:
            for column in columns:
                op.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(20)')
    op.create_index('ix_sms_messages_phone', 'sms_messages', ['phone'], unique=False)
