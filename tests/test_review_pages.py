"""The review desk's pages: list with counts and filters, submission page and its forms, bulk
actions, pagination links, CSRF, and what another region's delegate gets (404, nothing shown)."""

from __future__ import annotations

import re

from feedback_app.models import FeedbackItem, ReviewStatus, Submission
from feedback_app.review import routes
from feedback_app.services.review import queries as review_queries
from tests.review_world import (
    audit_events,
    items_of,
)
from tests.staff import post, signed_in

# --- the pages --------------------------------------------------------------------------------


def _client(app, desk, who: str):
    return signed_in(app, getattr(desk, who).email)


def test_list_page_shows_the_region_counts_and_filters(app, session, desk) -> None:
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
    for query in (
        "stop=abc",
        "date_from=31/02/2025",
        "after=xyz",
        "theme=-1",
        "kind=poem",
        "region=99999",
        "shortlisted=2",
        "q=" + "x" * 500,
        "date_from=2025-03-02&date_to=2025-03-01",
    ):
        response = client.get(f"/review/?{query}")
        assert response.status_code == 200, query


def test_other_region_sees_nothing_of_region_a(app, session, desk) -> None:
    client = _client(app, desk, "delegate_b")
    secrets = ["Riad Dar Atlas", "Sahara", "Argan", "AÉROPORT", "Marrakech-Safi"]
    for path in (
        "/review/",
        "/review/?q=riad",
        "/review/?q=aeroport",
        "/review/?status=new",
        f"/review/?stop={desk.stop_a1.id}",
    ):
        html = client.get(path).get_data(as_text=True)
        assert not [s for s in secrets if s in html], path
    assert client.get(f"/review/submissions/{desk.subs['riad']}").status_code == 404
    item = items_of(session, desk.subs["riad"])[0]
    for path, data in [
        (
            f"/review/submissions/{desk.subs['riad']}",
            {"status": "spam", "items-0-id": item, "items-0-kind": "need", "note": "hello"},
        ),
        ("/review/bulk", {"action": "spam", "submission_ids": [desk.subs["riad"]]}),
    ]:
        assert post(app, client, path, data).status_code == 404, path
    session.expire_all()
    assert session.get(Submission, desk.subs["riad"]).status is ReviewStatus.NEW


def _page_form(html: str) -> dict[str, str]:
    """What the submission page's one form would post as shown (the browser's defaults)."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<select[^>]*>.*?</select>|<input[^>]*>", html, re.S):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or name.group(1) == "csrf_token":
            continue
        if tag.startswith("<select"):
            chosen = re.search(r'<option selected value="([^"]*)"', tag) or re.search(
                r'value="([^"]*)"', tag
            )
            data[name.group(1)] = chosen.group(1) if chosen else ""
        elif 'type="checkbox"' in tag or 'type="radio"' in tag:
            if "checked" in tag:
                data[name.group(1)] = re.search(r'value="([^"]*)"', tag).group(1)
        else:
            value = re.search(r'value="([^"]*)"', tag)
            data[name.group(1)] = value.group(1) if value else ""
    return data


def test_submission_page_saves_everything_at_once(app, session, desk) -> None:
    client = _client(app, desk, "delegate_a")
    sid = desk.subs["riad"]
    html = client.get(f"/review/submissions/{sid}").get_data(as_text=True)
    assert "fatima@example.ma" in html and 'dir="auto">Améliorer l’accueil' in html
    no_consent = client.get(f"/review/submissions/{desk.subs['agence']}").get_data(as_text=True)
    assert "fatima@example.ma" not in no_consent
    assert "aucune coordonnée n" in no_consent

    # "Retenir" ticked on the first item, the second item re-themed, the status and a note
    # changed, then one press of the button: nothing of it is lost.
    first, second = items_of(session, sid)
    data = _page_form(html)
    assert data["items-0-id"] == str(first) and data["items-1-id"] == str(second)
    data.update(
        {
            "status": "reviewed",
            "items-0-shortlisted": "y",
            "items-1-theme": str(desk.themes["digitalisation"]),
            "items-1-priority": "high",
            "note": "Rappeler en mai",
            # a submission or a region cannot be chosen through the form
            "submission_id": str(desk.subs["agence"]),
            "region_id": "1",
        }
    )
    response = post(app, client, f"/review/submissions/{sid}", data)
    assert response.status_code == 302 and response.location.endswith(f"/review/submissions/{sid}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Modifications enregistrées." in page and "Rappeler en mai" in page
    session.expire_all()
    one, two = session.get(FeedbackItem, first), session.get(FeedbackItem, second)
    assert one.shortlisted and not two.shortlisted
    assert (two.theme_id, two.priority.value) == (desk.themes["digitalisation"], "high")
    assert session.get(Submission, sid).status is ReviewStatus.REVIEWED
    assert session.get(Submission, sid).region_id == desk.stop_a1.region_id
    assert len(audit_events(session, "item.shortlist")) == 1
    assert len(audit_events(session, "item.priority")) == 1

    # Saved again as shown: nothing changes, and the page says so.
    response = post(app, client, f"/review/submissions/{sid}", _page_form(page))
    assert "Aucun changement." in client.get(response.location).get_data(as_text=True)

    # One bad field refuses the whole save, says why next to it, keeps what was typed.
    data = _page_form(page)
    data.update({"items-0-kind": "poem", "items-1-shortlisted": "y", "note": "mot " * 1100})
    bad = post(app, client, f"/review/submissions/{sid}", data)
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and f'id="item{first}-kind-error"' in text
    assert 'id="note-error"' in text and ("mot " * 50) in text
    box = re.search(rf'<input[^>]*id="item{second}-shortlisted"[^>]*>', text).group(0)
    assert "checked" in box  # what was ticked stays ticked
    session.expire_all()
    assert session.get(FeedbackItem, second).shortlisted is False
    assert client.post(f"/review/submissions/{sid}", data={"status": "new"}).status_code == 400
    assert client.get("/review/submissions/999999").status_code == 404


def test_list_counts_results_and_the_page_walks_within_the_filters(app, session, desk) -> None:
    client = _client(app, desk, "delegate_a")
    s = desk.subs
    html = client.get("/review/").get_data(as_text=True)
    assert "3 contributions" in html
    html = client.get("/review/?kind=proposal").get_data(as_text=True)
    assert "2 contributions" in html and '<span class="badge">1</span>' in html
    assert f'href="/review/submissions/{s["safi"]}?kind=proposal"' in html
    # newest first: safi, then riad (agence has no proposal and is skipped)
    html = client.get(f"/review/submissions/{s['safi']}?kind=proposal").get_data(as_text=True)
    assert f'rel="next" href="/review/submissions/{s["riad"]}?kind=proposal"' in html
    assert 'rel="prev"' not in html
    assert 'href="/review/?kind=proposal"' in html  # back to the same list
    html = client.get(f"/review/submissions/{s['riad']}?kind=proposal").get_data(as_text=True)
    assert f'rel="prev" href="/review/submissions/{s["safi"]}?kind=proposal"' in html
    assert 'rel="next"' not in html
    # saving keeps the walk's filters
    response = post(app, client, f"/review/submissions/{s['riad']}?kind=proposal", _page_form(html))
    assert response.location.endswith(f"/review/submissions/{s['riad']}?kind=proposal")
    html = client.get(f"/review/submissions/{s['agence']}").get_data(as_text=True)
    assert f'rel="prev" href="/review/submissions/{s["safi"]}"' in html
    assert f'rel="next" href="/review/submissions/{s["riad"]}"' in html


def test_a_large_result_count_stops_at_the_cap(app, session, desk, monkeypatch) -> None:
    client = _client(app, desk, "delegate_a")
    monkeypatch.setattr(review_queries, "PAGE_SIZE", 2)  # counted by a query, not the page
    html = client.get("/review/").get_data(as_text=True)
    assert "3 contributions" in html
    monkeypatch.setattr(routes, "COUNT_CAP", 2)
    assert "Plus de 2 contributions" in client.get("/review/").get_data(as_text=True)


def test_bulk_from_the_list_page(app, session, desk) -> None:
    client = _client(app, desk, "delegate_a")
    s = desk.subs
    response = post(
        app,
        client,
        "/review/bulk",
        {
            "action": "reviewed",
            "submission_ids": [s["riad"], s["safi"]],
            "next": "/review/?status=new",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/review/?status=new")
    html = client.get(response.location).get_data(as_text=True)
    assert "2 contributions marquées « Examinée »." in html
    assert "Agence Sahara Tours" in html and "Riad Dar Atlas" not in html
    # elsewhere than the review desk is never a destination
    response = post(
        app,
        client,
        "/review/bulk",
        {
            "action": "theme",
            "theme": str(desk.themes["autre"]),
            "item_ids": items_of(session, s["riad"])[:1],
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response.location.endswith("/review/")
    assert len(audit_events(session, "item.bulk_theme")) == 1
    response = post(app, client, "/review/bulk", {"action": "reviewed", "submission_ids": ["x"]})
    assert response.status_code == 302
    assert "n&#39;a pas pu être appliquée" in client.get("/review/").get_data(as_text=True)


def test_list_page_paginates_with_links(app, session, desk, monkeypatch) -> None:
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


def test_hostile_input_never_fails(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_a.email)
    huge = "9" * 25
    for path in ("/review/?q=%00abc", "/review/?q=a%00"):
        assert client.get(path).status_code == 400, path  # a NUL is refused before any route
    for path in (
        f"/review/?after={huge}.{huge}",
        f"/review/?stop={huge}",
        f"/review/submissions/{huge}",
    ):
        assert client.get(path).status_code in (200, 404), path
    for path, data in [
        (f"/review/submissions/{huge}", {"status": "spam"}),
        (
            f"/review/submissions/{desk.subs['riad']}",
            {"status": "new", "items-0-id": huge, "items-0-kind": "need"},
        ),
        ("/review/bulk", {"action": "spam", "submission_ids": [huge]}),
        ("/review/bulk", {"action": "theme", "theme": huge, "item_ids": [huge]}),
        (f"/review/submissions/{desk.subs['riad']}", {"status": "new", "note": "\x00"}),
    ]:
        # 405: werkzeug's matcher knows the address takes POST before the id is refused
        assert post(app, client, path, data).status_code in (302, 404, 405, 422), path


def test_save_and_next_saves_then_opens_the_next_of_the_walk(app, session, desk) -> None:
    client = _client(app, desk, "delegate_a")
    s = desk.subs
    html = client.get(f"/review/submissions/{s['safi']}?kind=proposal").get_data(as_text=True)
    assert 'name="then" value="next"' in html  # offered when there is a next one
    form = {**_page_form(html), "status": "reviewed", "then": "next"}
    response = post(app, client, f"/review/submissions/{s['safi']}?kind=proposal", form)
    assert response.location.endswith(f"/review/submissions/{s['riad']}?kind=proposal")
    session.expire_all()
    assert session.get(Submission, s["safi"]).status == ReviewStatus.REVIEWED
    last = client.get(f"/review/submissions/{s['riad']}?kind=proposal").get_data(as_text=True)
    assert 'name="then" value="next"' not in last  # the end of the walk: plain save only
