"""Submissions: (stop, folded organisation) index for the intake's duplicate check

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 07:00:00

An intake preview (and its confirmation) looks for the file's rows already stored at the stop.
It read every row of the stop, with its items: the preview of 5,000 rows took 9.5 to 31 s at
1,000,000 submissions, its CPU growing with the stop (README "Scaling out"). A row's fingerprint holds its organisation folded, so
only the stop's rows of the file's organisations can match: this index finds them by the
first line of `search_text` (the organisation as models/search.py folds it), which every
submission already has. PostgreSQL only: an expression index; SQLite databases are small.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        "ix_submissions_stop_organisation",
        "submissions",
        ["stop_id", sa.text("split_part(search_text, E'\\n', 1)")],
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_submissions_stop_organisation", table_name="submissions")
