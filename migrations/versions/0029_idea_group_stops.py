"""Idea groups' items per stop, for the signed stops they draw on

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 08:15:00

`idea_group_stops` holds, per group and stop, the group's items outside spam said there: which
groups draw on a signed-off stop (the ideas pages disable their decisions) is read from it for
the few signed stops, instead of from every item of those stops (1.1 s for two signed stops at
1,000,000 submissions) or of the groups shown (5 s, and an IN list past PostgreSQL's 65,535
parameters: the largest region's delegate got a 503). The regrouping and the curations keep
it with the tallies (services/ideas/tallies.py); here it is counted once for the groups that
exist.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idea_group_stops",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["idea_groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["stop_id"], ["tour_stops.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "stop_id"),
    )
    op.create_index("ix_idea_group_stops_stop", "idea_group_stops", ["stop_id", "group_id"])
    op.get_bind().execute(
        sa.text(
            "INSERT INTO idea_group_stops (group_id, stop_id, items) "
            "SELECT m.group_id, s.stop_id, count(*) FROM idea_group_members m "
            "JOIN idea_groups g ON g.id = m.group_id "
            "JOIN feedback_items i ON i.id = m.item_id "
            "JOIN submissions s ON s.id = i.submission_id "
            "WHERE s.status != 'spam' GROUP BY m.group_id, s.stop_id"
        )
    )


def downgrade():
    op.drop_index("ix_idea_group_stops_stop", table_name="idea_group_stops")
    op.drop_table("idea_group_stops")
