"""foundation: areas, events, households, needs, volunteers, tasks, accounts, audit

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 06:25:46.846958

The first schema, the same on PostGIS and SpatiaLite (GeoAlchemy2 creates the geometry
columns and spatial indexes the way each database wants them).
"""
from alembic import op
import geoalchemy2
import sqlalchemy as sa
from geoalchemy2 import Geometry

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table('admin_areas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('boundary', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('centroid', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['admin_areas.id'], name=op.f('fk_admin_areas_parent_id_admin_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_areas')),
    sa.UniqueConstraint('code', name=op.f('uq_admin_areas_code'))
    )
    op.create_geospatial_index('idx_admin_areas_boundary', 'admin_areas', ['boundary'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_geospatial_index('idx_admin_areas_centroid', 'admin_areas', ['centroid'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_admin_areas_level'), 'admin_areas', ['level'], unique=False)
    op.create_index(op.f('ix_admin_areas_parent_id'), 'admin_areas', ['parent_id'], unique=False)
    op.create_table('audit_entries',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('entity_type', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries'))
    )
    op.create_index(op.f('ix_audit_entries_action'), 'audit_entries', ['action'], unique=False)
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")
    op.create_geospatial_table('flood_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('affected_area', Geometry(geometry_type='MULTIPOLYGON', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('offer_timeout_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'closed')", name=op.f('ck_flood_events_status')),
    sa.CheckConstraint('offer_timeout_minutes BETWEEN 1 AND 1440', name=op.f('ck_flood_events_offer_timeout')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flood_events'))
    )
    op.create_geospatial_index('idx_flood_events_affected_area', 'flood_events', ['affected_area'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_geospatial_table('volunteer_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('leader', sa.String(length=200), nullable=False),
    sa.Column('base_location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_volunteer_groups_name'))
    )
    op.create_geospatial_index('idx_volunteer_groups_base_location', 'volunteer_groups', ['base_location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_tokens_digest'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table('event_admin_areas',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('admin_area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['admin_area_id'], ['admin_areas.id'], name=op.f('fk_event_admin_areas_admin_area_id_admin_areas')),
    sa.ForeignKeyConstraint(['event_id'], ['flood_events.id'], name=op.f('fk_event_admin_areas_event_id_flood_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'admin_area_id', name=op.f('pk_event_admin_areas'))
    )
    op.create_geospatial_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=False),
    sa.Column('kk_number', sa.Text(), nullable=True),
    sa.Column('nik', sa.Text(), nullable=True),
    sa.Column('nik_digest', sa.String(length=64), nullable=True),
    sa.Column('phone', sa.Text(), nullable=True),
    sa.Column('address', sa.String(length=500), nullable=False),
    sa.Column('landmark', sa.String(length=300), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('admin_area_id', sa.Integer(), nullable=True),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('elderly', sa.Integer(), nullable=False),
    sa.Column('children_under5', sa.Integer(), nullable=False),
    sa.Column('pregnant_or_lactating', sa.Integer(), nullable=False),
    sa.Column('disabled', sa.Integer(), nullable=False),
    sa.Column('chronically_ill', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('children_under5 >= 0', name=op.f('ck_households_children_under5_not_negative')),
    sa.CheckConstraint('chronically_ill >= 0', name=op.f('ck_households_chronically_ill_not_negative')),
    sa.CheckConstraint('disabled >= 0', name=op.f('ck_households_disabled_not_negative')),
    sa.CheckConstraint('elderly >= 0', name=op.f('ck_households_elderly_not_negative')),
    sa.CheckConstraint('members >= 1', name=op.f('ck_households_members_positive')),
    sa.CheckConstraint('pregnant_or_lactating >= 0', name=op.f('ck_households_pregnant_or_lactating_not_negative')),
    sa.ForeignKeyConstraint(['admin_area_id'], ['admin_areas.id'], name=op.f('fk_households_admin_area_id_admin_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    op.create_geospatial_index('idx_households_location', 'households', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_households_admin_area_id'), 'households', ['admin_area_id'], unique=False)
    op.create_index(op.f('ix_households_nik_digest'), 'households', ['nik_digest'], unique=False)
    op.create_geospatial_table('volunteers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('trainings', sa.JSON(), nullable=False),
    sa.Column('location', Geometry(geometry_type='POINT', srid=4326, dimension=2, spatial_index=False, from_text='ST_GeomFromEWKT', name='geometry', nullable=False), nullable=False),
    sa.Column('availability', sa.String(length=20), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('sms_opt_out', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("availability IN ('available', 'busy', 'off')", name=op.f('ck_volunteers_availability')),
    sa.CheckConstraint('capacity BETWEEN 0 AND 50', name=op.f('ck_volunteers_capacity_range')),
    sa.ForeignKeyConstraint(['group_id'], ['volunteer_groups.id'], name=op.f('fk_volunteers_group_id_volunteer_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteers')),
    sa.UniqueConstraint('phone', name=op.f('uq_volunteers_phone'))
    )
    op.create_geospatial_index('idx_volunteers_location', 'volunteers', ['location'], unique=False, postgresql_using='gist', postgresql_ops={})
    op.create_index(op.f('ix_volunteers_availability'), 'volunteers', ['availability'], unique=False)
    op.create_index(op.f('ix_volunteers_group_id'), 'volunteers', ['group_id'], unique=False)
    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('derived_priority', sa.Integer(), nullable=False),
    sa.Column('priority_overridden', sa.Boolean(), nullable=False),
    sa.Column('priority_reason', sa.String(length=500), nullable=False),
    sa.Column('notes', sa.String(length=2000), nullable=False),
    sa.Column('reporter', sa.String(length=200), nullable=False),
    sa.Column('reported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'assigned', 'in_progress', 'done', 'cancelled')", name=op.f('ck_needs_status')),
    sa.CheckConstraint('priority BETWEEN 1 AND 5', name=op.f('ck_needs_priority_range')),
    sa.ForeignKeyConstraint(['event_id'], ['flood_events.id'], name=op.f('fk_needs_event_id_flood_events')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_needs_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs'))
    )
    op.create_index(op.f('ix_needs_event_id'), 'needs', ['event_id'], unique=False)
    op.create_index(op.f('ix_needs_household_id'), 'needs', ['household_id'], unique=False)
    op.create_index(op.f('ix_needs_status'), 'needs', ['status'], unique=False)
    op.create_index('uq_needs_live_category', 'needs', ['event_id', 'household_id', 'category'], unique=True, sqlite_where=sa.text("status IN ('open', 'assigned', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'assigned', 'in_progress')"))
    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('distance_m', sa.Float(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('proposed', 'offered', 'accepted', 'declined', 'expired', 'done', 'cancelled', 'failed')", name=op.f('ck_tasks_status')),
    sa.ForeignKeyConstraint(['event_id'], ['flood_events.id'], name=op.f('fk_tasks_event_id_flood_events')),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_tasks_need_id_needs')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'], name=op.f('fk_tasks_volunteer_id_volunteers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tasks')),
    )
    op.create_index(op.f('ix_tasks_event_id'), 'tasks', ['event_id'], unique=False)
    op.create_index(op.f('ix_tasks_need_id'), 'tasks', ['need_id'], unique=False)
    op.create_index(op.f('ix_tasks_status'), 'tasks', ['status'], unique=False)
    op.create_index(op.f('ix_tasks_volunteer_id'), 'tasks', ['volunteer_id'], unique=False)
    op.create_index('uq_tasks_live_need', 'tasks', ['need_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'offered', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'offered', 'accepted')"))


def downgrade():
    op.drop_index('uq_tasks_live_need', table_name='tasks', sqlite_where=sa.text("status IN ('proposed', 'offered', 'accepted')"), postgresql_where=sa.text("status IN ('proposed', 'offered', 'accepted')"))
    op.drop_index(op.f('ix_tasks_volunteer_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_status'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_need_id'), table_name='tasks')
    op.drop_index(op.f('ix_tasks_event_id'), table_name='tasks')
    op.drop_table('tasks')
    op.drop_index('uq_needs_live_category', table_name='needs', sqlite_where=sa.text("status IN ('open', 'assigned', 'in_progress')"), postgresql_where=sa.text("status IN ('open', 'assigned', 'in_progress')"))
    op.drop_index(op.f('ix_needs_status'), table_name='needs')
    op.drop_index(op.f('ix_needs_household_id'), table_name='needs')
    op.drop_index(op.f('ix_needs_event_id'), table_name='needs')
    op.drop_table('needs')
    op.drop_index(op.f('ix_volunteers_group_id'), table_name='volunteers')
    op.drop_index(op.f('ix_volunteers_availability'), table_name='volunteers')
    op.drop_geospatial_index('idx_volunteers_location', table_name='volunteers', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('volunteers')
    op.drop_index(op.f('ix_households_nik_digest'), table_name='households')
    op.drop_index(op.f('ix_households_admin_area_id'), table_name='households')
    op.drop_geospatial_index('idx_households_location', table_name='households', postgresql_using='gist', column_name='location')
    op.drop_geospatial_table('households')
    op.drop_table('event_admin_areas')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_geospatial_index('idx_volunteer_groups_base_location', table_name='volunteer_groups', postgresql_using='gist', column_name='base_location')
    op.drop_geospatial_table('volunteer_groups')
    op.drop_table('users')
    op.drop_geospatial_index('idx_flood_events_affected_area', table_name='flood_events', postgresql_using='gist', column_name='affected_area')
    op.drop_geospatial_table('flood_events')
    op.drop_table('audit_head')
    op.drop_index(op.f('ix_audit_entries_action'), table_name='audit_entries')
    op.drop_table('audit_entries')
    op.drop_index(op.f('ix_admin_areas_parent_id'), table_name='admin_areas')
    op.drop_index(op.f('ix_admin_areas_level'), table_name='admin_areas')
    op.drop_geospatial_index('idx_admin_areas_centroid', table_name='admin_areas', postgresql_using='gist', column_name='centroid')
    op.drop_geospatial_index('idx_admin_areas_boundary', table_name='admin_areas', postgresql_using='gist', column_name='boundary')
    op.drop_geospatial_table('admin_areas')
