"""Review list at national scale: keyset indexes per region and stop, item filters from an index

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 07:10:00

The review list reads a scope's submissions newest first on (created_at, id)
(services/review/queries.py). A delegate's list read the all-regions index and threw away the
other regions' rows (six in seven for the largest region): `(region_id, created_at, id)` and
`(stop_id, created_at, id)` give the region's and the stop's rows in the list's own order. They
replace their `(region_id, created_at)` and `(stop_id, created_at)` prefixes.

An item filter (kind, theme, "retenu") asks, for each listed submission, whether one of its
items meets it: with the items' kind, theme and shortlist flag in `ix_feedback_items_submission`
(INCLUDE, PostgreSQL) that answer comes from the index alone.

A stop belongs to one region, but the planner took "this region and this stop" for two
independent conditions (the stop's rows over seven in the largest region: 196 rows expected of
1,391) and sorted every row of the stop; the dependency statistics tell it.

"Shortlisted proposals about training", rare, read the whole shortlisted index (kind and theme
came after the submission in it), so the planner preferred walking 52,000 submissions in keyset
order (159 ms); the shortlisted items by (kind, theme) make the items-first path a range read
(24-45 ms, the count 35 → 10 ms).

The search's LIKE patterns are estimated from the column's statistics: 1,000 sampled values
instead of 100 let the planner tell a word in one submission in 1,000 from a common one.
Measured on a copy of the 1,000,000-submission database: see README "Scaling out".
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_submissions_region_created_id", "submissions", ["region_id", "created_at", "id"]
    )
    op.drop_index("ix_submissions_region_created", table_name="submissions")
    op.create_index(
        "ix_submissions_stop_created_id", "submissions", ["stop_id", "created_at", "id"]
    )
    op.drop_index("ix_submissions_stop_created", table_name="submissions")
    op.create_index(
        "ix_feedback_items_submission_filters",
        "feedback_items",
        ["submission_id", "position"],
        postgresql_include=["kind", "theme_id", "shortlisted"],
    )
    op.drop_index("ix_feedback_items_submission", table_name="feedback_items")
    op.create_index(
        "ix_feedback_items_shortlisted_kind_theme",
        "feedback_items",
        ["kind", "theme_id", "submission_id"],
        sqlite_where=sa.text("shortlisted = 1"),
        postgresql_where=sa.text("shortlisted"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE submissions ALTER COLUMN search_text SET STATISTICS 1000")
        op.execute(
            "CREATE STATISTICS st_submissions_stop_region (dependencies) "
            "ON stop_id, region_id FROM submissions"
        )
        op.execute("ANALYZE submissions")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP STATISTICS st_submissions_stop_region")
        op.execute("ALTER TABLE submissions ALTER COLUMN search_text SET STATISTICS -1")
    op.drop_index("ix_feedback_items_shortlisted_kind_theme", table_name="feedback_items")
    op.create_index("ix_feedback_items_submission", "feedback_items", ["submission_id", "position"])
    op.drop_index("ix_feedback_items_submission_filters", table_name="feedback_items")
    op.create_index("ix_submissions_stop_created", "submissions", ["stop_id", "created_at"])
    op.drop_index("ix_submissions_stop_created_id", table_name="submissions")
    op.create_index("ix_submissions_region_created", "submissions", ["region_id", "created_at"])
    op.drop_index("ix_submissions_region_created_id", table_name="submissions")
