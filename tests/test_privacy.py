"""Personal data (law 09-08): the notice, retention purge, erasure on request, clean logs."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import uuid

import pytest
from sqlalchemy import select

from feedback_app import create_app
from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import AuditEvent, FeedbackItem, Role, Submission, SubmissionSource
from feedback_app.models.types import utcnow
from feedback_app.services.accounts.tokens import issue_token
from feedback_app.services.capture.submissions import submit
from feedback_app.services.privacy.personal_data import find_contacts, purge_expired_contacts
from feedback_app.web.requestlog import JsonFormatter
from tests.conftest import post_public_form, valid_payload
from tests.staff import PASSWORD, add_stop, login, make_user, post, signed_in

CONTACT = {
    "consent_contact": True,
    "name": "Fatima Zahra Benali",
    "email": "fatima.benali@riad-atlas.ma",
    "phone": "06 12 34 56 78",
}


def _submit(session, code: str, *, age_days: int = 0, **fields) -> Submission:
    received = utcnow() - dt.timedelta(days=age_days)
    receipt = submit(
        session, code, valid_payload(**fields), source=SubmissionSource.API, received_at=received
    )
    return session.get(Submission, receipt.id)


def _contact_of(session, submission_id: int) -> tuple:
    session.expire_all()
    s = session.get(Submission, submission_id)
    return (s.person_name, s.email, s.phone, s.consent_contact)


# --- the notice on the form ------------------------------------------------------------------


def test_notice_comes_before_the_contact_fields_and_says_what_the_law_requires(
    client,
    open_stop,
) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    notice = re.search(r'<div class="notice" id="privacy-notice">(.*?)</div>', html, re.S)
    assert notice, "privacy notice missing"
    text = notice.group(1)
    for words in (
        "recontacter",  # purpose
        "Responsable du traitement",
        "Office national marocain du tourisme",
        "09-08",
        "accès",
        "rectification",
        "opposition",
        "Pour les exercer",  # how
        "365 jours",
    ):  # how long
        assert words in text.replace("&#39;", "'"), words
    assert html.index('id="privacy-notice"') < html.index('name="name"')
    assert html.index('id="privacy-notice"') < html.index('name="email"')
    consent = re.search(r'<input[^>]*name="consent_contact"[^>]*>', html).group(0)
    assert 'type="checkbox"' in consent and "checked" not in consent
    assert 'aria-describedby="privacy-notice"' in consent


def test_notice_names_the_configured_contact_and_retention(database_url) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PRIVACY_CONTACT": "donnees@tourisme.example.ma",
            "CONTACT_RETENTION_DAYS": "180",
        }
    )
    with app.app_context():
        stop = add_stop(db.session, "Fès", "fes-meknes", dt.date(2025, 5, 1))
        html = app.test_client().get(f"/f/{stop.code}").get_data(as_text=True)
        assert "donnees@tourisme.example.ma" in html
        assert "180 jours" in html
        db.session.remove()
        db.engine.dispose()


# --- retention purge -------------------------------------------------------------------------


def test_purge_erases_contact_details_older_than_the_retention_only(session, open_stop) -> None:
    old = _submit(session, open_stop.code, age_days=400, **CONTACT)
    recent = _submit(session, open_stop.code, age_days=30, **CONTACT)
    old_id, recent_id = old.id, recent.id
    assert purge_expired_contacts(session, retention_days=365, dry_run=True) == 1
    assert _contact_of(session, old_id)[1] == CONTACT["email"]  # a dry run changes nothing
    assert purge_expired_contacts(session, retention_days=365) == 1
    assert _contact_of(session, old_id) == (None, None, None, False)
    assert _contact_of(session, recent_id)[1] == CONTACT["email"]
    # What the person said stays: the feedback is not personal data once anonymous.
    kept = session.get(Submission, old_id)
    assert kept.organisation == "Riad Dar Atlas" and len(kept.items) == 1
    assert purge_expired_contacts(session, retention_days=365) == 0  # nothing left to do
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.purge")).one()
    assert event.after["submissions"] == 1
    assert CONTACT["email"] not in json.dumps([event.before, event.after])


def test_purge_command_uses_the_configured_retention_and_has_a_dry_run(
    app,
    session,
    open_stop,
) -> None:
    old_id = _submit(session, open_stop.code, age_days=100, **CONTACT).id
    app.config["CONTACT_RETENTION_DAYS"] = 90
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 submissions" in dry.output and "dry run" in dry.output
    assert _contact_of(session, old_id)[1] == CONTACT["email"]
    longer = runner.invoke(args=["privacy", "purge", "--days", "365"])
    assert "0 submissions" in longer.output
    real = runner.invoke(args=["privacy", "purge"])
    assert real.exit_code == 0 and "erased from 1 submissions" in real.output
    assert _contact_of(session, old_id) == (None, None, None, False)


# --- HQ finds and erases one person's details ------------------------------------------------


@pytest.fixture
def hq_client(app, session):
    make_user(session, "siege@example.ma", role=Role.HQ)
    return signed_in(app, "siege@example.ma")


def test_search_finds_by_email_phone_or_name(session, open_stop, make_stop) -> None:
    mine = _submit(session, open_stop.code, **CONTACT).id
    other_stop = make_stop(region="souss-massa", city="Agadir")
    also_mine = _submit(session, other_stop.code, **CONTACT).id
    _submit(
        session,
        open_stop.code,
        consent_contact=True,
        name="Youssef Alaoui",
        email="y.alaoui@example.ma",
    )
    _submit(session, open_stop.code)  # no contact at all
    for query in (
        "FATIMA.BENALI@riad-atlas.ma",
        "riad-atlas",
        "0612345678",
        "+212612345678",
        "06 12 34 56 78",
        "zahra ben",
        "Fatima",
    ):
        found = {m.submission_id for m in find_contacts(session, query)}
        assert found == {mine, also_mine}, query


def test_search_treats_wildcards_literally(session, open_stop) -> None:
    _submit(session, open_stop.code, **CONTACT)
    assert find_contacts(session, "%%%") == []
    assert find_contacts(session, "___") == []


def test_hq_page_searches_by_post_and_erases_the_chosen_submissions(
    app, session, hq_client, open_stop
) -> None:
    first = _submit(session, open_stop.code, **CONTACT).id
    second = _submit(session, open_stop.code, **CONTACT).id
    page = hq_client.get("/hq/privacy")
    assert page.status_code == 200
    # A query in the address is ignored: personal data stays out of URLs and logs.
    assert CONTACT["name"] not in hq_client.get(
        "/hq/privacy?query=fatima.benali%40riad-atlas.ma"
    ).get_data(as_text=True)
    results = post(
        app, hq_client, "/hq/privacy", {"action": "search", "query": "fatima.benali@riad-atlas.ma"}
    )
    html = results.get_data(as_text=True)
    assert results.status_code == 200
    assert CONTACT["name"] in html and "+212612345678" in html
    assert f'value="{first}"' in html and f'value="{second}"' in html

    unconfirmed = post(
        app, hq_client, "/hq/privacy", {"action": "erase", "submission": [str(first)]}
    )
    assert unconfirmed.status_code == 302
    assert _contact_of(session, first)[1] == CONTACT["email"]

    erased = post(
        app,
        hq_client,
        "/hq/privacy",
        {"action": "erase", "submission": [str(first)], "confirm": "y"},
        follow_redirects=True,
    )
    assert erased.status_code == 200
    assert "Coordonnées effacées de 1 contribution" in erased.get_data(as_text=True)
    assert _contact_of(session, first) == (None, None, None, False)
    assert _contact_of(session, second)[1] == CONTACT["email"]
    assert session.scalar(select(FeedbackItem.id).where(FeedbackItem.submission_id == first))

    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erase")).all()
    assert [(e.target_type, e.target_id) for e in events] == [("submission", first)]
    assert events[0].before == {"fields": ["person_name", "email", "phone", "consent_contact"]}
    trail = json.dumps([[e.before, e.after] for e in session.scalars(select(AuditEvent))])
    for value in ("Fatima", "riad-atlas", "612345678"):
        assert value not in trail


def test_a_too_short_query_is_refused_next_to_the_field(app, hq_client) -> None:
    response = post(app, hq_client, "/hq/privacy", {"action": "search", "query": "fa"})
    assert response.status_code == 422
    assert "Au moins 3 caractères" in response.get_data(as_text=True)


def test_only_hq_may_use_the_privacy_page(app, session, open_stop) -> None:
    _submit(session, open_stop.code, **CONTACT)
    assert app.test_client().get("/hq/privacy").status_code == 302
    make_user(session, "delegue@example.ma")
    delegate = signed_in(app, "delegue@example.ma")
    assert delegate.get("/hq/privacy").status_code == 403
    assert (
        post(app, delegate, "/hq/privacy", {"action": "search", "query": "fatima"}).status_code
        == 403
    )


def test_erasure_needs_a_valid_csrf_token(app, session, hq_client, open_stop) -> None:
    first = _submit(session, open_stop.code, **CONTACT).id
    response = hq_client.post(
        "/hq/privacy", data={"action": "erase", "confirm": "y", "submission": [str(first)]}
    )
    assert response.status_code == 400
    assert _contact_of(session, first)[1] == CONTACT["email"]


# --- logs ------------------------------------------------------------------------------------


def _everything_logged(caplog) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(r) + " " + r.getMessage() for r in caplog.records)


def test_logs_hold_no_personal_data_password_or_session_token(
    app, session, client, open_stop, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    post_public_form(
        client,
        open_stop.code,
        "?lang=fr&email=leak%40example.ma",
        consent_contact="y",
        name=CONTACT["name"],
        email=CONTACT["email"],
        phone=CONTACT["phone"],
    )
    client.post(f"/api/v1/stops/{open_stop.code}/submissions", json=valid_payload(**CONTACT))
    client.post(
        f"/api/v1/stops/{open_stop.code}/submissions",
        json=valid_payload(**{**CONTACT, "email": "not an email"}),
    )  # a 422
    user = make_user(session, "delegue@example.ma")
    staff = app.test_client()
    login(app, staff, "delegue@example.ma", "wrong password entirely")
    login(app, staff, "delegue@example.ma", PASSWORD)
    cookie = staff.get_cookie("session")
    assert cookie is not None
    staff.get("/review/")
    with write_transaction(session):
        token = issue_token(session, user=user, actor_id=None)
    app.test_client().get(f"/set-password/{token}")

    logged = _everything_logged(caplog)
    assert '"message": "request"' in logged, "no request log at all"
    secrets = [
        CONTACT["name"],
        CONTACT["email"],
        "612345678",
        "not an email",
        PASSWORD,
        "wrong password entirely",
        cookie.value,
        token,
        "leak",
        "lang=fr",
    ]
    for secret in secrets:
        assert secret not in logged, f"{secret!r} found in the logs"


def test_request_log_lines_are_json_with_the_allowed_fields(client, open_stop, caplog) -> None:
    caplog.set_level(logging.INFO, logger="feedback_app.requests")
    response = client.get(f"/f/{open_stop.code}?lang=ar", headers={"X-Request-ID": "abc-123-def"})
    record = [r for r in caplog.records if r.name == "feedback_app.requests"][-1]
    line = json.loads(JsonFormatter().format(record))
    assert set(line) == {
        "ts",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "endpoint",
        "status",
        "duration_ms",
        "request_id",
    }
    assert line["path"] == f"/f/{open_stop.code}" and line["status"] == 200
    assert line["method"] == "GET" and line["endpoint"] == "public.stop_form"
    assert line["request_id"] == "abc-123-def" == response.headers["X-Request-ID"]
    assert isinstance(line["duration_ms"], float)


def test_an_unhandled_error_is_logged_without_its_message(app, caplog) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode-test")
    def explode():
        raise ValueError("fatima.benali@riad-atlas.ma typed something")

    caplog.set_level(logging.INFO)
    assert app.test_client().get("/explode-test").status_code == 500
    logged = _everything_logged(caplog)
    assert "ValueError" in logged and "explode" in logged  # enough to find the bug
    assert "fatima" not in logged


def test_failed_database_statements_do_not_log_their_parameters(app, session, caplog) -> None:
    """SQLAlchemy error messages quote the statement's values unless hide_parameters is on."""
    from sqlalchemy.exc import IntegrityError

    submission_id = uuid.uuid4()
    with pytest.raises(IntegrityError) as error:
        session.execute(
            Submission.__table__.insert().values(
                client_id=submission_id,
                reference="X",
                organisation="Secret Org",
                category_code="no-such-category",
                region_id=1,
                stop_id=99999,
            )
        )
        session.flush()
    session.rollback()
    assert "Secret Org" not in str(error.value)
