"""Stops' running counts by review status: held contributions, still new, reviewed by kind

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 07:00:00

`stop_tallies` gains, per stop (models/tally.py): the contributions it holds whatever their
status ("held"), the submissions still new ("status:new"), the reviewed contributions
("reviewed") and the reviewed items by kind ("reviewed:<kind>"), so that the stops list, the
review desk's counts, the sign-off and the public follow-up page read them instead of counting
every submission. Backfilled from the rows by two INSERT ... SELECT ... GROUP BY: one pass over
the submissions (contributions by the paper rule of models/contribution.py: rows without a key
plus distinct keys), one over the reviewed submissions' items.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_NEW_KINDS = "kind IN ('held', 'status:new', 'reviewed') OR kind LIKE 'reviewed:%'"


def upgrade():
    op.execute(f"DELETE FROM stop_tallies WHERE {_NEW_KINDS}")
    # One scan of the submissions for the three per-stop figures.
    op.execute(
        "WITH per_stop AS ("
        " SELECT stop_id,"
        "  COUNT(*) - COUNT(paper_key) + COUNT(DISTINCT paper_key) AS held,"
        "  COUNT(CASE WHEN status = 'new' THEN 1 END) AS still_new,"
        "  COUNT(CASE WHEN status = 'reviewed' AND paper_key IS NULL THEN 1 END)"
        "  + COUNT(DISTINCT CASE WHEN status = 'reviewed' THEN paper_key END) AS reviewed"
        " FROM submissions GROUP BY stop_id"
        ") "
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT stop_id, 'held', 0, held FROM per_stop WHERE held > 0 "
        "UNION ALL SELECT stop_id, 'status:new', 0, still_new FROM per_stop WHERE still_new > 0 "
        "UNION ALL SELECT stop_id, 'reviewed', 0, reviewed FROM per_stop WHERE reviewed > 0"
    )
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT s.stop_id, 'reviewed:' || i.kind, 0, COUNT(*) "
        "FROM feedback_items i JOIN submissions s ON s.id = i.submission_id "
        "WHERE s.status = 'reviewed' "
        "GROUP BY s.stop_id, i.kind"
    )


def downgrade():
    op.execute(f"DELETE FROM stop_tallies WHERE {_NEW_KINDS}")
