"""Counts for the pages at national scale: idea groups per region, stops by category, shortlist

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 03:45:00

`idea_group_tallies` holds, per group and region (and per group over every region, region 0),
the items outside spam, their distinct organisations, their regions and the most typical item:
the dashboard, the ideas page and the briefs read these rows instead of aggregating every
membership at each request (40 s at 200,000 submissions). The regrouping and the curations
keep them (services/ideas/tallies.py); here they are counted once for the groups that exist,
organisations compared by the folded organisation stored as the first line of
`submissions.search_text` (services' `fold`).

`stop_tallies` also counts, per stop, the submissions of each category (kind
`category:<code>`) and the shortlisted items of each kind (kind `shortlisted:<kind>`), so
that the dashboard and the briefs read their all-time figures from it; `kind` grows to 64 characters for the codes.

`ix_submissions_updated`: the idea groups' staleness check reads the latest review from it
(a scan of every submission took a second at 1,000,000).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

KINDS = ("need", "opportunity", "challenge", "proposal")


def upgrade():
    op.create_table(
        "idea_group_tallies",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                *KINDS, name="idea_group_tally_kind", native_enum=False, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("regions", sa.Integer(), nullable=False),
        sa.Column("typical_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["idea_groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["typical_item_id"], ["feedback_items.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("group_id", "region_id"),
    )
    op.create_index(
        "ix_idea_group_tallies_rank",
        "idea_group_tallies",
        ["region_id", "kind", "organisations", "items", "regions"],
    )
    _fill(op.get_bind())
    op.create_index("ix_submissions_updated", "submissions", ["updated_at"])
    with op.batch_alter_table("stop_tallies", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=16), type_=sa.String(length=64)
        )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
            "SELECT stop_id, 'category:' || category_code, 0, "
            # contributions (models/contribution.py): paper rows of one organisation once
            "count(*) - count(paper_key) + count(DISTINCT paper_key) FROM submissions "
            "WHERE status != 'spam' GROUP BY stop_id, category_code"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO stop_tallies (stop_id, kind, theme_key, count) "
            "SELECT s.stop_id, 'shortlisted:' || i.kind, 0, count(*) FROM feedback_items i "
            "JOIN submissions s ON s.id = i.submission_id "
            "WHERE s.status != 'spam' AND i.shortlisted = :yes GROUP BY s.stop_id, i.kind"
        ),
        {"yes": True},
    )


def _fill(conn):
    rows = conn.execute(
        sa.text(
            "SELECT m.group_id, g.kind, s.region_id, s.search_text, m.item_id, m.closeness "
            "FROM idea_group_members m JOIN idea_groups g ON g.id = m.group_id "
            "JOIN feedback_items i ON i.id = m.item_id "
            "JOIN submissions s ON s.id = i.submission_id "
            "WHERE s.status != 'spam'"
        )
    )
    counts = {}
    for group_id, kind, region_id, search_text, item_id, closeness in rows:
        organisation = (search_text or "").split("\n", 1)[0]
        for region in (region_id, 0):
            row = counts.setdefault((group_id, region), [kind, 0, set(), set(), None])
            row[1] += 1
            row[2].add(organisation)
            row[3].add(region_id)
            candidate = (closeness or 0.0, -item_id)
            if row[4] is None or candidate > row[4]:
                row[4] = candidate
    table = sa.table(
        "idea_group_tallies",
        *(
            sa.column(name)
            for name in (
                "group_id",
                "region_id",
                "kind",
                "items",
                "organisations",
                "regions",
                "typical_item_id",
            )
        ),
    )
    values = [
        {
            "group_id": group_id,
            "region_id": region,
            "kind": kind,
            "items": items,
            "organisations": len(organisations),
            "regions": len(regions),
            "typical_item_id": -typical[1],
        }
        for (group_id, region), (kind, items, organisations, regions, typical) in sorted(
            counts.items()
        )
    ]
    for start in range(0, len(values), 5000):
        conn.execute(table.insert(), values[start : start + 5000])


def downgrade():
    op.drop_index("ix_submissions_updated", table_name="submissions")
    op.execute(
        "DELETE FROM stop_tallies WHERE kind LIKE 'shortlisted:%' OR kind LIKE 'category:%'"
    )
    with op.batch_alter_table("stop_tallies", schema=None) as batch_op:
        batch_op.alter_column(
            "kind", existing_type=sa.String(length=64), type_=sa.String(length=16)
        )
    op.drop_index("ix_idea_group_tallies_rank", table_name="idea_group_tallies")
    op.drop_table("idea_group_tallies")
