"""Paper and spreadsheet intake: import batches, provenance and row fingerprints

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 16:30:00

A submission now says where it came from: `tablet` joins `form`, `api` and `import`, and an
imported one links to its import batch (file name, who imported it). The fingerprint of an
imported row is unique, so the same row brought again by any file is stored once.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_OLD_SOURCES = sa.Enum('form', 'api', 'import', name='submission_source', native_enum=False,
                       create_constraint=True, length=6)
_NEW_SOURCES = sa.Enum('form', 'api', 'tablet', 'import', name='submission_source',
                       native_enum=False, create_constraint=True, length=6)


def upgrade():
    op.create_table(
        'import_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('stop_id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('status', sa.Enum('pending', 'committed', name='import_status',
                                    native_enum=False, create_constraint=True, length=9),
                  nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('stored_count', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'],
                                name=op.f('fk_import_batches_region_id_regions')),
        sa.ForeignKeyConstraint(['stop_id'], ['tour_stops.id'],
                                name=op.f('fk_import_batches_stop_id_tour_stops')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_import_batches_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index('ix_import_batches_stop_sha256', ['stop_id', 'file_sha256'],
                              unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_batch_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('fingerprint', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_submissions_import_batch_id_import_batches'), 'import_batches',
            ['import_batch_id'], ['id'])
        batch_op.alter_column('source', existing_type=_OLD_SOURCES, type_=_NEW_SOURCES,
                              existing_nullable=False)
        batch_op.create_index(
            'ix_submissions_import_fingerprint', ['fingerprint'], unique=True,
            sqlite_where=sa.text('fingerprint IS NOT NULL'),
            postgresql_where=sa.text('fingerprint IS NOT NULL'))


def downgrade():
    op.execute("UPDATE submissions SET source = 'form' WHERE source = 'tablet'")
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index('ix_submissions_import_fingerprint')
        batch_op.alter_column('source', existing_type=_NEW_SOURCES, type_=_OLD_SOURCES,
                              existing_nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_submissions_import_batch_id_import_batches'),
                                 type_='foreignkey')
        batch_op.drop_column('fingerprint')
        batch_op.drop_column('import_batch_id')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batches_stop_sha256')
    op.drop_table('import_batches')
