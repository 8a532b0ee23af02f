"""Sign-in attempt counters shared by every worker; per-user failure columns dropped

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 16:30:00

Sign-in attempts are now counted per (account, address) and per address in sign_in_counters
(services/attempts.py), atomically; the per-account counters on users, which let anybody lock
an owner out, go. The columns are dropped with a plain ALTER TABLE (SQLite 3.35+ knows it): a
batch copy of `users` would, with foreign keys enforced, cascade into the tables that refer to it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_counters',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_counters'))
    )
    with op.batch_alter_table('sign_in_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_counters_window_start'), ['window_start'], unique=False)

    op.execute('ALTER TABLE users DROP COLUMN last_failed_login_at')
    op.execute('ALTER TABLE users DROP COLUMN failed_logins')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_failed_login_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('sign_in_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_counters_window_start'))

    op.drop_table('sign_in_counters')
