"""Helpers for tests of staff pages: accounts, sign-in, CSRF tokens and a two-region world.

Import them in any test module: `from tests.staff import build_world, login, make_user, ...`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import uuid
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import (
    Commitment,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Milestone,
    Region,
    Role,
    ShareLink,
    StopStatus,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
    User,
    commitment_groups,
)
from feedback_app.services.accounts.api_tokens import create_token as create_api_token
from feedback_app.services.accounts.passwords import hash_password
from feedback_app.services.accounts.tokens import issue_token
from feedback_app.services.capture.submissions import submit
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.intake.batches import build_preview, save_preview
from feedback_app.services.sharing.links import token_hash
from feedback_app.services.tour.stops import create_stop

PASSWORD = "correct horse battery staple"
REGION_A = "marrakech-safi"
REGION_B = "souss-massa"


@functools.cache
def _hash(password: str) -> str:
    # argon2 is deliberately slow: hash each test password once per test process.
    return hash_password(password)


def make_user(
    session: Session,
    email: str,
    role: Role = Role.DELEGATE,
    regions: tuple[str, ...] = (REGION_A,),
    password: str | None = PASSWORD,
    active: bool = True,
    name: str = "",
) -> User:
    with write_transaction(session):
        region_rows = list(session.scalars(select(Region).where(Region.slug.in_(regions))))
        user = User(
            email=email.lower(),
            name=name or email.split("@")[0],
            role=role,
            password_hash=_hash(password) if password else None,
            active=active,
            regions=region_rows if role is not Role.HQ else [],
        )
        session.add(user)
    return user


def add_stop(
    session: Session,
    city: str = "Marrakech",
    region: str = REGION_A,
    date: dt.date = dt.date(2025, 1, 10),
    status: StopStatus = StopStatus.OPEN,
    **fields,
) -> TourStop:
    """A stop, open unless told otherwise; `fields` are create_stop's others (venue, names...)."""
    return create_stop(session, region_slug=region, city=city, date=date, status=status, **fields)


def csrf_for(app: Flask, client: FlaskClient) -> str:
    """A valid CSRF token for this client's session, as Flask-WTF would render it."""
    with client.session_transaction() as sess:
        raw = sess.get("csrf_token") or secrets.token_hex(20)
        sess["csrf_token"] = raw
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


def login(
    app: Flask, client: FlaskClient, email: str, password: str = PASSWORD, follow: bool = False
):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_for(app, client)},
        follow_redirects=follow,
    )


def post(app: Flask, client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """A form POST carrying a valid CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": csrf_for(app, client)}, **kwargs)


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    """A client signed in through the real /login form (argon2 makes this ~0.1-0.5 s)."""
    client = app.test_client()
    response = login(app, client, email, password)
    assert response.status_code == 302, f"sign-in of {email} failed"
    return client


def session_for(app: Flask, session: Session, email: str) -> FlaskClient:
    """A client whose cookie says it is signed in as `email`, without the password check.

    For tests of what a signed-in user may do (the sign-in itself is tested in test_auth.py):
    the cookie holds exactly what flask_login.login_user() would put there.
    """
    user = session.scalar(select(User).where(User.email == email.lower()))
    assert user is not None, email
    client = app.test_client()
    # Flask-Login's "strong" protection ties the session to the client's address and agent.
    with app.test_request_context(environ_base=client.environ_base):
        identifier = app.login_manager._session_identifier_generator()
    with client.session_transaction() as sess:
        sess.update({"_user_id": user.get_id(), "_fresh": True, "_id": identifier})
    return client


@dataclass
class World:
    """Two regions with a stop, a submission and a delegate each, plus HQ.

    `ids` fills the `{placeholders}` of route paths; `secrets_a` are strings that only region
    A's records contain, which must never show up in what region B's delegate receives.
    """

    ids: dict[str, object] = field(default_factory=dict)
    secrets_a: list[str] = field(default_factory=list)
    emails: dict[str, str] = field(default_factory=dict)


def submission_at(session: Session, code: str, organisation: str, text: str) -> Submission:
    """One submission of one proposal (`text`, theme digitalisation) at the stop `code`."""
    receipt = submit(
        session,
        code,
        {
            "client_id": str(uuid.uuid4()),
            "organisation": organisation,
            "category": "hebergement",
            "items": [{"kind": "proposal", "text": text, "theme": "digitalisation"}],
        },
        source=SubmissionSource.FORM,
    )
    submission = session.get(Submission, receipt.id)
    assert submission is not None
    return submission


def _pending_import(session: Session, stop: TourStop, organisation: str) -> int:
    """An uploaded intake file of the stop, previewed and not yet confirmed."""
    data = f"Organisation;Catégorie;Type;Texte\n{organisation};hebergement;need;Import\n"
    preview = build_preview(session, stop, data.encode(), "liste.csv")
    return save_preview(session, preview, user_id=None)


def build_world(session: Session) -> World:
    world = World()
    stop_a = add_stop(session, "Ville-Secrete-A", date=dt.date(2025, 3, 1), venue="Salle-Secrete-A")
    stop_b = add_stop(session, "Agadir-B", REGION_B, dt.date(2025, 3, 8), venue="Salle B")
    sub_a = submission_at(
        session, stop_a.code, "Organisation-Secrete-A", "Proposition-secrete-A : former les guides"
    )
    sub_b = submission_at(
        session, stop_b.code, "Organisation B", "Proposition B : une route vers la plage"
    )
    with write_transaction(session):  # a confirmed idea group of two of region A's proposals
        second = FeedbackItem(
            submission_id=sub_a.id,
            position=1,
            kind=ItemKind.PROPOSAL,
            text="Former les guides touristiques aux langues",
        )
        group_a = IdeaGroup(
            kind=ItemKind.PROPOSAL, title="Proposition-secrete-A : guides", confirmed=True
        )
        session.add_all([second, group_a])
        session.flush()
        session.add_all(
            [
                IdeaGroupMember(item_id=item_id, group_id=group_a.id, pinned=True, closeness=1.0)
                for item_id in (sub_a.items[0].id, second.id)
            ]
        )
        session.flush()
        idea_tallies.refresh(session, [group_a.id])  # as the curation that made it would
    delegate_a = make_user(session, "delegue.a@example.ma", regions=(REGION_A,))
    delegate_b = make_user(session, "delegue.b@example.ma", regions=(REGION_B,))
    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    observer_a = make_user(session, "observateur.a@example.ma", role=Role.OBSERVER)
    national = make_user(session, "ministere@example.ma", role=Role.OBSERVER, regions=())
    victim = make_user(session, "autre.a@example.ma", regions=(REGION_A,))
    with write_transaction(session):
        token = issue_token(session, user=victim, actor_id=hq.id)
    api_token_a = create_api_token(session, delegate_a, name="Power BI A", days=30).id
    theme = session.scalar(select(Theme).where(Theme.code == "digitalisation"))
    assert theme is not None
    import_a = _pending_import(session, stop_a, "Organisation-Secrete-A")
    with write_transaction(session):  # region A's commitment, answering its idea group
        region_a = session.scalar(select(Region).where(Region.slug == REGION_A))
        commitment_a = Commitment(
            title_fr="Engagement-secret-A : former 200 guides",
            title_ar="تكوين 200 مرشد",
            description_fr="Un programme de formation des guides.",
            description_ar="برنامج لتكوين المرشدين.",
            owner="Conseil régional du tourisme",
            regions=[region_a],
        )
        session.add(commitment_a)
        session.flush()
        milestone_a = Milestone(
            commitment_id=commitment_a.id,
            due=dt.date(2026, 3, 1),
            label_fr="Appel d'offres",
            label_ar="طلب العروض",
        )
        session.add(milestone_a)
        session.flush()
        session.execute(
            commitment_groups.insert().values(commitment_id=commitment_a.id, group_id=group_a.id)
        )
    share_a = "share-token-of-region-a-" + secrets.token_urlsafe(8)
    with write_transaction(session):  # a share link to region A's brief, valid a week
        link_a = ShareLink(
            token_hash=token_hash(share_a),
            region_id=region_a.id,
            creator_id=hq.id,
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7),
        )
        session.add(link_a)
        session.flush()
        share_link_a = link_a.id
    world.ids.update(
        region_a=REGION_A,
        region_b=REGION_B,
        stop_a=stop_a.id,
        code_a=stop_a.code,
        stop_b=stop_b.id,
        code_b=stop_b.code,
        submission_a=sub_a.id,
        reference_a=sub_a.reference,
        item_a=sub_a.items[0].id,
        submission_b=sub_b.id,
        delegate_a=delegate_a.id,
        delegate_b=delegate_b.id,
        hq=hq.id,
        user_a=victim.id,
        theme=theme.id,
        token=token,
        api_token_a=api_token_a,
        import_a=import_a,
        group_a=group_a.id,
        commitment_a=commitment_a.id,
        milestone_a=milestone_a.id,
        share_a=share_a,
        share_link_a=share_link_a,
    )
    world.secrets_a = [
        stop_a.city,
        "Salle-Secrete-A",
        "Organisation-Secrete-A",
        "Proposition-secrete-A",
        stop_a.code,
        sub_a.reference,
        "autre.a@example.ma",
        "Engagement-secret-A",
    ]
    world.emails = {
        "own": delegate_a.email,
        "other": delegate_b.email,
        "hq": hq.email,
        "obs": observer_a.email,
        "nat": national.email,
    }
    return world


def html_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
