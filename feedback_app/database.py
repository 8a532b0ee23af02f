"""Engine tuning and the write transaction every service uses.

SQLite allows one writer at a time. A deferred transaction that reads and then writes can fail
at once with "database is locked", whatever the busy timeout, so write transactions start with
BEGIN IMMEDIATE: they queue on the busy timeout instead of failing. Reads stay deferred and,
in WAL mode, never wait for writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Result, event
from sqlalchemy.orm import Session, scoped_session

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "tournee_write"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched (the typed Result does not declare CursorResult's)."""
    return int(getattr(result, "rowcount", 0) or 0)


@contextmanager
def write_transaction(session: Session | scoped_session[Session]) -> Iterator[Session]:
    """One atomic write: commits on success, rolls back everything on any error.

    A read transaction left open by the caller is closed first so that this one can take the
    SQLite write lock from its first statement.
    """
    if isinstance(session, scoped_session):
        session = session()
    assert isinstance(session, Session)
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("write_transaction() started with unsaved changes in the session")
        session.rollback()
    session.connection(execution_options={_WRITE_OPTION: True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
