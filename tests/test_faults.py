"""Real faults against services each test starts itself (tests/faults.py): a PostgreSQL cluster
stopped under posting clients, a redis-server killed under posts and exports, a full build disk.

Marked `faults`; skipped with the reason when Debian's PostgreSQL binaries, redis-server or root
(for a tmpfs) are missing.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from feedback_app import create_app
from feedback_app.extensions import db
from tests.conftest import _migrate
from tests.faults import Posting, fill, gunicorn, open_fds, own_postgres, tiny_filesystem
from tests.staff import PASSWORD, add_stop, make_user
from feedback_app.models import Role

pytestmark = pytest.mark.faults


def _stored(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT client_id FROM submissions"))]
    finally:
        engine.dispose()


def _seed(url: str, *, hq: bool = False) -> str:
    """Migrate the database at `url` and open a stop in it; returns the stop's code."""
    _migrate(url)
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        code = add_stop(db.session).code
        if hq:
            make_user(db.session, "siege@example.ma", role=Role.HQ, regions=())
        db.session.remove()
        db.engine.dispose()
    return code


def test_postgresql_stopped_and_restarted_under_posting_clients(tmp_path: Path) -> None:
    """Acknowledged = stored, nothing twice, no 500 (503 while it is down), and the same
    server processes serve again once it is back: no restart of the app."""
    with own_postgres() as pg:
        code = _seed(pg.url)
        with gunicorn(tmp_path / "web", {"DATABASE_URL": pg.url}) as server:
            posting = Posting(server.url, code)
            with posting.running(clients=4):
                posting.wait_for_acks(10)
                pg.stop()
                down_at = time.monotonic()
                time.sleep(4)
                page = requests.get(f"{server.url}/f/{code}?lang=en", timeout=15)
                pg.start()
                back = len(posting.acknowledged)
                posting.wait_for_acks(back + 10)
                recovered_in = time.monotonic() - down_at - 4
            assert page.status_code == 503
            assert page.headers["Retry-After"] == "30"
            assert "temporarily unavailable" in page.text  # in the reader's language
        stored = _stored(pg.url)
    print(
        f"\nstatuses {dict(sorted(posting.statuses.items()))}, {len(posting.acknowledged)} "
        f"acknowledged, posts again {recovered_in:.1f} s after the restart"
    )
    assert posting.count(500, 502) + posting.count(504, 599) == 0, posting.statuses
    assert posting.count(503, 503) > 0  # the outage was met, and answered 503
    assert not posting.refused
    assert len(stored) == len(set(stored))  # nothing stored twice
    assert set(stored) == posting.acknowledged  # every acknowledged one stored, nothing else


def test_a_full_build_disk_answers_507_lets_go_of_its_files_and_builds_once_space_is_back(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "tournee.sqlite"
    shutil.copy(sqlite_template, database)
    url = f"sqlite:///{database}"
    _seed_export(url)
    with tiny_filesystem("4m") as folder:
        env = {"DATABASE_URL": url, "TMPDIR": str(folder)}
        with gunicorn(tmp_path / "web", env, workers=1) as server:
            http = _signed_in(server.url)
            assert _export(http, server.url).status_code == 200  # warm: imports, caches
            (pid,) = server.worker_pids()
            before = open_fds(pid)

            filler = fill(folder, leave=64 * 1024)
            refused = [_export(http, server.url, language=lang) for lang in ("ar", "en", "fr")]
            leaked = open_fds(pid) - before
            filler.unlink()
            after = _export(http, server.url, language="ar")

    for answer in refused:
        assert answer.status_code == 507, answer.text[:300]
    assert "espace disque" in refused[2].text
    assert "disk space" in refused[1].text
    assert leaked <= 0, f"{leaked} file handles left open after three failed builds"
    assert after.status_code == 200
    assert after.headers["Content-Type"].startswith("application/vnd.openxmlformats")


def _seed_export(url: str) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        from tests.export_world import build_tour

        build_tour(db.session)
        make_user(db.session, "siege@example.ma", role=Role.HQ, regions=())
        db.session.remove()
        db.engine.dispose()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _signed_in(base: str) -> requests.Session:
    http = requests.Session()
    token = _csrf(http.get(f"{base}/login", timeout=15).text)
    answer = http.post(
        f"{base}/login",
        data={"email": "siege@example.ma", "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=15,
    )
    assert answer.status_code in (302, 303), answer.text[:300]
    return http


def _export(http: requests.Session, base: str, **fields: str) -> requests.Response:
    token = _csrf(http.get(f"{base}/hq/exports", timeout=15).text)
    return http.post(
        f"{base}/hq/exports?lang={fields.get('language', 'fr')}",
        data={"csrf_token": token, "contacts": "y", **fields},
        allow_redirects=False,
        timeout=30,
    )
