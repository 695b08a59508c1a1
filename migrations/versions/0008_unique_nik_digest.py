"""households: the NIK digest is unique (the database, not a check before insert, is the guarantee)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:30:00

The volunteer phone has been unique since 0001 (``uq_volunteers_phone``); the NIK digest only
had a plain index, so two concurrent registrations of one NIK could both be stored. The index
``ix_households_nik_digest`` becomes a unique index (NULLs — households without a NIK — may
repeat on both databases).

Existing duplicates make the upgrade stop, listing the household ids of each group, rather
than keep the oldest: each duplicate is a household with its own needs, tasks and audit
history, and which record is the right one (a typo in one NIK, or one family registered twice
at two posko) is a decision for a coordinator, not for a migration. Fix or merge them (change
the NIK of one, or move its needs), then run ``resilience init-db`` again.
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


class DuplicateNik(RuntimeError):
    pass


def upgrade():
    rows = op.get_bind().execute(sa.text(
        "SELECT nik_digest, id FROM households WHERE nik_digest IN ("
        " SELECT nik_digest FROM households WHERE nik_digest IS NOT NULL"
        " GROUP BY nik_digest HAVING count(*) > 1) ORDER BY id")).all()
    if rows:
        groups = defaultdict(list)
        for key, household_id in rows:
            groups[key].append(household_id)
        listed = "; ".join(", ".join(str(i) for i in ids) for ids in sorted(groups.values()))
        raise DuplicateNik(
            f"cannot make the NIK unique: {len(groups)} NIK(s) are registered to more than one household "
            f"(household ids, one group per NIK: {listed}). Correct or merge those households, then run "
            "'resilience init-db' again.")
    op.drop_index('ix_households_nik_digest', table_name='households')
    op.create_index('ix_households_nik_digest', 'households', ['nik_digest'], unique=True)


def downgrade():
    op.drop_index('ix_households_nik_digest', table_name='households')
    op.create_index('ix_households_nik_digest', 'households', ['nik_digest'], unique=False)
