"""Idea groups' titles and quotes per region, kept with their tallies

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 07:00:00

`idea_group_tallies` also keeps, per group and region (and per group over every region), the
French and Arabic automatic titles and the quotes a reader of that region (or HQ) sees (and
the few reviewed entries they are chosen among, which a review updates without a recount),
chosen among that region's items as the pages chose them at each request (a read of every
reviewed member of the shown groups: 1.5 s for a brief at 1,000,000 submissions). Filled here
for the groups that exist, by the rules the app keeps them with (services/ideas/tallies.py).
"""

from alembic import op
import sqlalchemy as sa

from feedback_app.services.ideas.quotes import QuoteCandidates
from feedback_app.services.ideas.text import AutomaticTitles

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idea_group_tallies") as batch:
        batch.add_column(sa.Column("title_fr", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("title_ar", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("quotes", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(
            sa.Column("quote_candidates", sa.JSON(), nullable=False, server_default="[]")
        )
    _fill(op.get_bind())


def _fill(conn):
    rows = conn.execute(
        sa.text(
            "SELECT m.group_id, s.region_id, s.organisation, s.status, i.text, m.closeness, i.id "
            "FROM idea_group_members m JOIN feedback_items i ON i.id = m.item_id "
            "JOIN submissions s ON s.id = i.submission_id "
            "WHERE s.status != 'spam' AND m.group_id IS NOT NULL "
            "ORDER BY m.group_id, m.closeness DESC, i.id"
        ).execution_options(stream_results=True, yield_per=5000)
    )
    found = {}
    for group_id, region_id, organisation, status, text, closeness, item_id in rows:
        for region in (region_id, 0):
            titles, quotes = found.get((group_id, region)) or found.setdefault(
                (group_id, region), (AutomaticTitles(), QuoteCandidates())
            )
            titles.offer(text)
            if status == "reviewed":
                quotes.offer(text, organisation, (closeness, item_id))
    table = sa.table(
        "idea_group_tallies",
        sa.column("group_id", sa.Integer),
        sa.column("region_id", sa.Integer),
        sa.column("title_fr", sa.Text),
        sa.column("title_ar", sa.Text),
        sa.column("quotes", sa.JSON),
        sa.column("quote_candidates", sa.JSON),
    )
    change = (
        table.update()
        .where(
            table.c.group_id == sa.bindparam("g"),
            table.c.region_id == sa.bindparam("r"),
        )
        .values(
            title_fr=sa.bindparam("fr"),
            title_ar=sa.bindparam("ar"),
            quotes=sa.bindparam("q", type_=sa.JSON),
            quote_candidates=sa.bindparam("k", type_=sa.JSON),
        )
    )
    values = [
        {
            "g": group_id,
            "r": region,
            "fr": titles.titles[0],
            "ar": titles.titles[1],
            "q": [[q.text, q.language] for q in quotes.quotes()],
            "k": [[text, org, closeness, item_id] for text, org, (closeness, item_id) in quotes.kept],
        }
        for (group_id, region), (titles, quotes) in sorted(found.items())
    ]
    for start in range(0, len(values), 5000):
        conn.execute(change, values[start : start + 5000])


def downgrade():
    with op.batch_alter_table("idea_group_tallies") as batch:
        batch.drop_column("quote_candidates")
        batch.drop_column("quotes")
        batch.drop_column("title_ar")
        batch.drop_column("title_fr")
