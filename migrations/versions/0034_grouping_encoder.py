"""The grouping state names the sentence encoder its groups were computed with

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-07 15:30:00

`idea_grouping_state.encoder`: a release that renames the encoder (services/ideas/vectors.py)
made every stored vector stale, yet nothing said the groups were: on a quiet tour no full
regrouping came to encode the items again, a group's page counted its nearest groups from
members that had no vector of the new name (1.7-2.0 s at 1,000,000 submissions, for nothing),
and a placement compared new vectors with centres of the old ones. Filled here with the
encoder of the oldest and of the newest stored vector when they agree (two reads of the
primary key, whatever the tour); when they do not, or when no vector is stored, it stays
empty and the next regrouping is a full one.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idea_grouping_state") as batch:
        batch.add_column(sa.Column("encoder", sa.String(length=40), nullable=True))
    conn = op.get_bind()
    ends = [
        conn.execute(
            sa.text(f"SELECT encoder FROM idea_item_vectors ORDER BY item_id {order} LIMIT 1")
        ).scalar()
        for order in ("ASC", "DESC")
    ]
    if ends[0] is not None and ends[0] == ends[1]:
        conn.execute(
            sa.text("UPDATE idea_grouping_state SET encoder = :encoder WHERE full_at IS NOT NULL"),
            {"encoder": ends[0]},
        )


def downgrade():
    with op.batch_alter_table("idea_grouping_state") as batch:
        batch.drop_column("encoder")
