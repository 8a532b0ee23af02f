"""Submissions: (folded organisation, region) index for following spam in the idea tallies

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 08:00:00

Marking a submission spam (or taking it back) recounted every member of its idea groups: 12.6
to 16.2 s at 1,000,000 submissions (README "Scaling out"). The tallies now move by difference
(services/ideas/tallies.py `spam_changed`); their one question that needs other rows is
whether another member of the group, in the region or anywhere, comes from the same
organisation (compared folded). This index finds an organisation's submissions, in a region or
in all, by the first line of `search_text` (the organisation as models/search.py folds it).
PostgreSQL only: an expression index; SQLite databases are small.

The titles, the typical item and the quote candidates are read again only from a group's most
central members, most central first, ties by item id. The members' index held (group,
closeness): a group whose first members share one closeness (170,000 entries at a million
submissions, 35,000 at its top closeness) was sorted past its ties to find its first twenty
(0.4 to 0.8 s). It now holds (group, closeness descending, item), the readers' very order.
"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_idea_group_members_central",
        "idea_group_members",
        ["group_id", sa.text("closeness DESC"), "item_id"],
    )
    op.drop_index("ix_idea_group_members_group", table_name="idea_group_members")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        "ix_submissions_organisation_region",
        "submissions",
        [sa.text("split_part(search_text, E'\\n', 1)"), "region_id"],
    )


def downgrade():
    op.create_index(
        "ix_idea_group_members_group", "idea_group_members", ["group_id", "closeness"]
    )
    op.drop_index("ix_idea_group_members_central", table_name="idea_group_members")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_submissions_organisation_region", table_name="submissions")
