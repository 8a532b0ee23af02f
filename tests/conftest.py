"""Fixtures: a fresh application and a freshly migrated database for every test.

Every database test runs on SQLite and, when TEST_DATABASE_URL points at a PostgreSQL server,
on PostgreSQL too. Migrations run once per backend into a template. On SQLite each test gets
its own copy of the template file. On PostgreSQL, where creating a database costs most of a
test's time, each test worker owns one database made from the template, and before every
test it is put back to the template's exact content (rows deleted, identities restarted, the
migrations' seed rows written again, other connections closed) by one SQL function call.
A test that asks for `world` (tests.staff.build_world()) or `desk` (tests.review_world.
build_desk()) starts from a copy of those records, built once per worker: a copy of a file on
SQLite, a snapshot restored on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple, cast

import jinja2
import jinja2.bccache
import pytest
from flask import Flask
from sqlalchemy import MetaData, create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.routing.rules import Rule

from feedback_app import create_app
from feedback_app.extensions import db as _db
from feedback_app.extensions import taskqueue
from feedback_app.models import TourStop, User
from tests.review_world import Desk, build_desk
from tests.staff import World, add_stop, build_world, session_for

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


class _SharedBytecode(jinja2.BytecodeCache):
    """Jinja's compiled templates kept for the whole test process, in memory.

    Every test makes a fresh app, and each app's Jinja environment parsed and compiled every
    template it rendered again: 20-50 ms of CPU for a page and its layout, in nearly every test
    (measured in the README). Jinja checks each entry against the template's source checksum,
    so an edited template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def _share_compiled_templates() -> None:
    cache = _SharedBytecode()
    create_environment = Flask.create_jinja_environment

    @functools.wraps(create_environment)
    def shared(self: Flask) -> jinja2.Environment:
        environment = create_environment(self)
        environment.bytecode_cache = cache
        return environment

    Flask.create_jinja_environment = shared  # type: ignore[method-assign]


_share_compiled_templates()
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
    _fold_wal(f"sqlite:///{path}")
    return path


def _fold_wal(url: str) -> None:
    """Fold the WAL into the SQLite file so that a plain copy of the file is complete."""
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
    engine.dispose()


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


class PgSnapshot(NamedTuple):
    """A copy of a worker database's content kept in the same database (schema `schema`), and
    the SQL function there that puts it back."""

    schema: str
    restore_function: str


class PgWorkerDatabase(NamedTuple):
    url: str
    restore: Callable[..., None]
    capture: Callable[[], PgSnapshot]


@pytest.fixture(scope="session")
def pg_worker_database(pg_template: str) -> Iterator[PgWorkerDatabase]:
    """This worker's PostgreSQL database, the function that restores the template's content
    (or a snapshot's), and the one that takes a snapshot of its current content.

    A snapshot is a schema of the worker database holding a copy of every table that has rows,
    and a PL/pgSQL function that empties every table of `public`, copies the rows back and sets
    the id sequences where the snapshot left them: a restore is one round trip and no data
    crosses the connection (110-130 statements sent one by one before, measured in the README).
    """
    name = f"tournee_w_{_worker()}_{os.getpid()}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    tables = metadata.sorted_tables
    taken = 0

    def capture() -> PgSnapshot:
        nonlocal taken
        taken += 1
        schema = f"tournee_snapshot_{taken}"
        with engine.begin() as conn:
            counted = conn.execute(
                text(
                    " UNION ALL ".join(
                        f"SELECT '{t.name}', count(*) FROM \"{t.name}\"" for t in tables
                    )
                )
            )
            held = {table for table, count in counted if count}
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            body = [
                "PERFORM pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid();"
            ]
            # Children first: DELETE checks the foreign keys of the rows it removes.
            body += [f'DELETE FROM public."{t.name}";' for t in reversed(tables)]
            for table in tables:
                if table.name not in held:
                    continue
                conn.execute(
                    text(f'CREATE TABLE "{schema}"."{table.name}" AS TABLE public."{table.name}"')
                )
                columns = ", ".join(f'"{c.name}"' for c in table.c if c.computed is None)
                body.append(
                    f'INSERT INTO public."{table.name}" ({columns}) '
                    f'SELECT {columns} FROM "{schema}"."{table.name}";'
                )
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement:
                    # As RESTART IDENTITY did: numbering goes on after the snapshot's rows.
                    top = conn.scalar(text(f'SELECT max(id) FROM "{table.name}"'))
                    body.append(
                        f"PERFORM setval(pg_get_serial_sequence('public.\"{table.name}\"', 'id'), "
                        f"{top or 1}, {'true' if top else 'false'});"
                    )
            function = f'"{schema}".restore_content'
            conn.execute(
                text(
                    f"CREATE FUNCTION {function}() RETURNS void LANGUAGE plpgsql AS $restore$\n"
                    "BEGIN\n" + "\n".join(body) + "\nEND\n$restore$"
                )
            )
        return PgSnapshot(schema, function)

    seed = capture()

    def restore(snapshot: PgSnapshot | None = None) -> None:
        with engine.begin() as conn:
            conn.execute(text(f"SELECT {(snapshot or seed).restore_function}()"))

    yield PgWorkerDatabase(url, restore, capture)
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class DeskIds(NamedTuple):
    """What build_desk() made, by id: its records are loaded again in each test's session."""

    stops: tuple[int, int, int]
    themes: dict[str, int]
    users: tuple[int, int, int]
    subs: dict[str, int]


def _desk_ids(session) -> DeskIds:
    desk = build_desk(session)
    return DeskIds(
        (desk.stop_a1.id, desk.stop_a2.id, desk.stop_b.id),
        dict(desk.themes),
        (desk.delegate_a.id, desk.delegate_b.id, desk.hq.id),
        dict(desk.subs),
    )


# Records a test may start from, built once per worker and copied into the test's database
# (building them was 50-150 ms of CPU a test): the fixture that asks for them, their builder.
_PREBUILT: dict[str, Callable] = {"prebuilt_world": build_world, "prebuilt_desk": _desk_ids}


def _prebuilt_asked(request: pytest.FixtureRequest) -> str | None:
    """The prebuilt records this test starts from: the world's if it asks for the world and
    the desk (the desk is then built in the test, as before)."""
    return next((name for name in _PREBUILT if name in request.fixturenames), None)


@pytest.fixture(scope="session")
def sqlite_prebuilt(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], tuple[Path, object]]:
    """The migrated SQLite template with a builder's records in it, made once per worker and
    builder: a test that starts from them copies this file."""
    made: dict[str, tuple[Path, object]] = {}

    def prebuilt(name: str) -> tuple[Path, object]:
        if name not in made:
            path = tmp_path_factory.mktemp(name) / "prebuilt.sqlite"
            shutil.copy(sqlite_template, path)
            url = f"sqlite:///{path}"
            app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                built = _PREBUILT[name](_db.session)
                _db.session.remove()
                _db.engine.dispose()
            _fold_wal(url)
            made[name] = path, built
        return made[name]

    return prebuilt


@pytest.fixture(scope="session")
def pg_prebuilt(
    pg_worker_database: PgWorkerDatabase,
) -> Callable[[str], tuple[PgSnapshot, object]]:
    """The PostgreSQL counterpart: this worker's database with a builder's records in it,
    taken once as a snapshot that each test restores in a few milliseconds."""
    made: dict[str, tuple[PgSnapshot, object]] = {}

    def prebuilt(name: str) -> tuple[PgSnapshot, object]:
        if name not in made:
            pg_worker_database.restore()
            url = pg_worker_database.url
            app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
            with app.app_context():
                built = _PREBUILT[name](_db.session)
                _db.session.remove()
                _db.engine.dispose()
            made[name] = pg_worker_database.capture(), built
        return made[name]

    return prebuilt


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database as the migrations leave it, or, for a test that asks for `prebuilt_world`
    (through `world`, `hq`, `own` or `other`) or `prebuilt_desk` (through `desk`), with
    build_world()'s or build_desk()'s records in it already."""
    prebuilt = _prebuilt_asked(request)
    if request.param == "sqlite":
        path = tmp_path / "tournee.sqlite"
        if prebuilt:
            shutil.copy(request.getfixturevalue("sqlite_prebuilt")(prebuilt)[0], path)
        else:
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    worker = request.getfixturevalue("pg_worker_database")
    worker.restore(request.getfixturevalue("pg_prebuilt")(prebuilt)[0] if prebuilt else None)
    yield worker.url


def _prebuilt(name: str, database_url: str, request: pytest.FixtureRequest) -> object:
    if database_url.startswith("sqlite:///"):
        return request.getfixturevalue("sqlite_prebuilt")(name)[1]
    return request.getfixturevalue("pg_prebuilt")(name)[1]


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
def prebuilt_world(database_url: str, request: pytest.FixtureRequest) -> World:
    """build_world()'s records, already in this test's database (database_url put them there:
    a copy of a file or a snapshot restored, the same rows and ids as a fresh build_world())."""
    return copy.deepcopy(_prebuilt("prebuilt_world", database_url, request))  # a test may change it


@pytest.fixture
def world(session, prebuilt_world: World) -> World:
    """tests.staff.build_world(): two regions with a stop, a submission and a delegate each, and
    HQ. A test module may define its own `world` instead."""
    return prebuilt_world


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
def prebuilt_desk(database_url: str, session, request: pytest.FixtureRequest) -> Desk:
    """build_desk()'s records, in this test's database already (database_url put them there),
    loaded in its session; built here if the test starts from the world instead."""
    if _prebuilt_asked(request) != "prebuilt_desk":
        return build_desk(session)
    ids = cast(DeskIds, _prebuilt("prebuilt_desk", database_url, request))
    stops = [session.get(TourStop, stop_id) for stop_id in ids.stops]
    users = [session.get(User, user_id) for user_id in ids.users]
    return Desk(*stops, dict(ids.themes), *users, subs=dict(ids.subs))


@pytest.fixture
def desk(prebuilt_desk: Desk) -> Desk:
    """tests.review_world.build_desk(): three stops in two regions, four submissions, staff."""
    return prebuilt_desk
