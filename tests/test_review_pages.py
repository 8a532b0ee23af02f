"""The review desk's pages: list with counts and filters, submission page and its forms, bulk
actions, pagination links, CSRF, and what another region's delegate gets (404, nothing shown)."""

from __future__ import annotations

import re

import pytest

from feedback_app.models import FeedbackItem, ReviewStatus, Submission
from feedback_app.services import review_queries
from tests.review_world import (
    Desk,
    audit_events,
    build_desk,
    items_of,
)
from tests.staff import post, signed_in


@pytest.fixture
def desk(session) -> Desk:  # type: ignore[no-untyped-def]
    return build_desk(session)


# --- the pages --------------------------------------------------------------------------------

def _client(app, desk, who: str):  # type: ignore[no-untyped-def]
    return signed_in(app, getattr(desk, who).email)


def test_list_page_shows_the_region_counts_and_filters(app, session, desk) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, desk, "delegate_a")
    html = client.get("/review/").get_data(as_text=True)
    assert "Riad Dar Atlas" in html and "Coopérative Œuvre d&#39;Argan" in html
    assert "Surf Club Taghazout" not in html
    assert 'dir="auto"' in html
    assert '<span class="count">3</span>' in html  # still new in Marrakech-Safi
    assert 'class="error"' not in html  # no filter chosen is not a mistake
    html = client.get("/review/?q=AEROPORT&status=new").get_data(as_text=True)
    assert "Riad Dar Atlas" in html and "Agence Sahara Tours" not in html
    assert 'class="error"' not in html
    html = client.get("/review/?kind=poem&status=new").get_data(as_text=True)
    assert 'class="error"' in html and "Riad Dar Atlas" in html  # shown, then ignored
    # nonsense in the query string is shown or ignored, never a 500
    for query in ("stop=abc", "date_from=31/02/2025", "after=xyz", "theme=-1", "kind=poem",
                  "region=99999", "shortlisted=2", "q=" + "x" * 500,
                  "date_from=2025-03-02&date_to=2025-03-01"):
        response = client.get(f"/review/?{query}")
        assert response.status_code == 200, query


def test_other_region_sees_nothing_of_region_a(app, session, desk) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, desk, "delegate_b")
    secrets = ["Riad Dar Atlas", "Sahara", "Argan", "AÉROPORT", "Marrakech-Safi"]
    for path in ("/review/", "/review/?q=riad", "/review/?q=aeroport", "/review/?status=new",
                 f"/review/?stop={desk.stop_a1.id}"):
        html = client.get(path).get_data(as_text=True)
        assert not [s for s in secrets if s in html], path
    assert client.get(f"/review/submissions/{desk.subs['riad']}").status_code == 404
    item = items_of(session, desk.subs["riad"])[0]
    for path, data in [
        (f"/review/submissions/{desk.subs['riad']}/status", {"status": "spam"}),
        (f"/review/submissions/{desk.subs['riad']}/items/{item}",
         {"kind": "need", "theme": "", "shortlisted": "y"}),
        (f"/review/submissions/{desk.subs['riad']}/notes", {"text": "hello"}),
        ("/review/bulk", {"action": "spam", "submission_ids": [desk.subs["riad"]]}),
    ]:
        assert post(app, client, path, data).status_code == 404, path
    session.expire_all()
    assert session.get(Submission, desk.subs["riad"]).status is ReviewStatus.NEW


def test_submission_page_and_its_forms(app, session, desk) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, desk, "delegate_a")
    sid = desk.subs["riad"]
    html = client.get(f"/review/submissions/{sid}").get_data(as_text=True)
    assert "fatima@example.ma" in html and 'dir="auto">Améliorer l’accueil' in html
    no_consent = client.get(f"/review/submissions/{desk.subs['agence']}").get_data(as_text=True)
    assert "fatima@example.ma" not in no_consent
    assert "aucune coordonnée n" in no_consent

    response = post(app, client, f"/review/submissions/{sid}/status", {"status": "reviewed"})
    assert response.status_code == 302 and response.location.endswith(f"/review/submissions/{sid}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Contribution marquée « Examinée »." in page

    item = items_of(session, sid)[1]
    response = post(app, client, f"/review/submissions/{sid}/items/{item}", {
        "kind": "proposal", "theme": str(desk.themes["digitalisation"]), "shortlisted": "y",
        # a submission or a region cannot be chosen through the form
        "submission_id": str(desk.subs["agence"]), "region_id": "1"})
    assert response.status_code == 302
    assert "Entrée enregistrée." in client.get(response.location).get_data(as_text=True)
    session.expire_all()
    stored = session.get(FeedbackItem, item)
    assert (stored.shortlisted, stored.theme_id, stored.submission_id) == (
        True, desk.themes["digitalisation"], sid)
    assert session.get(Submission, sid).region_id == desk.stop_a1.region_id

    bad = post(app, client, f"/review/submissions/{sid}/items/{item}",
               {"kind": "poem", "theme": "abc"})
    assert bad.status_code == 422 and 'class="error"' in bad.get_data(as_text=True)

    response = post(app, client, f"/review/submissions/{sid}/notes", {"text": "Rappeler en mai"})
    assert response.status_code == 302
    assert "Rappeler en mai" in client.get(response.location).get_data(as_text=True)
    too_long = "mot " * 1100
    response = post(app, client, f"/review/submissions/{sid}/notes", {"text": too_long})
    assert response.status_code == 422
    assert too_long.strip()[:200] in response.get_data(as_text=True)  # what was typed is kept
    assert client.post(f"/review/submissions/{sid}/notes", data={"text": "x"}).status_code == 400
    assert client.get("/review/submissions/999999").status_code == 404


def test_bulk_from_the_list_page(app, session, desk) -> None:  # type: ignore[no-untyped-def]
    client = _client(app, desk, "delegate_a")
    s = desk.subs
    response = post(app, client, "/review/bulk", {
        "action": "reviewed", "submission_ids": [s["riad"], s["safi"]],
        "next": "/review/?status=new"})
    assert response.status_code == 302 and response.location.endswith("/review/?status=new")
    html = client.get(response.location).get_data(as_text=True)
    assert "2 contributions marquées « Examinée »." in html
    assert "Agence Sahara Tours" in html and "Riad Dar Atlas" not in html
    # elsewhere than the review desk is never a destination
    response = post(app, client, "/review/bulk", {
        "action": "theme", "theme": str(desk.themes["autre"]),
        "item_ids": items_of(session, s["riad"])[:1], "next": "https://evil.example/"})
    assert response.status_code == 302 and response.location.endswith("/review/")
    assert len(audit_events(session, "item.bulk_theme")) == 1
    response = post(app, client, "/review/bulk", {"action": "reviewed",
                                                  "submission_ids": ["x"]})
    assert response.status_code == 302
    assert "n&#39;a pas pu être appliquée" in client.get("/review/").get_data(as_text=True)


def test_list_page_paginates_with_links(app, session, desk, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(review_queries, "PAGE_SIZE", 2)
    client = _client(app, desk, "hq")
    seen, path = [], "/review/?kind=proposal"
    while path:
        html = client.get(path).get_data(as_text=True)
        seen += re.findall(r'name="submission_ids" value="(\d+)"', html)
        found = re.search(r'rel="next" href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
        assert path is None or "kind=proposal" in path
    assert [int(i) for i in seen] == [desk.subs["agadir"], desk.subs["safi"], desk.subs["riad"]]


def test_hostile_input_never_fails(app, session, desk) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(app, desk.delegate_a.email)
    huge = "9" * 25
    for path in ("/review/?q=%00abc", "/review/?q=a%00"):
        assert client.get(path).status_code == 400, path  # a NUL is refused before any route
    for path in (f"/review/?after={huge}.{huge}", f"/review/?stop={huge}",
                 f"/review/submissions/{huge}"):
        assert client.get(path).status_code in (200, 404), path
    for path, data in [
        (f"/review/submissions/{huge}/status", {"status": "spam"}),
        (f"/review/submissions/{desk.subs['riad']}/items/{huge}", {"kind": "need"}),
        ("/review/bulk", {"action": "spam", "submission_ids": [huge]}),
        ("/review/bulk", {"action": "theme", "theme": huge, "item_ids": [huge]}),
        (f"/review/submissions/{desk.subs['riad']}/notes", {"text": "\x00"}),
    ]:
        assert post(app, client, path, data).status_code in (302, 404, 422), path
