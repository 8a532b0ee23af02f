"""Fixtures: a fresh application and a freshly migrated database for every test.

Every database test runs on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL server,
on PostgreSQL too. Migrations run once per backend into a template. On SQLite each test gets
its own copy of the template file. On PostgreSQL, where creating a database costs most of a
test's time, each test worker owns one database made from the template, and before every
test it is put back to the template's exact content (rows deleted, identities restarted, the
migrations' seed rows written again, other connections closed); a module may restore a
snapshot of its own instead (tests/test_access_matrix.py: the template plus build_world()).
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing.rules import Rule

from feedback_app import create_app
from feedback_app.extensions import db as _db
from feedback_app.extensions import taskqueue
from tests.review_world import Desk, build_desk
from tests.staff import add_stop, build_world, session_for

PG_URL = os.environ.get("TEST_DATABASE_URL")


def _share_url_builders() -> None:
    """Compile each URL rule's builder once per test process instead of once per app.

    Every test makes a fresh app, and werkzeug compiles two Python functions per route for
    url_for (about 500 routes): 55-75 ms of CPU per create_app, 22-34 ms with the builders
    shared (measured on this 2-core machine). A builder depends only on the rule's text, its
    parsed parts and its defaults, and reads the converters through the rule it is bound to.
    """
    compile_builder = Rule._compile_builder
    built: dict[tuple, Callable] = {}

    @functools.wraps(compile_builder)
    def shared(self: Rule, append_unknown: bool = True) -> Callable:
        key = (append_unknown, self.rule, tuple(self._trace), repr(self.defaults))
        if key not in built:
            built[key] = compile_builder(self, append_unknown)
        return built[key]

    Rule._compile_builder = shared  # type: ignore[method-assign]


_share_url_builders()
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


# Markers of the longest tests, in the order they are handed to the xdist workers.
_FIRST = ("faults", "slow", "e2e")


@pytest.hookimpl(trylast=True)  # after tests/e2e/conftest.py has marked its tests
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest tests first. xdist hands tests out in collection order: a minute-long test
    handed out last keeps one worker busy while the others wait, one handed out first runs
    beside the short tests."""

    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, name in enumerate(_FIRST) if item.get_closest_marker(name)), len(_FIRST)
        )

    items.sort(key=rank)


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:  # fold the WAL into the file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()
    return path


def _pg_admin_engine():
    url = make_url(PG_URL)
    return create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half skipped")
    name = f"tournee_tmpl_{_worker()}_{os.getpid()}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _migrate(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class PgWorkerDatabase(NamedTuple):
    url: str
    restore: Callable[..., None]
    capture: Callable[[], dict[str, list[dict]]]


@pytest.fixture(scope="session")
def pg_worker_database(pg_template: str) -> Iterator[PgWorkerDatabase]:
    """This worker's PostgreSQL database, the function that restores the template's content
    (or a snapshot's), and the one that takes a snapshot of its current content."""
    name = f"tournee_w_{_worker()}_{os.getpid()}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    tables = metadata.sorted_tables

    def capture() -> dict[str, list[dict]]:
        with engine.connect() as conn:
            return {t.name: [dict(r._mapping) for r in conn.execute(t.select())] for t in tables}

    seed = capture()
    # DELETE, not TRUNCATE: a test leaves a few rows, and TRUNCATE gives each of the tables a
    # new file (measured here: 110 ms per restore with DELETE, 400-560 ms with TRUNCATE).
    delete_order = list(reversed(tables))

    def restore(snapshot: dict[str, list[dict]] | None = None) -> None:
        rows_of = seed if snapshot is None else snapshot
        with engine.begin() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
            for table in delete_order:
                conn.execute(table.delete())
            for table in tables:
                rows = rows_of[table.name]
                if rows:
                    conn.execute(table.insert(), rows)
                if "id" in table.c and table.c.id.autoincrement:
                    # As RESTART IDENTITY did: numbering starts after the seed rows, or at 1.
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f'COALESCE((SELECT max(id) FROM "{table.name}"), 1), '
                            f'(SELECT max(id) FROM "{table.name}") IS NOT NULL)'
                        )
                    )

    yield PgWorkerDatabase(url, restore, capture)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "tournee.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    worker = request.getfixturevalue("pg_worker_database")
    worker.restore()
    yield worker.url


@pytest.fixture(params=BACKENDS)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all, for tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    if not PG_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL half skipped")
    with pg_scratch_database("tournee_e") as url:
        yield url


@contextlib.contextmanager
def pg_scratch_database(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of the block, then dropped."""
    name = f"{prefix}_{_worker()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_TMP": str(tmp_path),
        }
    )
    with app.app_context():
        yield app
        taskqueue.shutdown(app)  # in-process task threads, if a test started them
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def session(app):
    return _db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_stop(session):
    """tests.staff.add_stop() in this test's database, at "Salle A"."""
    return functools.partial(add_stop, session, venue="Salle A")


@pytest.fixture
def open_stop(make_stop):
    return make_stop()


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html)
    assert match, f"no hidden field {name}"
    return match.group(1)


def post_public_form(client, code: str, query: str = "", addr: str | None = None, **fields):
    """The stop's form read (`query` added to its address), then posted with one need and
    `fields`, both from `addr` if given."""
    environ = {"REMOTE_ADDR": addr} if addr else {}
    page = client.get(f"/f/{code}{query}", environ_base=environ).get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "client_id": hidden_value(page, "client_id"),
        "organisation": "Riad Dar Atlas",
        "category": "hebergement",
        "need-0-text": "Former le personnel.",
        **fields,
    }
    return client.post(f"/f/{code}", data=data, environ_base=environ)


def valid_payload(**overrides) -> dict:
    payload = {
        "client_id": str(uuid.uuid4()),
        "organisation": "Riad Dar Atlas",
        "category": "hebergement",
        "items": [{"kind": "need", "text": "Former le personnel à l'accueil en anglais."}],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def world(session):
    """tests.staff.build_world(): two regions with a stop, a submission and a delegate each, and
    HQ. A test module may define its own `world` instead."""
    return build_world(session)


@pytest.fixture
def hq(app, session, world):
    return session_for(app, session, world.emails["hq"])


@pytest.fixture
def own(app, session, world):
    """Signed in as region A's delegate."""
    return session_for(app, session, world.emails["own"])


@pytest.fixture
def other(app, session, world):
    """Signed in as region B's delegate."""
    return session_for(app, session, world.emails["other"])


@pytest.fixture
def desk(session) -> Desk:
    """tests.review_world.build_desk(): three stops in two regions, four submissions, staff."""
    return build_desk(session)
