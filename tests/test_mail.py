"""Invitations and "forgotten password" by e-mail, against a real local SMTP server (aiosmtpd).

Without MAIL_SERVER the links stay on screen for HQ to copy, as before.
"""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from feedback_app import create_app
from feedback_app.extensions import db as _db
from feedback_app.models import AuditEvent, PasswordToken, Role
from tests.staff import PASSWORD, login, make_user, post

NEW_PASSWORD = "une phrase toute neuve"


class Inbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    handler = Inbox(_free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(database_url: str, inbox: Inbox, tmp_path: Path):
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": inbox.port,
            "MAIL_DEFAULT_SENDER": "tournee@example.ma",
            "PUBLIC_BASE_URL": "https://avis.example.ma",
        }
    )
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _body(message: Message) -> str:
    part = message.get_payload(decode=True)
    assert isinstance(part, bytes)
    return part.decode(message.get_content_charset() or "utf-8")


def _link(message: Message) -> str:
    match = re.search(r"https://avis\.example\.ma(/set-password/[A-Za-z0-9_-]+)\S*", _body(message))
    assert match, _body(message)
    return match.group(1)


def _forgot(app, client, address: str):
    return post(app, client, "/forgot-password", {"email": address})


def test_forgotten_password_mails_a_link_that_works_once(mail_app, inbox, session) -> None:
    make_user(session, "oubli@example.ma")
    client = mail_app.test_client()
    assert 'href="/forgot-password"' in client.get("/login").get_data(as_text=True)
    answer = _forgot(mail_app, client, "Oubli@Example.ma")
    assert answer.status_code == 200
    assert "Vérifiez votre boîte" in answer.get_data(as_text=True)
    [message] = inbox.wait_for(1)
    assert message["To"] == "oubli@example.ma"
    assert message["From"] == "tournee@example.ma"
    link = _link(message)

    done = post(mail_app, client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert (
        login(mail_app, mail_app.test_client(), "oubli@example.ma", NEW_PASSWORD).status_code == 302
    )
    assert (
        login(mail_app, mail_app.test_client(), "oubli@example.ma", PASSWORD).status_code == 200
    )  # the old password no longer works
    again = post(
        mail_app,
        mail_app.test_client(),
        link,
        {"password": "encore une autre phrase", "confirm": "encore une autre phrase"},
    )
    assert again.status_code == 410
    assert 'href="/forgot-password"' in again.get_data(as_text=True)  # a way to ask again
    session.rollback()
    stored = session.scalars(select(PasswordToken)).one()
    assert stored.token_hash not in link and stored.used_at is not None  # only a hash kept


def test_unknown_and_known_addresses_get_the_same_answer(mail_app, inbox, session) -> None:
    make_user(session, "connu@example.ma")
    make_user(session, "parti@example.ma", active=False)
    pages = []
    for address in ("connu@example.ma", "inconnu@example.ma", "parti@example.ma"):
        started = time.monotonic()
        answer = _forgot(mail_app, mail_app.test_client(), address)
        elapsed = time.monotonic() - started
        assert answer.status_code == 200
        assert elapsed >= mail_app.config["PASSWORD_RESET_MIN_SECONDS"]
        pages.append(re.sub(r'value="[^"]+"', "", answer.get_data(as_text=True)))
    assert pages[0] == pages[1] == pages[2]
    time.sleep(0.3)
    assert [m["To"] for m in inbox.wait_for(1)] == ["connu@example.ma"]
    session.rollback()
    refused = session.scalar(select(func.count()).where(AuditEvent.action == "auth.reset_refused"))
    assert refused == 2


def test_a_second_request_within_minutes_sends_no_second_mail(mail_app, inbox, session) -> None:
    make_user(session, "presse@example.ma")
    client = mail_app.test_client()
    _forgot(mail_app, client, "presse@example.ma")
    _forgot(mail_app, client, "presse@example.ma")
    time.sleep(0.3)
    assert len(inbox.wait_for(1)) == 1
    assert client.get(_link(inbox.messages[0])).status_code == 200  # the first link still works


def test_a_bad_address_is_refused_next_to_the_field(mail_app, inbox) -> None:
    answer = _forgot(mail_app, mail_app.test_client(), "")
    assert answer.status_code == 422
    assert "Indiquez votre e-mail." in answer.get_data(as_text=True)


def test_forgotten_password_is_rate_limited_per_address(database_url, inbox) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_PASSWORD_RESET": "2 per hour",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": inbox.port,
        }
    )
    with app.app_context():
        client = app.test_client()
        codes = [_forgot(app, client, f"x{i}@example.ma").status_code for i in range(3)]
        _db.session.remove()
        _db.engine.dispose()
    assert codes == [200, 200, 429]


def test_the_page_in_arabic_and_the_mail_in_the_reader_language(mail_app, inbox, session) -> None:
    make_user(session, "arabe@example.ma")
    client = mail_app.test_client()
    page = client.get("/forgot-password?lang=ar")
    assert 'dir="rtl"' in page.get_data(as_text=True)
    _forgot(mail_app, client, "arabe@example.ma")
    [message] = inbox.wait_for(1)
    body = _body(message)
    assert "lang=ar" in _link(message) or "lang=ar" in body
    assert re.search("[\u0600-\u06ff]", body)


def _invite_recruit(app, session, follow: bool = False, **fields: str):
    """HQ signs in and creates the delegate recrue@example.ma: the answer to that form."""
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = app.test_client()
    login(app, client, "siege@example.ma")
    data = {
        "email": "recrue@example.ma",
        **fields,
        "role": "delegate",
        "regions": ["marrakech-safi"],
    }
    return post(app, client, "/hq/users/new", data, follow_redirects=follow)


def test_hq_invitation_is_mailed_in_three_languages(mail_app, inbox, session) -> None:
    created = _invite_recruit(mail_app, session, follow=True, name="Recrue")
    text = created.get_data(as_text=True)
    assert "Lien envoyé par e-mail à recrue@example.ma" in text
    assert "/set-password/" not in text  # not shown when it went by mail
    [message] = inbox.wait_for(1)
    body = _body(message)
    assert body.index("Bonjour") < body.index("مرحبا") < body.index("Hello")
    link = _link(message)
    fresh = mail_app.test_client()
    assert (
        post(mail_app, fresh, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code
        == 302
    )


def test_without_smtp_hq_copies_the_link_and_no_form_is_offered(app, session) -> None:
    created = _invite_recruit(app, session)
    assert created.status_code == 200
    assert "/set-password/" in created.get_data(as_text=True)
    page = app.test_client().get("/forgot-password").get_data(as_text=True)
    assert "demandez au siège" in page and 'name="email"' not in page


def test_a_relay_that_refuses_falls_back_to_the_link_on_screen(database_url) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": _free_port(),
            "MAIL_TIMEOUT": 2,
        }
    )
    with app.app_context():
        created = _invite_recruit(app, _db.session)
        text = created.get_data(as_text=True)
        _db.session.remove()
        _db.engine.dispose()
    assert "n'a pas pu être envoyé" in text and "/set-password/" in text
