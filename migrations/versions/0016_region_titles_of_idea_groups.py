"""Idea groups: a delegate's title per region, a curation counter for every worker's caches

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:40:00

What a delegate writes must never be shown outside their regions, and a regrouping may bring
other regions' items into a group a delegate renamed: their title moves to
`idea_group_titles`, one row per (group, region). `idea_groups.title` with `title_locked`
keeps only HQ's national title.

Data: each locked title whose latest rename (audit trail) was a delegate's becomes a title of
that delegate's regions holding items of the group; the group's own title falls back to its
most typical item, and the regrouping stamp is cleared so the next run rewrites it properly.
A title with no known author (no audit row, author deleted) or written by HQ stays national.

`idea_grouping_state.curations` is bumped by every curation: the live screen's cache, held in
each worker's memory, keys on it.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idea_group_titles",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["group_id"], ["idea_groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("group_id", "region_id"),
    )
    with op.batch_alter_table("idea_grouping_state", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("curations", sa.Integer(), nullable=False, server_default="0")
        )
    _move_delegate_titles(op.get_bind())


def _move_delegate_titles(conn):
    locked = conn.execute(
        sa.text("SELECT id, title FROM idea_groups WHERE title_locked = :yes"), {"yes": True}
    ).all()
    moved = False
    for group_id, title in locked:
        author = conn.execute(
            sa.text(
                "SELECT u.id, u.role FROM audit_events a JOIN users u ON u.id = a.user_id "
                "WHERE a.action = 'idea_group.rename' AND a.target_type = 'idea_group' "
                "AND a.target_id = :group ORDER BY a.created_at DESC, a.id DESC"
            ),
            {"group": group_id},
        ).first()
        if author is None or author.role != "delegate":
            continue
        regions = (
            conn.execute(
                sa.text(
                    "SELECT DISTINCT s.region_id FROM idea_group_members m "
                    "JOIN feedback_items i ON i.id = m.item_id "
                    "JOIN submissions s ON s.id = i.submission_id "
                    "JOIN user_regions ur ON ur.region_id = s.region_id AND ur.user_id = :user "
                    "WHERE m.group_id = :group"
                ),
                {"user": author.id, "group": group_id},
            )
            .scalars()
            .all()
        )
        for region_id in regions:
            conn.execute(
                sa.text(
                    "INSERT INTO idea_group_titles (group_id, region_id, title, updated_at) "
                    "VALUES (:group, :region, :title, CURRENT_TIMESTAMP)"
                ),
                {"group": group_id, "region": region_id, "title": title},
            )
        typical = conn.execute(
            sa.text(
                "SELECT i.text FROM idea_group_members m "
                "JOIN feedback_items i ON i.id = m.item_id WHERE m.group_id = :group "
                "ORDER BY m.closeness DESC, i.id"
            ),
            {"group": group_id},
        ).scalar()
        conn.execute(
            sa.text("UPDATE idea_groups SET title = :title, title_locked = :no WHERE id = :group"),
            {"title": (typical or "")[:200], "no": False, "group": group_id},
        )
        moved = True
    if moved:
        conn.execute(sa.text("UPDATE idea_grouping_state SET fingerprint = ''"))


def downgrade():
    # A delegate's titles are dropped, not made national: they would show in other regions.
    with op.batch_alter_table("idea_grouping_state", schema=None) as batch_op:
        batch_op.drop_column("curations")
    op.drop_table("idea_group_titles")
