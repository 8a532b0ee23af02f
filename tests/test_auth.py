"""Sign-in, sign-out, session revocation, throttling and set-password links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from feedback_app.database import write_transaction
from feedback_app.models import AuditEvent, PasswordToken, Role, User
from feedback_app.services.accounts.tokens import issue_token
from tests.staff import PASSWORD, csrf_for, login, make_user, post

GENERIC = "E-mail ou mot de passe incorrect."
NEW_PASSWORD = "une phrase assez longue"


@pytest.fixture
def delegate(session):
    return make_user(session, "delegue@example.ma")


@pytest.fixture
def hq(session):
    return make_user(session, "siege@example.ma", role=Role.HQ, regions=())


def _events(session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_login_page_has_csrf_and_secure_form(client) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'type="password"' in html


def test_login_with_right_password_opens_the_staff_pages(app, client, delegate, session) -> None:
    assert client.get("/hq/stops").status_code == 302
    response = login(app, client, "Delegue@Example.ma")  # e-mail is case-insensitive
    assert response.status_code == 302
    assert client.get("/hq/stops").status_code == 200
    events = _events(session, "auth.login")
    assert [e.target_id for e in events] == [delegate.id]


def test_session_cookie_is_httponly_and_samesite(app, client, delegate) -> None:
    response = login(app, client, delegate.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure() -> None:
    from feedback_app.config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True


def test_production_hashes_passwords_at_argon2s_full_cost(app, client, session) -> None:
    """Only the test configuration lowers the argon2 cost (to keep the suite fast); a password
    hashed at the full cost still signs in under it."""
    from feedback_app.config import CONFIGS
    from feedback_app.services.accounts import passwords

    assert CONFIGS["production"].PASSWORD_HASH_PARAMETERS is None
    assert CONFIGS["development"].PASSWORD_HASH_PARAMETERS is None
    try:
        passwords.configure(CONFIGS["production"].PASSWORD_HASH_PARAMETERS)
        full_cost = passwords.hash_password(PASSWORD)
    finally:
        passwords.configure(app.config["PASSWORD_HASH_PARAMETERS"])
    # argon2-cffi's defaults, RFC 9106's low-memory profile: 64 MiB, 3 passes, 4 lanes.
    assert full_cost.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not passwords.hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    user = make_user(session, "ancien@example.ma")
    with write_transaction(session):
        user.password_hash = full_cost
    assert login(app, client, "ancien@example.ma").status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [
        ("delegue@example.ma", "wrong password, long enough"),
        ("nobody@example.ma", PASSWORD),
    ],
)
def test_bad_login_gets_one_generic_message(
    app, client, delegate, session, email, password
) -> None:
    response = login(app, client, email, password)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert GENERIC in html
    assert "existe" not in html  # nothing says whether the account exists
    assert client.get("/hq/stops").status_code == 302
    failed = _events(session, "auth.login_failed")
    assert len(failed) == 1


def test_inactive_user_cannot_sign_in(app, client, session) -> None:
    make_user(session, "parti@example.ma", active=False)
    response = login(app, client, "parti@example.ma")
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert client.get("/hq/stops").status_code == 302


def test_account_waiting_for_its_link_cannot_sign_in(app, client, session) -> None:
    make_user(session, "nouveau@example.ma", password=None)
    response = login(app, client, "nouveau@example.ma", "")
    assert client.get("/hq/stops").status_code == 302
    assert response.status_code == 200


def test_session_fixation_a_planted_session_does_not_survive_login(app, client, delegate) -> None:
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
        before = dict(sess)
    login(app, client, delegate.email)
    with client.session_transaction() as sess:
        after = dict(sess)
    assert "planted" not in after
    assert after.get("_user_id") == f"{delegate.id}:0"
    # The CSRF secret tied to the anonymous session is replaced too.
    assert before.get("csrf_token") != after.get("csrf_token")


def test_session_cookie_changes_at_login(app, client, delegate) -> None:
    client.get("/login")
    csrf_for(app, client)
    anonymous_cookie = client.get_cookie("session").value
    login(app, client, delegate.email)
    assert client.get_cookie("session").value != anonymous_cookie


def test_sign_out_revokes_a_copied_cookie(app, client, delegate, session) -> None:
    login(app, client, delegate.email)
    stolen = client.get_cookie("session").value
    assert client.get("/hq/stops").status_code == 200
    response = post(app, client, "/logout")
    assert response.status_code == 302
    assert client.get("/hq/stops").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/hq/stops").status_code == 302  # sent to the login page
    assert len(_events(session, "auth.logout")) == 1


def test_logout_needs_a_post_with_csrf(app, client, delegate) -> None:
    login(app, client, delegate.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/hq/stops").status_code == 200  # still signed in


def test_deactivation_ends_every_session(app, client, delegate, hq, session) -> None:
    login(app, client, delegate.email)
    assert client.get("/hq/stops").status_code == 200
    admin = app.test_client()
    login(app, admin, hq.email)
    assert post(app, admin, f"/hq/users/{delegate.id}/deactivate").status_code == 302
    assert client.get("/hq/stops").status_code == 302
    # Reactivating does not bring the old cookie back.
    assert post(app, admin, f"/hq/users/{delegate.id}/reactivate").status_code == 302
    assert client.get("/hq/stops").status_code == 302


def test_login_next_stays_on_this_site(app, client, delegate) -> None:
    response = client.post(
        "/login",
        data={
            "email": delegate.email,
            "password": PASSWORD,
            "next": "//evil.example/x",
            "csrf_token": csrf_for(app, client),
        },
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]
    client2 = app.test_client()
    response = client2.post(
        "/login",
        data={
            "email": delegate.email,
            "password": PASSWORD,
            "next": "/hq/stops?status=open",
            "csrf_token": csrf_for(app, client2),
        },
    )
    assert response.headers["Location"].endswith("/hq/stops?status=open")


# --- set-password links ---------------------------------------------------------------


def _set_password(app, client, token: str, password: str = NEW_PASSWORD, confirm: str = ""):
    """Posts the set-password form; `confirm` is the password again unless given."""
    return post(
        app,
        client,
        f"/set-password/{token}",
        {"password": password, "confirm": confirm or password},
    )


def _token_for(session, user) -> str:
    with write_transaction(session):
        return issue_token(session, user=session.get(User, user.id), actor_id=None)


def test_set_password_link_signs_in_once(app, client, session) -> None:
    user = make_user(session, "nouvelle@example.ma", password=None)
    token = _token_for(session, user)
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "nouvelle@example.ma" in page.get_data(as_text=True)

    short = _set_password(app, client, token, "court")
    assert short.status_code == 200
    assert "au moins 12 caractères" in short.get_data(as_text=True)
    mismatch = _set_password(app, client, token, confirm="une autre phrase")
    assert "ne sont pas identiques" in mismatch.get_data(as_text=True)

    done = _set_password(app, client, token)
    assert done.status_code == 302
    assert client.get("/hq/stops").status_code == 200  # signed in

    again = app.test_client().get(f"/set-password/{token}")
    assert again.status_code == 410
    assert "ne fonctionne plus" in again.get_data(as_text=True)
    assert login(app, app.test_client(), "nouvelle@example.ma", NEW_PASSWORD).status_code == 302
    session.rollback()
    stored = session.scalars(select(PasswordToken)).one()
    assert stored.token_hash != token and len(stored.token_hash) == 64  # only a hash


def test_expired_link_shows_a_clear_page(app, client, session) -> None:
    user = make_user(session, "lent@example.ma", password=None)
    token = _token_for(session, user)
    with write_transaction(session):
        row = session.scalars(select(PasswordToken)).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    response = client.get(f"/set-password/{token}")
    assert response.status_code == 410
    assert "expire" in response.get_data(as_text=True)
    posted = _set_password(app, client, token)
    assert posted.status_code == 410
    assert client.get("/hq/stops").status_code == 302


def test_a_new_link_replaces_the_old_one(app, client, session) -> None:
    user = make_user(session, "oubli@example.ma")
    first = _token_for(session, user)
    second = _token_for(session, user)
    assert client.get(f"/set-password/{first}").status_code == 410
    assert client.get(f"/set-password/{second}").status_code == 200


def test_setting_a_password_ends_older_sessions(app, session) -> None:
    user = make_user(session, "vole@example.ma")
    old = app.test_client()
    login(app, old, user.email)
    assert old.get("/hq/stops").status_code == 200
    token = _token_for(session, user)
    fresh = app.test_client()
    _set_password(app, fresh, token)
    assert fresh.get("/hq/stops").status_code == 200
    assert old.get("/hq/stops").status_code == 302


def test_unknown_link_shows_the_same_clear_page(client) -> None:
    response = client.get("/set-password/not-a-real-token")
    assert response.status_code == 410
