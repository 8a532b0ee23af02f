"""Exports: built workbooks and background jobs in the database, shared by every host

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 16:21:16

A workbook (bytes, regions covered, filters, language, contact columns, owner, expiry) is
written once per request key and data fingerprint; a job is the request being built.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('export_artifacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('region_ids', sa.JSON(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('has_contacts', sa.Boolean(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_export_artifacts_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_artifacts'))
    )
    with op.batch_alter_table('export_artifacts', schema=None) as batch_op:
        batch_op.create_index('ix_export_artifacts_expires', ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_artifacts_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_export_artifacts_request', ['request_key', 'fingerprint'], unique=True)

    op.create_table('export_jobs',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('generated_by', sa.String(length=400), nullable=False),
    sa.Column('tz', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='export_job_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('artifact_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['artifact_id'], ['export_artifacts.id'], name=op.f('fk_export_jobs_artifact_id_export_artifacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_export_jobs_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs'))
    )
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.create_index('ix_export_jobs_owner_state', ['owner_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_export_jobs_request_key'), ['request_key'], unique=False)
        batch_op.create_index('ix_export_jobs_state_created', ['state', 'created_at'], unique=False)



def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_export_jobs_state_created')
        batch_op.drop_index(batch_op.f('ix_export_jobs_request_key'))
        batch_op.drop_index('ix_export_jobs_owner_state')

    op.drop_table('export_jobs')
    with op.batch_alter_table('export_artifacts', schema=None) as batch_op:
        batch_op.drop_index('ix_export_artifacts_request')
        batch_op.drop_index(batch_op.f('ix_export_artifacts_owner_id'))
        batch_op.drop_index('ix_export_artifacts_expires')

    op.drop_table('export_artifacts')
