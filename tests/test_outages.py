"""What people meet while a service is away: the database unreachable (503 with Retry-After,
what was typed kept), the broker losing a job's message (failed at once, its slot freed, said
in words), Redis gone under the rate limiter (said once in the log, submissions go on).

tests/test_faults.py breaks real services; these tests need none.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

import pytest
from sqlalchemy import update

from feedback_app import create_app
from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import ExportJob, JobState, Role
from feedback_app.models.types import utcnow
from feedback_app.services.access import scope_for
from feedback_app.services.export import jobs
from feedback_app.services.export.jobs import TooManyJobs, job_status, start_job
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.conftest import valid_payload
from tests.staff import make_user, session_for

UNREACHABLE = [
    "sqlite:////nonexistent-dir/nothing.sqlite",
    "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2",
]


@pytest.mark.parametrize("url", UNREACHABLE, ids=["sqlite", "postgresql"])
def test_pages_and_json_answer_503_with_retry_after_while_the_database_is_unreachable(
    url: str,
) -> None:
    client = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url}).test_client()

    page = client.get("/f/ABCD2345?lang=ar")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    assert "الخدمة غير متاحة مؤقتًا" in page.get_data(as_text=True)

    api = client.post("/api/v1/stops/ABCD2345/submissions?lang=en", json=valid_payload())
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "30"
    assert api.json == {
        "error": "The service is temporarily unavailable: nothing was saved, and nothing "
        "you typed is lost. Send again in a minute."
    }
    assert "127.0.0.1" not in api.get_data(as_text=True)


def test_a_form_posted_while_the_database_is_away_comes_back_with_what_was_typed() -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": UNREACHABLE[0]})
    app.config["WTF_CSRF_ENABLED"] = False
    typed = "Former les guides à l'accueil <en> anglais"
    answer = app.test_client().post(
        "/f/ABCD2345?lang=fr",
        data={"organisation": "Riad Dar Atlas", "need-0-text": typed, "client_id": "c-1"},
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "rien de ce que vous avez saisi n&#39;est perdu" in html
    # Shown to be read or copied, and carried by a "Renvoyer" form posting it again as it was.
    assert "Former les guides à l&#39;accueil &lt;en&gt; anglais" in html
    resend = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert resend and resend.group(1) == "/f/ABCD2345?lang=fr"
    assert 'name="need-0-text" value="Former les guides' in resend.group(2)
    assert 'name="client_id" value="c-1"' in resend.group(2)  # the resend stays one entry


# --- jobs that cannot hang ---------------------------------------------------------------------


class Broker:
    """Stands for the task queue: what was sent, and which messages it still holds."""

    def __init__(self) -> None:
        self.held: set[str] = set()
        self.sent = 0

    def enqueue(self, job_id: str) -> str:
        self.sent += 1
        message = f"message-{self.sent}"
        self.held.add(message)
        return message

    def is_pending(self, message_id: str) -> bool | None:
        return message_id in self.held


def _start(session, user, broker, *, language: str = "fr", limit: int = 1) -> str:
    return start_job(
        session,
        scope_for(user),
        ExportRequest(filters=SynthesisFilters(), language=language),
        owner_id=user.id,
        generated_by="Siège",
        tz="Africa/Casablanca",
        total=100,
        limit=limit,
        enqueue=broker.enqueue,
        is_pending=broker.is_pending,
    )


def _age(session, job_id: str, seconds: float, **values: object) -> None:
    then = utcnow() - dt.timedelta(seconds=seconds)
    with write_transaction(session):
        session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id)
            .values(created_at=then, updated_at=then, **values)
        )


def test_a_job_whose_message_the_broker_lost_fails_frees_its_slot_and_asking_again_starts_anew(
    app, session
) -> None:
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    broker = Broker()
    first = _start(session, hq, broker)
    assert _start(session, hq, broker) == first  # same request, message still held: joined
    with pytest.raises(TooManyJobs):  # the cap (1) counts it while it is alive
        _start(session, hq, broker, language="en")

    _age(session, first, 8)
    broker.held.clear()  # Redis restarted without persistence, or flushed

    status = job_status(session, first, hq, broker.is_pending)
    assert (status.state, status.failure) == ("failed", "lost")
    other = _start(session, hq, broker, language="en")  # the slot is free again
    assert other != first
    _age(session, other, 8)
    broker.held.clear()
    again = _start(session, hq, broker, language="en")  # the same request: a new job
    assert again not in (first, other)


def test_a_job_just_sent_is_not_taken_for_lost(app, session) -> None:
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    broker = Broker()
    job_id = _start(session, hq, broker)
    broker.held.clear()  # even so: a job is only looked up once QUEUED_GRACE has passed
    assert job_status(session, job_id, hq, broker.is_pending).state == "queued"


def test_a_queued_job_the_broker_cannot_vouch_for_waits_until_it_is_stale(app, session) -> None:
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    broker = Broker()
    job_id = _start(session, hq, broker)
    unknown = lambda _message: None  # noqa: E731 (in-process queue, or Redis unreachable now)
    _age(session, job_id, 600)
    assert job_status(session, job_id, hq, unknown).state == "queued"
    _age(session, job_id, jobs.QUEUED_STALE.total_seconds() + 1)
    status = job_status(session, job_id, hq, unknown)
    assert (status.state, status.failure) == ("failed", "lost")


def test_a_running_job_without_heartbeat_for_45_s_is_interrupted(app, session) -> None:
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    broker = Broker()
    job_id = _start(session, hq, broker)
    _age(session, job_id, 30, state=JobState.RUNNING)
    assert job_status(session, job_id, hq, broker.is_pending).state == "running"
    _age(session, job_id, 46, state=JobState.RUNNING)
    status = job_status(session, job_id, hq, broker.is_pending)
    assert (status.state, status.failure) == ("failed", "interrupted")
    assert _start(session, hq, broker, language="en") != job_id  # its slot is free


def test_a_running_job_keeps_its_heartbeat_while_it_works(app, session, monkeypatch) -> None:
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    job_id = _start(session, hq, Broker())
    _age(session, job_id, 100, state=JobState.RUNNING)
    with jobs._heartbeat(db.engine, job_id):
        time.sleep(0.3)
    session.rollback()
    job = session.get(ExportJob, job_id, populate_existing=True)
    assert job.updated_at > utcnow() - dt.timedelta(seconds=5)


def test_the_job_page_says_what_happened_in_words(app, session) -> None:
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    hq = make_user(session, "hq2@example.ma", role=Role.HQ, regions=())
    job_id = _start(session, hq, Broker())
    _age(session, job_id, 20, state=JobState.FAILED, failure="lost")
    client = session_for(app, session, "hq2@example.ma")
    page = client.get(f"/hq/exports/jobs/{job_id}?lang=en").get_data(as_text=True)
    assert "The request was lost by the job queue" in page
    assert client.get(f"/hq/exports/jobs/{job_id}/status").json["failure"] == "lost"


# --- the rate limiter without Redis ------------------------------------------------------------


def test_without_redis_submissions_go_on_and_the_fallback_is_logged_once(
    app, open_stop, caplog
) -> None:
    limited = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_ENABLED": True,
            "REDIS_URL": "redis://127.0.0.1:1/0",
        }
    ).test_client()
    caplog.set_level(logging.INFO)
    answers = [
        limited.post(f"/api/v1/stops/{open_stop.code}/submissions", json=valid_payload())
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    notices = [
        r for r in caplog.records if r.name == "feedback_app.web.ratelimits" and "Redis" in r.msg
    ]
    assert len(notices) == 1
    assert notices[0].levelno == logging.WARNING
    assert "this process only" in notices[0].getMessage()


def test_a_sign_in_posted_while_the_database_is_away_never_echoes_the_password() -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": UNREACHABLE[0]})
    app.config["WTF_CSRF_ENABLED"] = False
    answer = app.test_client().post(
        "/login", data={"email": "siege@example.ma", "password": "s3cret-Passphrase"}
    )
    assert answer.status_code == 503
    assert "s3cret-Passphrase" not in answer.get_data(as_text=True)
