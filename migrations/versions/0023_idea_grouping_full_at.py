"""Idea grouping state: when the last full regrouping ran

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 04:55:00

Between two full regroupings (at most one per REGROUP_FULL_INTERVAL_SECONDS) the background task
only places new items in the existing groups; `full_at` tells it when the last full one ran,
and that one is owed when a placement ran since (`ran_at` later than `full_at`). Empty on an
existing database: the first run is a full regrouping.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idea_grouping_state") as batch:
        batch.add_column(sa.Column("full_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("idea_grouping_state") as batch:
        batch.drop_column("full_at")
