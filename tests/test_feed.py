"""The BI feed: personal tokens (made and revoked on the account page), who reads what, pages
with a cursor and `since`, JSON and CSV alike, audit of use, rate limit."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pandas as pd
import pytest
from sqlalchemy import func, select, update

from feedback_app import create_app
from feedback_app.extensions import db
from feedback_app.models import (
    ApiToken,
    AuditEvent,
    ReviewStatus,
    Submission,
    SubmissionSource,
    User,
)
from feedback_app.models.types import utcnow
from feedback_app.services.accounts.api_tokens import USED, create_token, revoke_token
from feedback_app.services.capture.submissions import submit
from feedback_app.services.feed import encode_cursor
from tests.staff import build_world, csrf_for, html_csrf, session_for

FEEDS = ("submissions", "entries", "idea-groups", "commitments")


def _user(session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def _token(session, email: str, days: int = 90) -> str:
    return create_token(session, _user(session, email), name="Power BI", days=days).token


def _get(client, path: str, token: str | None, **headers):
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return client.get(path, headers=headers)


def _orgs(response) -> set[str]:
    return {row["organisation"] for row in response.get_json()["data"]}


def _add(session, code: str, organisation: str, texts: list[str], **extra) -> int:
    receipt = submit(
        session,
        code,
        {
            "client_id": str(uuid.uuid4()),
            "organisation": organisation,
            "category": "guide",
            "items": [{"kind": "need", "text": t} for t in texts],
            **extra,
        },
        source=SubmissionSource.API,
    )
    return receipt.id


# --- who may read -------------------------------------------------------------------------


def test_no_token_and_a_bad_token_answer_401_with_a_bearer_challenge(app, session, world) -> None:
    client = app.test_client()
    for name in FEEDS:
        bare = client.get(f"/api/v1/feed/{name}")
        assert bare.status_code == 401
        assert bare.headers["WWW-Authenticate"] == 'Bearer realm="tournee"'
        assert "error" in bare.get_json()
    wrong = _get(client, "/api/v1/feed/entries", "tnf_not-a-real-token")
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


def test_a_staff_cookie_is_not_a_token(app, session, world) -> None:
    hq = session_for(app, session, world.emails["hq"])
    assert hq.get("/api/v1/feed/entries").status_code == 401


def test_expired_revoked_and_deactivated_tokens_stop_at_once(app, session, world) -> None:
    client = app.test_client()
    expired, revoked, deactivated = (_token(session, world.emails[r]) for r in ("hq", "own", "nat"))
    for token in (expired, revoked, deactivated):
        assert _get(client, "/api/v1/feed/submissions", token).status_code == 200
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == _user(session, world.emails["hq"]).id)
        .values(expires_at=utcnow() - dt.timedelta(seconds=1))
    )
    session.commit()
    owner = _user(session, world.emails["own"])
    token_id = session.scalar(
        select(ApiToken.id).where(ApiToken.user_id == owner.id, ApiToken.name == "Power BI")
    )
    revoke_token(session, owner, token_id)
    session.execute(update(User).where(User.email == world.emails["nat"]).values(active=False))
    session.commit()
    for token in (expired, revoked, deactivated):
        response = _get(client, "/api/v1/feed/submissions", token)
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_each_token_reads_what_its_owner_reads(app, session, world) -> None:
    client = app.test_client()
    by_role = {
        role: _token(session, world.emails[role]) for role in ("own", "other", "hq", "obs", "nat")
    }
    secret, other = "Organisation-Secrete-A", "Organisation B"
    assert _orgs(_get(client, "/api/v1/feed/submissions", by_role["own"])) == {secret}
    assert _orgs(_get(client, "/api/v1/feed/submissions", by_role["obs"])) == {secret}
    assert _orgs(_get(client, "/api/v1/feed/submissions", by_role["other"])) == {other}
    assert _orgs(_get(client, "/api/v1/feed/submissions", by_role["hq"])) == {secret, other}
    assert _orgs(_get(client, "/api/v1/feed/submissions", by_role["nat"])) == {secret, other}
    # Nothing of region A anywhere in what region B's delegate gets, in any feed or format.
    for name in FEEDS:
        for path in (f"/api/v1/feed/{name}", f"/api/v1/feed/{name}.csv"):
            body = _get(client, path, by_role["other"]).get_data(as_text=True)
            leaked = [s for s in world.secrets_a if s in body]
            assert not leaked, (path, leaked)
    # Region A's idea group and commitment reach region A's readers and HQ.
    groups = _get(client, "/api/v1/feed/idea-groups", by_role["own"]).get_json()["data"]
    assert [g["group_id"] for g in groups] == [world.ids["group_a"]]
    assert groups[0]["entries"] == 2
    commitments = _get(client, "/api/v1/feed/commitments", by_role["hq"]).get_json()["data"]
    assert [c["commitment_id"] for c in commitments] == [world.ids["commitment_a"]]
    assert commitments[0]["regions"] == "marrakech-safi"


def test_a_delegate_moved_to_another_region_reads_the_new_one_with_the_same_token(
    app, session, world
) -> None:
    token = _token(session, world.emails["own"])
    user = _user(session, world.emails["own"])
    other = _user(session, world.emails["other"])
    user.regions = list(other.regions)
    session.commit()
    response = _get(app.test_client(), "/api/v1/feed/submissions", token)
    assert _orgs(response) == {"Organisation B"}


def test_no_spam_and_never_a_contact(app, session, world) -> None:
    code = str(world.ids["code_a"])
    kept = _add(
        session,
        code,
        "Hôtel Consentant",
        ["Un besoin"],
        consent_contact=True,
        name="Nadia Contact",
        email="nadia.contact@example.ma",
        phone="+212600000001",
    )
    spam = _add(session, code, "Spam SARL", ["Achetez maintenant"])
    session.execute(
        update(Submission).where(Submission.id == spam).values(status=ReviewStatus.SPAM)
    )
    session.commit()
    token = _token(session, world.emails["hq"])
    client = app.test_client()
    for name in ("submissions", "entries"):
        for suffix in ("", ".csv"):
            body = _get(client, f"/api/v1/feed/{name}{suffix}", token).get_data(as_text=True)
            assert "Hôtel Consentant" in body
            assert "Spam SARL" not in body and "Achetez" not in body
            for personal in ("Nadia Contact", "nadia.contact@", "+212600000001"):
                assert personal not in body
    ids = [
        r["submission_id"]
        for r in _get(client, "/api/v1/feed/submissions", token).get_json()["data"]
    ]
    assert kept in ids and spam not in ids


# --- pages -------------------------------------------------------------------------------


def _walk(client, url: str, token: str) -> tuple[list[dict], int]:
    """Every page from `url`, following `next`; the body's link and the header's agree."""
    rows, pages = [], 0
    while url:
        response = _get(client, url, token)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        rows.extend(body["data"])
        pages += 1
        link = response.headers.get("Link")
        if body["next"]:
            assert link == f'<{body["next"]}>; rel="next"'
        else:
            assert link is None
        url = body["next"]
    return rows, pages


def test_the_cursor_reads_each_row_once_even_as_rows_arrive(app, session, world) -> None:
    code = str(world.ids["code_a"])
    for n in range(7):
        _add(session, code, f"Org {n}", [f"Texte {n}a", f"Texte {n}b"])
    token = _token(session, world.emails["hq"])
    client = app.test_client()
    everything, pages = _walk(client, "/api/v1/feed/entries?limit=3", token)
    ids = [r["entry_id"] for r in everything]
    assert len(ids) == len(set(ids)) == 3 + 14  # build_world's three entries and ours
    assert ids == sorted(ids)
    assert pages == 6

    # A contribution arriving between two pages is read once, on a later page.
    first = _get(client, "/api/v1/feed/submissions?limit=4", token).get_json()
    late = _add(session, code, "Arrivée tardive", ["Tard"])
    rest, _pages = _walk(client, first["next"], token)
    seen = [r["submission_id"] for r in first["data"] + rest]
    assert len(seen) == len(set(seen)) and late in seen


def test_since_keeps_the_rows_created_from_that_moment(app, session, world) -> None:
    code = str(world.ids["code_a"])
    old = _add(session, code, "Ancienne", ["Avant"])
    new = _add(session, code, "Nouvelle", ["Après"])
    session.execute(
        update(Submission)
        .where(Submission.id == old)
        .values(created_at=dt.datetime(2026, 1, 1, 10, 0, tzinfo=dt.UTC))
    )
    session.execute(
        update(Submission)
        .where(Submission.id != old)
        .values(created_at=dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC))
    )
    session.commit()
    token = _token(session, world.emails["hq"])
    client = app.test_client()
    rows, _pages = _walk(
        client, "/api/v1/feed/submissions?since=2026-02-01T00:00:00Z&limit=1", token
    )
    ids = [r["submission_id"] for r in rows]
    assert old not in ids and new in ids and len(ids) == len(set(ids)) == 3
    # The next links keep `since`: the second page did not bring the old one back.
    dated = _get(client, "/api/v1/feed/entries?since=2026-01-01", token).get_json()["data"]
    assert {r["submission_id"] for r in dated} >= {old, new}


@pytest.mark.parametrize(
    "query",
    ["since=yesterday", "since=2026-13-01", "limit=0", "limit=5000", "limit=abc", "cursor=%%%"],
)
def test_bad_parameters_answer_422_in_json(app, session, world, query) -> None:
    token = _token(session, world.emails["hq"])
    response = _get(app.test_client(), f"/api/v1/feed/entries?{query}", token)
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_unknown_parameters_do_not_break_the_next_link(app, session, world) -> None:
    token = _token(session, world.emails["hq"])
    client = app.test_client()
    response = _get(client, "/api/v1/feed/entries?limit=1&name=x&_external=0&lang=en", token)
    assert response.status_code == 200
    following = response.get_json()["next"]
    assert "lang=en" in following and "limit=1" in following and "name=" not in following
    assert _get(client, following, token).status_code == 200


def test_a_cursor_of_another_feed_is_refused(app, session, world) -> None:
    token = _token(session, world.emails["hq"])
    cursor = encode_cursor("submissions", 1)
    response = _get(app.test_client(), f"/api/v1/feed/entries?cursor={cursor}", token)
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]


# --- CSV ---------------------------------------------------------------------------------


def _as_csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text[:1] in "=+-@" else text


@pytest.mark.parametrize("name", FEEDS)
def test_the_csv_is_the_json_with_the_same_columns(app, session, world, name) -> None:
    _add(
        session,
        str(world.ids["code_a"]),
        '=HYPERLINK("http://x")',
        ["+1 pour la route", "Fès, « Médina »\nligne 2"],
    )
    token = _token(session, world.emails["hq"])
    client = app.test_client()
    data = _get(client, f"/api/v1/feed/{name}", token).get_json()["data"]
    for response in (
        _get(client, f"/api/v1/feed/{name}.csv", token),
        _get(client, f"/api/v1/feed/{name}", token, Accept="text/csv"),
    ):
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        raw = response.get_data()
        assert raw.startswith("\ufeff".encode())
        assert b"\r\n" in raw
        frame = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
        assert list(frame.columns) == list(data[0])
        expected = [{k: _as_csv_text(v) for k, v in row.items()} for row in data]
        assert frame.to_dict("records") == expected
    if name == "submissions":
        # The formula look-alike is neutralised in the CSV, and kept as typed in JSON.
        assert '=HYPERLINK("http://x")' in {r["organisation"] for r in data}


def test_json_is_the_default_for_any_client(app, session, world) -> None:
    token = _token(session, world.emails["hq"])
    response = _get(app.test_client(), "/api/v1/feed/entries", token, Accept="*/*")
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"


# --- audit and rate limit ------------------------------------------------------------------


def test_use_is_audited_once_a_day_and_last_use_recorded(app, session, world) -> None:
    token = _token(session, world.emails["obs"])
    client = app.test_client()
    for _n in range(5):
        assert _get(client, "/api/v1/feed/entries", token).status_code == 200
    uses = session.scalars(select(AuditEvent).where(AuditEvent.action == USED)).all()
    assert len(uses) == 1
    assert uses[0].user_id == _user(session, world.emails["obs"]).id
    row = session.scalar(select(ApiToken).where(ApiToken.name == "Power BI"))
    assert row is not None and row.last_used_at is not None
    # The next day, one more row.
    session.execute(update(ApiToken).values(last_audited_on=dt.date.today() - dt.timedelta(days=1)))
    session.commit()
    _get(client, "/api/v1/feed/entries", token)
    count = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == USED)
    )
    assert count == 2


def test_the_feed_is_rate_limited_per_token(database_url) -> None:
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_FEED_TOKEN": "3 per minute",
        }
    )
    with app.app_context():
        try:
            world = build_world(db.session)
            first = _token(db.session, world.emails["hq"])
            second = _token(db.session, world.emails["own"])
            client = app.test_client()
            answers = [_get(client, "/api/v1/feed/entries", first).status_code for _n in range(4)]
            assert answers == [200, 200, 200, 429]
            refused = _get(client, "/api/v1/feed/entries.csv", first)
            assert refused.status_code == 429 and "Retry-After" in refused.headers
            assert refused.get_json()["error"]
            assert _get(client, "/api/v1/feed/entries", second).status_code == 200
        finally:
            db.session.remove()
            db.engine.dispose()


# --- the account page ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["own", "obs"])
def test_make_use_and_revoke_a_token_on_the_account_page(app, session, world, role) -> None:
    """Observers too: a token only reads, what its owner may read anyway."""
    client = session_for(app, session, world.emails[role])
    page = client.get("/account")
    assert page.status_code == 200
    made = client.post(
        "/account/tokens",
        data={
            "name": "Power BI du siège",
            "days": "30",
            "csrf_token": html_csrf(page.get_data(as_text=True)),
        },
    )
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    html = made.get_data(as_text=True)
    token = re.search(r"data-token>(tnf_[A-Za-z0-9_-]+)<", html).group(1)
    row = session.scalar(select(ApiToken).where(ApiToken.name == "Power BI du siège"))
    assert row is not None and token not in row.token_hash and len(row.token_hash) == 64
    assert (row.expires_at - row.created_at).days == 30
    api = app.test_client()
    assert _get(api, "/api/v1/feed/submissions", token).status_code == 200
    # Shown once: the account page afterwards lists it without the token.
    listed = client.get("/account").get_data(as_text=True)
    assert "Power BI du siège" in listed and token not in listed
    revoked = client.post(
        f"/account/tokens/{row.id}/revoke", data={"csrf_token": html_csrf(listed)}
    )
    assert revoked.status_code == 302
    assert _get(api, "/api/v1/feed/submissions", token).status_code == 401
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "api_token")
    ).all()
    assert "api_token.created" in actions and "api_token.revoked" in actions


def test_the_account_page_refuses_bad_input_and_others_tokens(app, session, world) -> None:
    owner = session_for(app, session, world.emails["own"])
    page = owner.get("/account").get_data(as_text=True)
    for data in ({"name": "", "days": "30"}, {"name": "x", "days": "3650"}):
        refused = owner.post("/account/tokens", data={**data, "csrf_token": html_csrf(page)})
        assert refused.status_code == 422
    assert session.scalar(select(func.count()).select_from(ApiToken)) == 1  # build_world's
    token_id = world.ids["api_token_a"]
    other = session_for(app, session, world.emails["other"])
    # (csrf_for: Flask-WTF keeps the last token in `g`, which the tests' app context shares.)
    answer = other.post(
        f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_for(app, other)}
    )
    assert answer.status_code == 404
    assert session.get(ApiToken, token_id).revoked_at is None
