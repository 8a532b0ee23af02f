"""Sentence vectors of items, computed once for the grouping by meaning

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 03:30:00

One row per item (services/ideas/vectors.py): the multilingual encoder's vector, float16, kept so
that a regrouping never encodes an item twice. Filled by the regrouping task for the items that
lack one (nothing to backfill here: the first regrouping after the upgrade encodes them).
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "idea_item_vectors",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("encoder", sa.String(length=40), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["feedback_items.id"],
            name=op.f("fk_idea_item_vectors_item_id_feedback_items"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_idea_item_vectors")),
    )


def downgrade():
    op.drop_table("idea_item_vectors")
