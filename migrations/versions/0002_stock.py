"""stock: depots, items, the stock ledger and balances

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:00:00.000000

Aid stock, the same on PostGIS and SpatiaLite. Quantities are BIGINT thousandths of the item's
unit; a balance may never be negative (CHECK), a movement's sign follows its kind (CHECK).
"""
from alembic import op
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_geospatial_table('depots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('admin_area_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('posko', 'gudang')", name=op.f('ck_depots_kind')),
    sa.ForeignKeyConstraint(['admin_area_id'], ['admin_areas.id'], name=op.f('fk_depots_admin_area_id_admin_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_depots')),
    sa.UniqueConstraint('name', name=op.f('uq_depots_name'))
    )
    op.create_geospatial_index('idx_depots_location', 'depots', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_depots_admin_area_id'), 'depots', ['admin_area_id'], unique=False)
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("unit IN ('kg', 'l', 'pcs', 'paket')", name=op.f('ck_items_unit')),
    sa.CheckConstraint("category IN ('food', 'water', 'clothing', 'shelter', 'hygiene', 'medical', 'other')", name=op.f('ck_items_category')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('code', name=op.f('uq_items_code'))
    )
    op.create_table('stock_balances',
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity_milli', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity_milli >= 0', name=op.f('ck_stock_balances_not_negative')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_stock_balances_depot_id_depots')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_balances_item_id_items')),
    sa.PrimaryKeyConstraint('depot_id', 'item_id', name=op.f('pk_stock_balances'))
    )
    op.create_index(op.f('ix_stock_balances_item_id'), 'stock_balances', ['item_id'], unique=False)
    op.create_table('stock_movements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('depot_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('quantity_milli', sa.BigInteger(), nullable=False),
    sa.Column('counterpart_depot_id', sa.Integer(), nullable=True),
    sa.Column('transfer_ref', sa.String(length=32), nullable=True),
    sa.Column('donor', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.String(length=1000), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment')", name=op.f('ck_stock_movements_kind')),
    sa.CheckConstraint("(kind IN ('receipt', 'transfer_in') AND quantity_milli > 0) OR (kind IN ('issue', 'transfer_out') AND quantity_milli < 0) OR (kind = 'adjustment' AND quantity_milli <> 0)", name=op.f('ck_stock_movements_sign')),
    sa.ForeignKeyConstraint(['counterpart_depot_id'], ['depots.id'], name=op.f('fk_stock_movements_counterpart_depot_id_depots')),
    sa.ForeignKeyConstraint(['depot_id'], ['depots.id'], name=op.f('fk_stock_movements_depot_id_depots')),
    sa.ForeignKeyConstraint(['event_id'], ['flood_events.id'], name=op.f('fk_stock_movements_event_id_flood_events')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_stock_movements_household_id_households')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_stock_movements_item_id_items')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_stock_movements_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_movements'))
    )
    op.create_index(op.f('ix_stock_movements_depot_id'), 'stock_movements', ['depot_id'], unique=False)
    op.create_index(op.f('ix_stock_movements_event_id'), 'stock_movements', ['event_id'], unique=False)
    op.create_index(op.f('ix_stock_movements_household_id'), 'stock_movements', ['household_id'], unique=False)
    op.create_index(op.f('ix_stock_movements_item_id'), 'stock_movements', ['item_id'], unique=False)
    op.create_index(op.f('ix_stock_movements_task_id'), 'stock_movements', ['task_id'], unique=False)
    op.create_index(op.f('ix_stock_movements_transfer_ref'), 'stock_movements', ['transfer_ref'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_stock_movements_transfer_ref'), table_name='stock_movements')
    op.drop_index(op.f('ix_stock_movements_task_id'), table_name='stock_movements')
    op.drop_index(op.f('ix_stock_movements_item_id'), table_name='stock_movements')
    op.drop_index(op.f('ix_stock_movements_household_id'), table_name='stock_movements')
    op.drop_index(op.f('ix_stock_movements_event_id'), table_name='stock_movements')
    op.drop_index(op.f('ix_stock_movements_depot_id'), table_name='stock_movements')
    op.drop_table('stock_movements')
    op.drop_index(op.f('ix_stock_balances_item_id'), table_name='stock_balances')
    op.drop_table('stock_balances')
    op.drop_table('items')
    op.drop_index(op.f('ix_depots_admin_area_id'), table_name='depots')
    op.drop_geospatial_index('idx_depots_location', table_name='depots', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('depots')
