"""Idea groups: items that say the same thing, their curated memberships, the regrouping stamp

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:40:00

Memberships live in their own table (one row per grouped item) rather than as columns of
feedback_items: the regrouper rewrites them in bulk without touching the items, and an item
alone in its idea has no row at all unless a person pinned it alone.
"""
import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'idea_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('need', 'opportunity', 'challenge', 'proposal',
                                  name='idea_group_kind', native_enum=False,
                                  create_constraint=True), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('title_locked', sa.Boolean(), nullable=False),
        sa.Column('confirmed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_idea_groups_kind', 'idea_groups', ['kind'], unique=False)
    op.create_table(
        'idea_group_members',
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('pinned', sa.Boolean(), nullable=False),
        sa.Column('closeness', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['group_id'], ['idea_groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['feedback_items.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('item_id'),
    )
    op.create_index('ix_idea_group_members_group', 'idea_group_members',
                    ['group_id', 'closeness'], unique=False)
    state = op.create_table(
        'idea_grouping_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fingerprint', sa.String(length=120), nullable=False),
        sa.Column('ran_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('items', sa.Integer(), nullable=False),
        sa.Column('groups', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # The one state row exists from the start: regroupings lock it to run one at a time.
    op.bulk_insert(state, [{'id': 1, 'fingerprint': '', 'items': 0, 'groups': 0,
                            'ran_at': datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)}])


def downgrade():
    op.drop_table('idea_grouping_state')
    op.drop_index('ix_idea_group_members_group', table_name='idea_group_members')
    op.drop_table('idea_group_members')
    op.drop_index('ix_idea_groups_kind', table_name='idea_groups')
    op.drop_table('idea_groups')
