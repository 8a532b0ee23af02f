"""Delegate sign-off per stop, submissions flagged after sign-off, live screen tallies

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 16:30:00

`stop_tallies` is filled from the submissions already stored, so the live screen of a stop
that already has contributions starts from the right figures.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stop_signoffs',
    sa.Column('stop_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_stop_signoffs_region_id_regions')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_stop_signoffs_signed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['stop_id'], ['tour_stops.id'], name=op.f('fk_stop_signoffs_stop_id_tour_stops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stop_id', name=op.f('pk_stop_signoffs'))
    )
    with op.batch_alter_table('stop_signoffs', schema=None) as batch_op:
        batch_op.create_index('ix_stop_signoffs_region', ['region_id'], unique=False)

    op.create_table('stop_tallies',
    sa.Column('stop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('theme_key', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['stop_id'], ['tour_stops.id'], name=op.f('fk_stop_tallies_stop_id_tour_stops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('stop_id', 'kind', 'theme_key', name=op.f('pk_stop_tallies'))
    )

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('after_signoff', sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('live_shows_unreviewed', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT stop_id, 'submissions', 0, COUNT(*) FROM submissions GROUP BY stop_id"
    )
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT s.stop_id, i.kind, COALESCE(i.theme_id, 0), COUNT(*) "
        "FROM feedback_items i JOIN submissions s ON s.id = i.submission_id "
        "GROUP BY s.stop_id, i.kind, COALESCE(i.theme_id, 0)"
    )


def downgrade():
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_column('live_shows_unreviewed')

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('after_signoff')

    op.drop_table('stop_tallies')
    with op.batch_alter_table('stop_signoffs', schema=None) as batch_op:
        batch_op.drop_index('ix_stop_signoffs_region')

    op.drop_table('stop_signoffs')
