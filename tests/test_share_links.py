"""Share links: a region's brief for someone without an account — made and revoked on the
brief page, opened as a page or a PDF, reviewed data only and nothing personal, every opening
audited, 410 once revoked or expired, 404 when unknown, rate-limited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pypdf
import pytest
from sqlalchemy import select, update

from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import AuditEvent, Region, ShareLink
from feedback_app.services.access import scope_for
from feedback_app.services.review import actions as review_actions
from feedback_app.services.sharing import links
from tests.review_world import Desk, items_of
from tests.staff import csrf_for, make_user, post, signed_in
from tests.test_brief import desk as desk  # the fixture: Marrakech-Safi, one stop signed

PERSONAL = ("Fatima Benali", "fatima@example.ma", "+212600000000", "delegue.a", "siege@")


def _reviewed_world(session, d: Desk) -> None:
    """The Riad's contribution (a shortlisted proposal) reviewed; Safi's, whose proposal is
    shortlisted too, left new: only the first may be shared."""
    hq = scope_for(d.hq)
    safi_items = items_of(session, d.subs["safi"])
    review_actions.update_item(
        session,
        hq,
        d.subs["safi"],
        safi_items[1],
        kind="proposal",
        theme_id=d.themes["durabilite"],
        shortlisted=True,
        actor_id=d.hq.id,
    )
    review_actions.set_status(session, hq, d.subs["riad"], "reviewed", actor_id=d.hq.id)


def _create(app, client, region: str = "marrakech-safi", days: str = "7") -> str:
    """Make a link from the brief page's form; the token read from the page it leads to."""
    response = post(app, client, "/review/brief/share", {"region": region, "days": days})
    assert response.status_code == 303, response.status_code
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r"/partage/([A-Za-z0-9_-]{40,})", page)
    assert found, "the new link's address is shown once"
    return found.group(1)


def _events(session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by("id"))
    )


def test_hq_makes_a_link_stored_only_as_its_hash(app, session, desk) -> None:
    client = signed_in(app, desk.hq.email)
    token = _create(app, client)
    session.rollback()
    link = session.scalar(select(ShareLink))
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(session.execute(select(ShareLink.__table__)).all())
    assert link.creator_id == desk.hq.id and link.revoked_at is None
    expires = link.expires_at.replace(tzinfo=link.expires_at.tzinfo or dt.UTC)
    assert dt.timedelta(days=6, hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(7)
    (created,) = _events(session, "share.create")
    assert created.user_id == desk.hq.id and created.target_id == link.id
    # The page lists it with its creator, and the address is not shown again.
    page = client.get("/review/brief?region=marrakech-safi").get_data(as_text=True)
    assert 'id="share-links"' in page and (desk.hq.name or desk.hq.email) in page
    assert token not in page
    assert f"/review/brief/share/{link.id}/revoke" in page


def test_the_shared_page_shows_reviewed_data_and_nothing_personal(app, session, desk) -> None:
    _reviewed_world(session, desk)
    token = _create(app, signed_in(app, desk.delegate_a.email))
    anonymous = app.test_client()
    response = anonymous.get(f"/partage/{token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Marrakech-Safi" in html
    assert "Former les guides au numérique." in html  # shortlisted, reviewed
    assert "Un label durable pour les coopératives." not in html  # shortlisted, not reviewed
    assert "Les professionnels demandent de la formation." in html  # signed-off summary
    for personal in (*PERSONAL, "Riad Dar Atlas"):
        assert personal not in html, personal
    # One reviewed contribution of the three: the figures count reviewed data only.
    assert re.search(r"<strong>1</strong>\s*Contributions", html)
    assert "<script" not in html and "/static/css/brief_document.css" in html
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert f"/partage/{token}/bilan.pdf" in html
    (opened,) = _events(session, "share.open")
    assert opened.user_id is None and opened.after == {"via": "page"}
    assert opened.region_id == session.scalar(
        select(Region.id).where(Region.slug == "marrakech-safi")
    )


def test_the_shared_pdf_follows_the_same_rules_in_arabic_too(app, session, desk) -> None:
    _reviewed_world(session, desk)
    token = _create(app, signed_in(app, desk.hq.email))
    anonymous = app.test_client()
    response = anonymous.get(f"/partage/{token}/bilan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Former les guides au numérique." in text
    assert "Un label durable pour les coopératives." not in text
    for personal in (*PERSONAL, "Riad Dar Atlas"):
        assert personal not in text, personal
    arabic = anonymous.get(f"/partage/{token}/bilan.pdf?lang=ar")
    reader = pypdf.PdfReader(io.BytesIO(arabic.data))
    assert "مراكش" in "\n".join(page.extract_text() for page in reader.pages)
    assert [e.after for e in _events(session, "share.open")] == [{"via": "pdf"}] * 2


def test_revoked_expired_and_unknown_links(app, session, desk) -> None:
    hq = signed_in(app, desk.hq.email)
    token = _create(app, hq)
    anonymous = app.test_client()
    assert anonymous.get(f"/partage/{token}").status_code == 200
    session.rollback()
    link_id = session.scalar(select(ShareLink.id))
    revoked = post(app, hq, f"/review/brief/share/{link_id}/revoke")
    assert revoked.status_code == 303
    for path in (f"/partage/{token}", f"/partage/{token}/bilan.pdf"):
        response = anonymous.get(path)
        assert response.status_code == 410
        assert "a été révoqué le" in response.get_data(as_text=True)
    arabic = anonymous.get(f"/partage/{token}?lang=ar").get_data(as_text=True)
    assert "a été révoqué" not in arabic and "أُلغي" in arabic
    # Expired: said as such, with its date.
    other = _create(app, hq, days="1")
    with write_transaction(session):
        session.execute(
            update(ShareLink)
            .where(ShareLink.revoked_at.is_(None))
            .values(expires_at=dt.datetime(2025, 3, 9, 12, 0, tzinfo=dt.UTC))
        )
    response = anonymous.get(f"/partage/{other}?lang=fr")  # the Arabic above left a cookie
    assert response.status_code == 410
    assert "Ce lien de partage a expiré le 09/03/2025" in response.get_data(as_text=True)
    english = anonymous.get(f"/partage/{other}?lang=en").get_data(as_text=True)
    assert "expired" in english
    # Unknown, malformed, too long: 404 alike, and nothing audited for them.
    before = len(_events(session, "share.open"))
    for path in ("/partage/nope", f"/partage/{token[:-1]}x", "/partage/" + "a" * 500):
        assert anonymous.get(path).status_code == 404
    refused = [e.after for e in _events(session, "share.open")]
    assert len(refused) == before
    assert {"via": "page", "refused": "revoked"} in refused
    assert {"via": "page", "refused": "expired"} in refused
    (revocation,) = _events(session, "share.revoke")
    assert revocation.user_id == desk.hq.id and revocation.target_id == link_id
    # The brief page says which is which.
    page = hq.get("/review/brief?region=marrakech-safi").get_data(as_text=True)
    assert "révoqué le" in page and "expiré" in page


def test_who_may_make_and_revoke_links(app, session, desk) -> None:
    # A delegate for their own region only; the other region's delegate is told nothing.
    own = signed_in(app, desk.delegate_a.email)
    _create(app, own)
    other = signed_in(app, desk.delegate_b.email)
    refused = post(app, other, "/review/brief/share", {"region": "marrakech-safi", "days": "7"})
    assert refused.status_code == 404
    # A region field no form sends (the route fuzzer's NUL was a 500 on PostgreSQL): unknown.
    nul = post(app, own, "/review/brief/share", {"region": "marrakech-safi\x00", "days": "7"})
    assert nul.status_code == 404
    session.rollback()
    link_id = session.scalar(select(ShareLink.id))
    assert post(app, other, f"/review/brief/share/{link_id}/revoke").status_code == 404
    # An observer reads the brief, sees no share controls and may not post.
    make_user(session, "obs@example.ma", role=__import__("feedback_app").models.Role.OBSERVER)
    observer = signed_in(app, "obs@example.ma")
    page = observer.get("/review/brief?region=marrakech-safi").get_data(as_text=True)
    assert "Former les guides au numérique." in page and 'id="share-links"' not in page
    token = csrf_for(app, observer)
    assert (
        observer.post(
            "/review/brief/share",
            data={"region": "marrakech-safi", "days": "7", "csrf_token": token},
        ).status_code
        == 403
    )
    # A validity that is not offered is refused, with no link made.
    hq = scope_for(desk.hq)
    region_id = session.scalar(select(Region.id).where(Region.slug == "marrakech-safi"))
    with pytest.raises(Exception, match="days"):
        links.create_link(session, hq, region_id, days=365, actor_id=desk.hq.id)
    session.rollback()
    assert len(session.scalars(select(ShareLink.id)).all()) == 1
    # Nothing is leaked to the other delegate's page either.
    assert 'id="share-links"' in other.get("/review/brief").get_data(as_text=True)
    assert "/partage/" not in other.get("/review/brief").get_data(as_text=True)


def test_opening_links_is_rate_limited_per_address(database_url) -> None:
    from tests.test_rate_limits import _app

    app = _app(database_url, RATELIMIT_SHARE_LINKS="2 per minute")
    with app.app_context():
        region_id = db.session.scalar(select(Region.id).where(Region.slug == "souss-massa"))
        with write_transaction(db.session):
            db.session.add(
                ShareLink(
                    token_hash=links.token_hash("t" * 43),
                    region_id=region_id,
                    expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                )
            )
        client = app.test_client()
        assert client.get("/partage/" + "t" * 43).status_code == 200
        assert client.get("/partage/" + "t" * 43 + "/bilan.pdf").status_code == 200
        limited = client.get("/partage/" + "t" * 43)
        assert limited.status_code == 429
        assert "Trop de bilans partagés" in limited.get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
