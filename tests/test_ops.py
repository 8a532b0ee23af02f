"""Operations: health probes, and backups taken while the app serves, restored elsewhere."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import FeedbackItem, Submission
from tests.conftest import pg_scratch_database, valid_payload


def _head(app) -> list[str]:
    return sorted(ScriptDirectory(app.extensions["migrate"].directory).get_heads())


# --- probes ----------------------------------------------------------------------------------


def test_healthz_answers_without_touching_the_database() -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-dir/nothing.sqlite",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_schema_is_at_head(app, client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["database"] == "ok"
    assert response.json["migrations"]["current"] == _head(app)
    assert response.json["migrations"]["head"] == _head(app)


def test_readyz_is_not_ready_when_migrations_are_behind(app, client, session) -> None:
    session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["migrations"] == {
        "current": ["0001"],
        "head": _head(app),
        "at_head": False,
    }


def test_readyz_is_not_ready_when_the_database_is_unreachable() -> None:
    urls = [
        "sqlite:////nonexistent-dir/nothing.sqlite",
        "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
    ]
    for url in urls:
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
        response = app.test_client().get("/readyz")
        assert response.status_code == 503, url
        assert response.json == {
            "status": "unavailable",
            "database": "unreachable",
            "migrations": None,
        }
        assert "127.0.0.1" not in response.get_data(as_text=True)


# --- backup and restore ----------------------------------------------------------------------


def _stored_references(url: str) -> dict[str, int]:
    """reference -> number of items, read straight from a database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Submission.reference, func.count(FeedbackItem.id))
                .join(FeedbackItem, FeedbackItem.submission_id == Submission.id, isouter=True)
                .group_by(Submission.reference)
            ).all()
    finally:
        engine.dispose()
    return {reference: items for reference, items in rows}


def _post_while(client, code: str, stop: threading.Event, acked: list[str]) -> None:
    while not stop.is_set():
        payload = valid_payload(
            items=[
                {"kind": "need", "text": "Former le personnel."},
                {"kind": "proposal", "text": "Un guichet unique."},
            ]
        )
        response = client.post(f"/api/v1/stops/{code}/submissions", json=payload)
        assert response.status_code == 201, response.get_data(as_text=True)
        acked.append(response.json["reference"])


@pytest.fixture
def fresh_target(database_url: str, tmp_path: Path):
    """An empty database of the same backend to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    with pg_scratch_database("tournee_restore") as url:
        yield url


def test_backup_while_live_then_restore_finds_every_submission(
    app, client, open_stop, database_url, fresh_target, tmp_path
) -> None:
    if database_url.startswith("postgresql") and not shutil.which("pg_dump"):
        pytest.skip("pg_dump/pg_restore are not installed (apt-get install postgresql-client)")
    code = open_stop.code
    acked: list[str] = []
    for _ in range(30):  # already there before the backup starts
        acked.append(
            client.post(f"/api/v1/stops/{code}/submissions", json=valid_payload()).json["reference"]
        )
    before_backup = set(acked)
    stop = threading.Event()
    writer = threading.Thread(target=_post_while, args=(app.test_client(), code, stop, acked))
    writer.start()
    try:
        while len(acked) < 45:  # the writer is busy when the backup runs
            threading.Event().wait(0.01)
        if database_url.startswith("sqlite"):
            wal = Path(make_url(database_url).database + "-wal")
            assert wal.exists() and wal.stat().st_size > 0  # recent rows live in the WAL
        backup = tmp_path / "tournee.backup"
        result = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(backup)])
        assert result.exit_code == 0, result.output
        assert "backup written to" in result.output
    finally:
        stop.set()
        writer.join()
    assert len(acked) > 45

    restored_app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": fresh_target})
    with restored_app.app_context():
        result = restored_app.test_cli_runner().invoke(
            args=["backup", "restore", str(backup), "--yes"]
        )
        assert result.exit_code == 0, result.output
        db.engine.dispose()

    restored = _stored_references(fresh_target)
    assert before_backup <= set(restored), "a submission acknowledged before the backup is lost"
    assert set(restored) <= set(acked), "the backup holds something never acknowledged"
    # A consistent snapshot: no submission without all of its items.
    assert all(items >= 1 for items in restored.values())
    original = _stored_references(database_url)
    assert all(restored[ref] == original[ref] for ref in restored)
    # The restored database is a working Tournée database at the migrations' head.
    with restored_app.app_context():
        ready = restored_app.test_client().get("/readyz")
        assert ready.status_code == 200, ready.json
        db.engine.dispose()


def test_restore_refuses_a_file_that_is_not_a_backup(app, session, open_stop, tmp_path) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pg_restore's own checks apply")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    result = app.test_cli_runner().invoke(args=["backup", "restore", str(junk), "--yes"])
    assert result.exit_code == 1
    assert "error:" in result.output
    assert session.scalar(text("SELECT count(*) FROM tour_stops")) == 1  # untouched


def test_restore_asks_before_replacing(app, tmp_path) -> None:
    backup = tmp_path / "b.backup"
    assert (
        app.test_cli_runner().invoke(args=["backup", "create", "--out", str(backup)]).exit_code == 0
    )
    answer_no = app.test_cli_runner().invoke(args=["backup", "restore", str(backup)], input="n\n")
    assert answer_no.exit_code != 0 and "Aborted" in answer_no.output
