"""Commitments, their milestones, status changes and mail notices; longer receipt references

Revision ID: 0015
Revises: 0014_job_failure
Create Date: 2026-12-07 00:26:50

A receipt reference opens the public follow-up page (/suivi/ref/<reference>), so it must not be
guessable: its random part grows from 8 to 12 characters of a 31-letter alphabet (39.6 to 59.5
bits; services/codes.py). The column widens to hold them; references already handed out stay
valid.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014_job_failure'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('commitment_mail_days',
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('person', 'day', name=op.f('pk_commitment_mail_days'))
    )
    op.create_table('commitment_unsubscribed',
    sa.Column('person', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person', name=op.f('pk_commitment_unsubscribed'))
    )
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=False),
    sa.Column('title_ar', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('description_fr', sa.Text(), nullable=False),
    sa.Column('description_ar', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='commitment_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_commitments_created_by_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['commitments.id'], name=op.f('fk_commitments_parent_id_commitments'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments'))
    )
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.create_index('ix_commitments_parent', ['parent_id'], unique=False)

    op.create_table('commitment_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'in_progress', 'done', 'dropped', name='commitment_change_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('progress', sa.SmallInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_commitment_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_changes_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_changes'))
    )
    with op.batch_alter_table('commitment_changes', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_changes_commitment', ['commitment_id', 'id'], unique=False)

    op.create_table('commitment_groups',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_groups_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['idea_groups.id'], name=op.f('fk_commitment_groups_group_id_idea_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', 'group_id', name=op.f('pk_commitment_groups'))
    )
    with op.batch_alter_table('commitment_groups', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_groups_group', ['group_id'], unique=False)

    op.create_table('commitment_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('due', sa.Date(), nullable=False),
    sa.Column('label_fr', sa.String(length=200), nullable=False),
    sa.Column('label_ar', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=True),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_milestones_commitment_id_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_milestones'))
    )
    op.create_table('commitment_regions',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_regions_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_commitment_regions_region_id_regions')),
    sa.PrimaryKeyConstraint('commitment_id', 'region_id', name=op.f('pk_commitment_regions'))
    )
    with op.batch_alter_table('commitment_regions', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_regions_region', ['region_id'], unique=False)

    op.create_table('commitment_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('change_id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('person', sa.String(length=64), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'capped', 'dropped', name='commitment_notice_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['change_id'], ['commitment_changes.id'], name=op.f('fk_commitment_notices_change_id_commitment_changes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['submissions.id'], name=op.f('fk_commitment_notices_submission_id_submissions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitment_notices')),
    sa.UniqueConstraint('change_id', 'submission_id', name='uq_commitment_notices_change_submission')
    )
    with op.batch_alter_table('commitment_notices', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_notices_submission', ['submission_id'], unique=False)

    op.create_table('commitment_items',
    sa.Column('commitment_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commitment_id'], ['commitments.id'], name=op.f('fk_commitment_items_commitment_id_commitments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['feedback_items.id'], name=op.f('fk_commitment_items_item_id_feedback_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commitment_id', 'item_id', name=op.f('pk_commitment_items'))
    )
    with op.batch_alter_table('commitment_items', schema=None) as batch_op:
        batch_op.create_index('ix_commitment_items_item', ['item_id'], unique=False)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.alter_column('reference', existing_type=sa.VARCHAR(length=16),
                              type_=sa.String(length=24), existing_nullable=False)



def downgrade():
    # Longer references may exist by now: the column keeps its width.

    with op.batch_alter_table('commitment_items', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_items_item')

    op.drop_table('commitment_items')
    with op.batch_alter_table('commitment_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_notices_submission')

    op.drop_table('commitment_notices')
    with op.batch_alter_table('commitment_regions', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_regions_region')

    op.drop_table('commitment_regions')
    op.drop_table('commitment_milestones')
    with op.batch_alter_table('commitment_groups', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_groups_group')

    op.drop_table('commitment_groups')
    with op.batch_alter_table('commitment_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_commitment_changes_commitment')

    op.drop_table('commitment_changes')
    with op.batch_alter_table('commitments', schema=None) as batch_op:
        batch_op.drop_index('ix_commitments_parent')

    op.drop_table('commitments')
    op.drop_table('commitment_unsubscribed')
    op.drop_table('commitment_mail_days')
