"""Users: the observer role (reads its regions or the whole tour, changes nothing)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 00:40:00

`user_role` is a VARCHAR guarded by a CHECK constraint on both SQLite and PostgreSQL
(`native_enum=False`): the constraint is recreated with the new value ("observer" is no longer
than "delegate", so the column keeps its length). Downgrading turns observers into nothing:
it refuses while any observer account exists.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

CONSTRAINT = 'ck_users_user_role'


def _role_check(roles):
    quoted = ", ".join(f"'{role}'" for role in roles)
    return f"role IN ({quoted})"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _role_check(('hq', 'delegate', 'observer')))


def downgrade():
    observers = op.get_bind().scalar(sa.text("SELECT count(*) FROM users WHERE role = 'observer'"))
    if observers:
        raise RuntimeError(f"{observers} observer account(s): delete them before downgrading")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CONSTRAINT), type_='check')
        batch_op.create_check_constraint(op.f(CONSTRAINT), _role_check(('hq', 'delegate')))
