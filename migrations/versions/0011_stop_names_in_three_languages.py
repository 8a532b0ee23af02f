"""Stops: city and venue in Arabic and English too

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-01 16:20:00

The French `city` and `venue` stay as they are; the Arabic and English ones are optional and
fall back to the French (marked as such in staff screens) until HQ fills them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('city_ar', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('city_en', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('venue_ar', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('venue_en', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_column('venue_en')
        batch_op.drop_column('venue_ar')
        batch_op.drop_column('city_en')
        batch_op.drop_column('city_ar')
