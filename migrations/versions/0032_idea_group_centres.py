"""Idea groups' centres per region, for the nearest groups on a group's page

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 09:45:00

`idea_group_tallies.centre` holds the sum of the sentence vectors of the group's items outside
spam in the row's region (or in every region): a group's page ranks the groups of its kind by
the cosine of these, one row per group, instead of reading every vector of the kind (4 s at
100,000 submissions for HQ). Empty until the next recount of the group (the regrouping
recounts every group); the page counts the centres of the groups without one from their
members, as before.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idea_group_tallies") as batch:
        batch.add_column(sa.Column("centre", sa.LargeBinary(), nullable=True))


def downgrade():
    with op.batch_alter_table("idea_group_tallies") as batch:
        batch.drop_column("centre")
