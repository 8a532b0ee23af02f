"""Live screen tallies recounted from the rows: spam left out, imported rows counted

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 00:45:00

The counts now mean what the dashboard counts (services/capture/tally.py): submissions that are
not spam and their items. Until now spam stayed counted and imports were never counted, so
every stop's counts are rewritten from the rows. No schema change.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM stop_tallies")
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT stop_id, 'submissions', 0, COUNT(*) FROM submissions "
        "WHERE status <> 'spam' GROUP BY stop_id"
    )
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT s.stop_id, i.kind, COALESCE(i.theme_id, 0), COUNT(*) "
        "FROM feedback_items i JOIN submissions s ON s.id = i.submission_id "
        "WHERE s.status <> 'spam' "
        "GROUP BY s.stop_id, i.kind, COALESCE(i.theme_id, 0)"
    )


def downgrade():
    pass  # the recounted figures are right under the previous revision too
