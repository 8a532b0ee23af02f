"""The live screen of a stop: figures from the running tallies, no personal data, no
unreviewed text unless HQ allowed it for the stop, refreshed by a script or a meta refresh."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from feedback_app.models import FeedbackItem, Submission
from feedback_app.services.access import scope_for
from feedback_app.services.capture import tally
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.synthesis import live
from tests.review_world import Desk, items_of, store
from tests.staff import add_stop, post, signed_in

PERSONAL = [
    "Riad Dar Atlas",
    "Agence Sahara Tours",
    "Fatima Benali",
    "fatima@example.ma",
    "+212600000000",
    "212600000000",
]
UNREVIEWED = ["Améliorer l’accueil", "Former les guides au numérique", "saisonnalité"]


def _recount(session, stop_id: int) -> tally.StopCounts:
    """What the tallies must say, counted the slow way from the items."""
    rows = session.execute(
        select(FeedbackItem.kind, FeedbackItem.theme_id)
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .where(Submission.stop_id == stop_id)
    ).all()
    by_kind = {kind: 0 for kind in ("need", "opportunity", "challenge", "proposal")}
    by_theme: dict[str, Counter[int]] = {kind: Counter() for kind in by_kind}
    for kind, theme_id in rows:
        by_kind[kind.value] += 1
        if theme_id:
            by_theme[kind.value][theme_id] += 1
    submissions = len(
        session.scalars(select(Submission.id).where(Submission.stop_id == stop_id)).all()
    )
    return tally.StopCounts(submissions, by_kind, {k: dict(v) for k, v in by_theme.items()})


def test_tallies_follow_submissions_and_review_changes(session, desk) -> None:
    stop = desk.stop_a1.id
    assert tally.read_counts(session, stop) == _recount(session, stop)
    counts = tally.read_counts(session, stop)
    assert counts.submissions == 2
    assert counts.by_kind == {"need": 1, "opportunity": 0, "challenge": 1, "proposal": 1}
    hq = scope_for(desk.hq)
    riad, agence = desk.subs["riad"], desk.subs["agence"]
    need = items_of(session, riad)[0]
    review_actions.update_item(
        session,
        hq,
        riad,
        need,
        kind="challenge",
        theme_id=desk.themes["durabilite"],
        shortlisted=True,
        actor_id=desk.hq.id,
    )
    review_bulk.bulk_set_theme(
        session,
        hq,
        submission_ids=[agence, riad],
        item_ids=[],
        theme_id=desk.themes["formation-rh"],
        actor_id=desk.hq.id,
    )
    store(
        session,
        desk.stop_a1,
        "Nouvelle",
        minutes=50,
        items=[
            {"kind": "need", "text": "Plus de vols.", "theme": "infrastructures"},
            {"kind": "need", "text": "Des navettes."},
        ],
    )
    session.expire_all()
    assert tally.read_counts(session, stop) == _recount(session, stop)
    assert tally.read_counts(session, stop).submissions == 3
    # another stop's counts did not move
    assert tally.read_counts(session, desk.stop_b.id) == _recount(session, desk.stop_b.id)


def _payload(app, desk: Desk, who: str = "delegate_a"):
    client = signed_in(app, getattr(desk, who).email)
    response = client.get(f"/review/stops/{desk.stop_a1.id}/live.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return client, response.get_json()


def test_the_payload_holds_figures_and_no_personal_data(app, session, desk) -> None:
    client, data = _payload(app, desk)
    assert data["submissions"] == 2
    assert {k["kind"]: k["count"] for k in data["kinds"]} == {
        "need": 1,
        "opportunity": 0,
        "challenge": 1,
        "proposal": 1,
    }
    assert {k["kind"]: k["label"]["ar"] for k in data["kinds"]}["need"] == "الاحتياجات"
    assert sorted(t["count"] for t in data["themes"]) == [1, 1]
    assert all(t["label"]["fr"] and t["label"]["ar"] for t in data["themes"])
    assert data["texts"] == []  # nothing reviewed yet
    page = client.get(f"/review/stops/{desk.stop_a1.id}/live").get_data(as_text=True)
    raw = json.dumps(data, ensure_ascii=False)
    references = list(session.scalars(select(Submission.reference)))
    for body in (raw, page):
        leaked = [s for s in PERSONAL + UNREVIEWED + references if s in body]
        assert not leaked


def test_shortlisted_text_shown_unreviewed_only_when_hq_allows(app, session, desk) -> None:
    hq_scope = scope_for(desk.hq)
    riad = desk.subs["riad"]
    proposal = items_of(session, riad)[1]
    review_actions.update_item(
        session,
        hq_scope,
        riad,
        proposal,
        kind="proposal",
        theme_id=desk.themes["formation-rh"],
        shortlisted=True,
        actor_id=desk.hq.id,
    )
    _client, data = _payload(app, desk)
    assert [t["text"] for t in data["texts"]] == ["Former les guides au numérique."]
    raw = json.dumps(data, ensure_ascii=False)
    assert "saisonnalité" not in raw and "Riad Dar Atlas" not in raw

    # the delegate may not change the setting; HQ may
    delegate = signed_in(app, desk.delegate_a.email)
    path = f"/review/stops/{desk.stop_a1.id}/live/settings"
    assert post(app, delegate, path, {"unreviewed": "1"}).status_code == 403
    hq = signed_in(app, desk.hq.email)
    assert post(app, hq, path, {"unreviewed": "1"}).status_code == 302
    _client, data = _payload(app, desk)
    texts = " ".join(t["text"] for t in data["texts"])
    assert "saisonnalité" in texts and data["unreviewed_texts"] is True
    raw = json.dumps(data, ensure_ascii=False)
    assert not [s for s in PERSONAL if s in raw]
    assert post(app, hq, path, {}).status_code == 302  # unticked: back to reviewed text only
    _client, data = _payload(app, desk)
    assert "saisonnalité" not in json.dumps(data, ensure_ascii=False)


def test_the_page_refreshes_with_a_script_or_without_one(app, session, desk) -> None:
    client = signed_in(app, desk.hq.email)
    response = client.get(f"/review/stops/{desk.stop_a1.id}/live")
    html = response.get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh"' in html
    assert "/static/js/live.js" in html and "<script>" not in html
    assert f'data-url="/review/stops/{desk.stop_a1.id}/live.json"' in html
    # both languages side by side, whatever the reader's
    assert "Contributions reçues" in html and 'lang="ar"' in html
    assert client.get("/static/js/live.js").status_code == 200


def test_another_regions_delegate_gets_404(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_b.email)
    assert client.get(f"/review/stops/{desk.stop_a1.id}/live").status_code == 404
    assert client.get(f"/review/stops/{desk.stop_a1.id}/live.json").status_code == 404


def test_a_stop_without_submissions_shows_zeros(app, session, desk) -> None:
    stop = add_stop(session, "Essaouira", date=desk.stop_a1.date)
    figures = live.live_figures(session, scope_for(desk.delegate_a), stop.id)
    assert figures.submissions == 0 and figures.top_themes == [] and figures.texts == []


GUIDES = [
    "Former les guides touristiques aux langues étrangères",
    "Des cours de langues étrangères pour les guides touristiques",
    "Nos guides doivent être formés aux langues des visiteurs étrangers",
]


def test_recurring_ideas_show_a_person_written_title_or_the_stops_own_text(session, desk) -> None:
    from feedback_app.services.access import EVERYTHING
    from feedback_app.services.ideas import curation as idea_curation
    from feedback_app.services.ideas import queries as idea_group_queries
    from feedback_app.services.ideas.groups import regroup
    from feedback_app.services.review import signoff

    for n, text in enumerate(GUIDES):
        store(
            session,
            desk.stop_a1,
            f"Riad {n}",
            minutes=40 + n,
            items=[{"kind": "need", "text": text}],
        )
    # the same idea in region B: it must never show through region A's screen
    store(
        session,
        desk.stop_b,
        "Hôtel Agadir",
        minutes=60,
        items=[{"kind": "need", "text": "Former nos guides touristiques aux langues étrangères"}],
    )
    regroup(session)
    [group] = idea_group_queries.top_groups(session, EVERYTHING, "need", limit=1)
    delegate = scope_for(desk.delegate_a)
    # nobody reviewed the title yet: not on the screen
    assert live.live_figures(session, delegate, desk.stop_a1.id).ideas == []
    # HQ allows unreviewed text: the stop's own wording, counted within the stop
    live.set_live_unreviewed(session, scope_for(desk.hq), desk.stop_a1.id, True, actor_id=None)
    ideas = live.live_figures(session, delegate, desk.stop_a1.id).ideas
    assert [i.count for i in ideas] == [3] and ideas[0].title in GUIDES
    live.set_live_unreviewed(session, scope_for(desk.hq), desk.stop_a1.id, False, actor_id=None)
    idea_curation.rename_group(session, EVERYTHING, group.id, "Langues des guides", actor_id=None)
    regroup(session)  # a new grouping stamp: the screen's cached answer is recomputed
    ideas = live.live_figures(session, delegate, desk.stop_a1.id).ideas
    assert [(i.title, i.count) for i in ideas] == [("Langues des guides", 3)]
    # the brief ranks it within region A only
    from feedback_app.services.synthesis import brief

    data = brief.region_brief(session, delegate, None, language="fr")
    assert [(i.label, i.count) for i in data.ideas["need"]] == [("Langues des guides", 3)]
    # and curation of a group drawing on a signed-off stop is read-only for the delegate
    signoff.sign_off(session, delegate, desk.stop_a1.id, "Synthèse", actor_id=None)
    from feedback_app.services.errors import SignedOff

    with pytest.raises(SignedOff):
        idea_curation.rename_group(session, delegate, group.id, "Autre titre", actor_id=None)


def test_the_ideas_waiting_for_a_title_are_counted_once_per_change(app, session, desk) -> None:
    """A screen polls every few seconds: the count of recurring ideas held back for want of a
    reviewed title (a GROUP BY over the stop's entries) is computed again only when the
    groups or the stop's counted entries change, never per poll."""
    from sqlalchemy import event

    from feedback_app.extensions import db
    from feedback_app.services.ideas.groups import regroup

    ids = [
        store(
            session, desk.stop_a1, f"Riad {n}", minutes=40 + n, items=[{"kind": "need", "text": t}]
        )
        for n, t in enumerate(GUIDES)
    ]
    regroup(session)
    delegate = scope_for(desk.delegate_a)
    assert live.live_figures(session, delegate, desk.stop_a1.id).ideas_waiting == 1
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert live.live_figures(session, delegate, desk.stop_a1.id).ideas_waiting == 1
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert not [s for s in seen if "idea_group_members" in s], seen
    # Two of its three entries marked spam: the stop's counts move, the idea no longer recurs.
    review_bulk.bulk_set_status(session, scope_for(desk.hq), ids[:2], "spam", actor_id=None)
    assert live.live_figures(session, delegate, desk.stop_a1.id).ideas_waiting == 0
