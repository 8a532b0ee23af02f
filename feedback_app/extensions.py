"""Extensions, created unbound; `create_app` binds them to an application."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, Session

from feedback_app.taskqueue import TaskQueue

# Named constraints let Alembic drop and alter them on every backend, SQLite included.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _include_object(obj, name, type_, reflected, compare_to):
    """Autogenerate: an index with a PostgreSQL access method (GIN trigrams) exists only there."""
    if type_ == "index" and not reflected and obj.dialect_kwargs.get("postgresql_using"):
        from alembic import context

        return context.get_context().dialect.name == "postgresql"
    return True


class _Database(SQLAlchemy):
    # `db.session` is a scoped_session, which hands every Session method to the current
    # request's session: typed as the Session it stands for, views pass it to services
    # (typed `session: Session`) without a cast at each call.
    session: Session  # type: ignore[assignment]


db = _Database(model_class=Base)
# The models' base class, named so that type checkers see it (`db.Model` is made at run time).
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(compare_type=True, render_as_batch=True, include_object=_include_object)
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
taskqueue = TaskQueue()  # background tasks (Dramatiq): feedback_app/tasks/
