"""Paper rows of one organisation at one stop are one contribution: `submissions.paper_key`

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 03:40:00

An import stores one submission per paper row (one entry each); the rows of one organisation
at one stop are one contribution (feedback_app/models/contribution.py). Imported rows get their
key, computed by the application's own function so that stored and new keys cannot differ (a
change of the rule would come with a migration re-keying them), and the live screen's
contribution count (`stop_tallies`, kind 'submissions') is recounted with the rule.
"""

from alembic import op
import sqlalchemy as sa

from feedback_app.models.contribution import paper_key


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade():
    # Plain ALTER TABLE on both databases: a batch copy of `submissions` on SQLite would drop
    # the table, and with it (foreign keys on, ON DELETE CASCADE) every item and membership.
    op.add_column("submissions", sa.Column("paper_key", sa.String(length=64), nullable=True))
    op.create_index("ix_submissions_paper_key", "submissions", ["paper_key"])

    bind = op.get_bind()
    submissions = sa.table(
        "submissions",
        sa.column("id", sa.Integer),
        sa.column("stop_id", sa.Integer),
        sa.column("organisation", sa.String),
        sa.column("source", sa.String),
        sa.column("category_code", sa.String),
        sa.column("paper_key", sa.String),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                submissions.c.id,
                submissions.c.stop_id,
                submissions.c.organisation,
                submissions.c.category_code,
            )
            .where(submissions.c.source == "import", submissions.c.id > last)
            .order_by(submissions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            submissions.update()
            .where(submissions.c.id == sa.bindparam("row_id"))
            .values(paper_key=sa.bindparam("key")),
            [
                {"row_id": r.id, "key": paper_key(r.stop_id, r.organisation or "", r.category_code)}
                for r in rows
            ],
        )
        last = rows[-1].id

    op.execute("DELETE FROM stop_tallies WHERE kind = 'submissions'")
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT stop_id, 'submissions', 0, "
        "COUNT(*) - COUNT(paper_key) + COUNT(DISTINCT paper_key) FROM submissions "
        "WHERE status <> 'spam' GROUP BY stop_id"
    )


def downgrade():
    op.execute("DELETE FROM stop_tallies WHERE kind = 'submissions'")
    op.execute(
        "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
        "SELECT stop_id, 'submissions', 0, COUNT(*) FROM submissions "
        "WHERE status <> 'spam' GROUP BY stop_id"
    )
    op.drop_index("ix_submissions_paper_key", table_name="submissions")
    op.drop_column("submissions", "paper_key")  # plain ALTER TABLE, as in upgrade()
