"""tasks: the matching reason as data (code and parameters) beside its English text

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00

``explanation`` keeps the English sentence the API and the CLI show; the web app words the
reason in the page's language from ``explanation_code`` and ``explanation_params``. Both are
nullable: tasks proposed before this revision have only the sentence. Plain ADD COLUMN works
on SpatiaLite and PostGIS alike.
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('tasks', sa.Column('explanation_code', sa.String(length=40), nullable=True))
    op.add_column('tasks', sa.Column('explanation_params', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('tasks') as batch:
        batch.drop_column('explanation_params')
        batch.drop_column('explanation_code')
