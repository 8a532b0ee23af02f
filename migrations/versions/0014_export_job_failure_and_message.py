"""Export jobs: why a job failed, and the broker message that carries it

Revision ID: 0014_job_failure
Revises: 0013
Create Date: 2026-12-07 00:40:00

`failure` says in one word what happened to a failed job (no_space, lost, interrupted, access,
error), so that its page can say it in words; `message_id` lets the web ask the broker whether
a queued job's message still exists (a broker restarted or flushed loses it).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_job_failure'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failure', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('message_id', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('export_jobs', schema=None) as batch_op:
        batch_op.drop_column('message_id')
        batch_op.drop_column('failure')
