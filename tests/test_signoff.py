"""Delegate sign-off of a stop: every review action becomes read-only for the delegate until
HQ reopens it (with a reason); later submissions are still stored and flagged; audited."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import event, func, select

from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import (
    AuditEvent,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ReviewNote,
    ReviewStatus,
    StopSignOff,
    StopStatus,
    Submission,
)
from feedback_app.services.access import Scope, scope_for
from feedback_app.services.errors import SignedOff, ValidationFailed
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.review import signoff
from feedback_app.services.tour import stop_lock
from tests.conftest import valid_payload
from tests.review_world import Desk, audit_events, items_of
from tests.staff import post, signed_in
from tests.test_review_pages import _page_form


def _scopes(desk: Desk) -> tuple[Scope, Scope]:
    return scope_for(desk.delegate_a), scope_for(desk.hq)


def _sign(session, desk: Desk, stop=None, summary: str = "Forte demande de formation."):
    delegate, _hq = _scopes(desk)
    return signoff.sign_off(
        session, delegate, (stop or desk.stop_a1).id, summary, actor_id=desk.delegate_a.id
    )


def _snapshot(session) -> tuple:
    """Everything a review action could change, to see that a refused one changed nothing."""
    session.expire_all()
    return (
        sorted(session.execute(select(Submission.id, Submission.status)).all()),
        sorted(
            session.execute(
                select(
                    FeedbackItem.id,
                    FeedbackItem.kind,
                    FeedbackItem.theme_id,
                    FeedbackItem.shortlisted,
                )
            ).all()
        ),
        sorted(session.execute(select(IdeaGroup.id, IdeaGroup.title, IdeaGroup.confirmed)).all()),
        sorted(
            session.execute(
                select(IdeaGroupMember.item_id, IdeaGroupMember.group_id, IdeaGroupMember.pinned)
            ).all()
        ),
        session.scalar(select(func.count()).select_from(ReviewNote)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
    )


def _groups(session, desk: Desk) -> tuple[int, int]:
    """Two idea groups drawing on the signed-off stop (riad) and on the other one (safi)."""
    riad_item, safi_item = (
        items_of(session, desk.subs["riad"])[0],
        items_of(session, desk.subs["safi"])[0],
    )
    with write_transaction(session):
        groups = [IdeaGroup(kind="need", title=title) for title in ("Riad", "Safi")]
        session.add_all(groups)
        session.flush()
        session.add_all(
            IdeaGroupMember(item_id=item_id, group_id=group.id, pinned=False, closeness=1.0)
            for item_id, group in zip((riad_item, safi_item), groups, strict=True)
        )
        session.flush()
        idea_tallies.refresh(session, [group.id for group in groups])  # as a regrouping would
    return groups[0].id, groups[1].id


def test_every_review_action_is_refused_to_the_delegate_after_sign_off(session, desk) -> None:
    delegate, _hq = _scopes(desk)
    _sign(session, desk)
    riad, agence, safi = desk.subs["riad"], desk.subs["agence"], desk.subs["safi"]
    riad_item = items_of(session, riad)[0]
    theme = desk.themes["durabilite"]
    actor = desk.delegate_a.id
    riad_group, safi_group = _groups(session, desk)
    before = _snapshot(session)

    def save(status: str = "new", note: str = "", **item: object):
        """The submission page's one save, with the item as shown unless told otherwise."""
        shown = session.get(FeedbackItem, riad_item)
        edit = {
            "kind": shown.kind.value,
            "theme_id": shown.theme_id,
            "shortlisted": shown.shortlisted,
            "priority": shown.priority.value if shown.priority else None,
            **item,
        }
        return review_actions.save_review(
            session,
            delegate,
            riad,
            status=status,
            items={riad_item: review_actions.ItemReview(**edit)},  # type: ignore[arg-type]
            note=note,
            actor_id=actor,
        )

    def update_item(**change) -> list[str]:
        """The riad item set to an unshortlisted need on infrastructures, but for `change`."""
        item = {"kind": "need", "theme_id": desk.themes["infrastructures"], "shortlisted": False}
        return review_actions.update_item(
            session, delegate, riad, riad_item, **{**item, **change}, actor_id=actor
        )

    actions = {
        "save: status": lambda: save(status="reviewed"),
        "save: item theme": lambda: save(theme_id=theme),
        "save: shortlist": lambda: save(shortlisted=True),
        "save: kind": lambda: save(kind="challenge"),
        "save: priority": lambda: save(priority="high"),
        "save: note": lambda: save(note="À rappeler"),
        "save: as shown": lambda: save(),
        "status": lambda: review_actions.set_status(
            session, delegate, riad, ReviewStatus.REVIEWED, actor_id=actor
        ),
        "item theme": lambda: update_item(theme_id=theme),
        "shortlist": lambda: update_item(shortlisted=True),
        "kind": lambda: update_item(kind="challenge"),
        "note": lambda: review_actions.add_note(
            session, delegate, riad, "À rappeler", actor_id=actor
        ),
        # a bulk selection touching one signed-off submission is refused whole
        "bulk status": lambda: review_bulk.bulk_set_status(
            session, delegate, [safi, agence], ReviewStatus.SPAM, actor_id=actor
        ),
        "bulk theme (submissions)": lambda: review_bulk.bulk_set_theme(
            session,
            delegate,
            submission_ids=[safi, riad],
            item_ids=[],
            theme_id=theme,
            actor_id=actor,
        ),
        "bulk theme (items)": lambda: review_bulk.bulk_set_theme(
            session,
            delegate,
            submission_ids=[],
            item_ids=[riad_item, items_of(session, safi)[0]],
            theme_id=theme,
            actor_id=actor,
        ),
        # idea curation: a group drawing on the signed-off stop is read-only
        "confirm group": lambda: idea_curation.confirm_group(
            session, delegate, riad_group, actor_id=actor
        ),
        "rename group": lambda: idea_curation.rename_group(
            session, delegate, riad_group, "Autre titre", actor_id=actor
        ),
        "merge groups": lambda: idea_curation.merge_groups(
            session, delegate, safi_group, [riad_group], actor_id=actor
        ),
        "split group": lambda: idea_curation.split_group(
            session, delegate, riad_group, [riad_item], actor_id=actor
        ),
    }
    for name, action in actions.items():
        with pytest.raises(SignedOff):
            action()
        assert _snapshot(session) == before, f"{name} changed something"

    # the region's other stop, not signed off, stays editable
    assert review_actions.set_status(session, delegate, safi, ReviewStatus.REVIEWED, actor_id=actor)
    assert idea_curation.confirm_group(session, delegate, safi_group, actor_id=actor) == 1


def test_hq_keeps_the_hand_on_a_signed_off_stop(session, desk) -> None:
    _delegate, hq = _scopes(desk)
    _sign(session, desk)
    riad = desk.subs["riad"]
    assert review_actions.set_status(session, hq, riad, ReviewStatus.REVIEWED, actor_id=desk.hq.id)
    assert review_bulk.bulk_set_theme(
        session,
        hq,
        submission_ids=[riad],
        item_ids=[],
        theme_id=desk.themes["durabilite"],
        actor_id=desk.hq.id,
    )


def test_sign_off_keeps_the_cleaned_summary_and_is_audited(session, desk) -> None:
    record = _sign(session, desk, summary="  الحاجة إلى التكوين\r\nDemande\x00 forte  ")
    session.expire_all()
    stored = session.get(StopSignOff, desk.stop_a1.id)
    assert stored.summary == "الحاجة إلى التكوين\nDemande forte"
    assert stored.signed_by_id == desk.delegate_a.id and stored.signed_at is not None
    assert record.is_signed
    [event] = audit_events(session, "stop.signoff")
    assert event.target_id == desk.stop_a1.id and event.user_id == desk.delegate_a.id
    assert event.after["summary"] == stored.summary


@pytest.mark.parametrize("summary", ["", "   \n ", "x" * (signoff.MAX_SUMMARY + 1)])
def test_a_summary_empty_or_too_long_signs_nothing(session, desk, summary: str) -> None:
    with pytest.raises(ValidationFailed) as failure:
        _sign(session, desk, summary=summary)
    assert "summary" in failure.value.errors
    assert session.scalar(select(func.count()).select_from(StopSignOff)) == 0
    assert audit_events(session, "stop.signoff") == []


def test_a_delegate_cannot_sign_another_regions_stop(session, desk) -> None:
    from feedback_app.services.errors import NotFound

    with pytest.raises(NotFound):
        signoff.sign_off(
            session,
            scope_for(desk.delegate_b),
            desk.stop_a1.id,
            "Synthèse",
            actor_id=desk.delegate_b.id,
        )


def test_reopen_needs_a_reason_and_gives_the_delegate_the_hand_back(session, desk) -> None:
    delegate, hq = _scopes(desk)
    _sign(session, desk)
    with pytest.raises(ValidationFailed):
        signoff.reopen(session, hq, desk.stop_a1.id, "  ", actor_id=desk.hq.id)
    assert stop_lock.is_signed(session, desk.stop_a1.id)
    signoff.reopen(
        session, hq, desk.stop_a1.id, "Contributions papier à ajouter", actor_id=desk.hq.id
    )
    assert not stop_lock.is_signed(session, desk.stop_a1.id)
    [event] = audit_events(session, "stop.reopen")
    assert event.after == {"reason": "Contributions papier à ajouter"}
    assert event.before["signed_by_id"] == desk.delegate_a.id
    assert review_actions.set_status(
        session, delegate, desk.subs["riad"], ReviewStatus.REVIEWED, actor_id=desk.delegate_a.id
    )
    session.expire_all()
    assert session.get(StopSignOff, desk.stop_a1.id).summary == "Forte demande de formation."


# --- the pages ----------------------------------------------------------------------------------


def test_pages_say_the_stop_is_signed_off_instead_of_failing(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_a.email)
    riad = desk.subs["riad"]
    page = f"/review/submissions/{riad}"
    response = post(
        app,
        client,
        f"/review/stops/{desk.stop_a1.id}/signoff",
        {"summary": "Synthèse de Marrakech", "confirm": "y"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "Signée par" in response.get_data(as_text=True)
    html = client.get(page).get_data(as_text=True)
    assert "lecture seule" in html
    item = items_of(session, riad)[0]
    form = _page_form(html)  # the page's one form, as it would be posted back
    assert form["items-0-id"] == str(item) and form["status"] == "new"
    for path, data in (
        (page, {**form, "status": "reviewed"}),
        (page, {**form, "items-0-kind": "need", "items-0-theme": "", "items-0-shortlisted": "y"}),
        (page, {**form, "note": "Une note"}),
        ("/review/bulk", {"action": "spam", "submission_ids": str(riad)}),
        (
            "/review/bulk",
            {"action": "theme", "theme": str(desk.themes["durabilite"]), "item_ids": str(item)},
        ),
    ):
        response = post(app, client, path, data, headers={"Referer": f"http://localhost{page}"})
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith(page)
        shown = client.get(page).get_data(as_text=True)
        assert "a été signée par son délégué" in shown, path
    # posted from nowhere (no referrer): a page that says why, not a 500
    response = post(app, client, page, {**form, "status": "spam", "note": "Une note"})
    assert response.status_code == 409
    assert "Le siège peut la rouvrir" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Submission, riad).status is ReviewStatus.NEW
    assert session.scalar(select(func.count()).select_from(ReviewNote)) == 0
    assert not session.get(FeedbackItem, item).shortlisted


def test_only_hq_reopens(app, session, desk) -> None:
    _sign(session, desk)
    path = f"/review/stops/{desk.stop_a1.id}/reopen"
    delegate = signed_in(app, desk.delegate_a.email)
    assert post(app, delegate, path, {"reason": "Je veux corriger"}).status_code == 403
    assert stop_lock.is_signed(session, desk.stop_a1.id)
    hq = signed_in(app, desk.hq.email)
    response = post(app, hq, path, {"reason": ""})
    assert response.status_code == 422
    assert "Indiquez pourquoi" in response.get_data(as_text=True)
    assert stop_lock.is_signed(session, desk.stop_a1.id)
    assert post(app, hq, path, {"reason": "Oubli"}).status_code == 302
    assert not stop_lock.is_signed(session, desk.stop_a1.id)


def test_summary_errors_are_shown_next_to_the_field_with_the_text_kept(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_a.email)
    text = "مهم " * 1300
    response = post(app, client, f"/review/stops/{desk.stop_a1.id}/signoff", {"summary": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "5000 caractères au plus." in html
    assert "مهم مهم" in html
    assert not stop_lock.is_signed(session, desk.stop_a1.id)


# --- what still arrives -------------------------------------------------------------------------


def test_the_offline_forms_api_still_accepts_and_flags_after_sign_off(app, session, desk) -> None:
    _sign(session, desk)
    client = app.test_client()
    response = client.post(
        f"/api/v1/stops/{desk.stop_a1.code}/submissions",
        json=valid_payload(organisation="Arrivée tardive"),
        headers={"X-Tournee-Channel": "form"},
    )
    assert response.status_code == 201
    stored = session.get(Submission, response.get_json()["id"])
    assert stored.after_signoff is True
    # the other stop, not signed off, is not flagged
    other = client.post(
        f"/api/v1/stops/{desk.stop_a2.code}/submissions",
        json=valid_payload(organisation="Safi à l'heure"),
    )
    assert session.get(Submission, other.get_json()["id"]).after_signoff is False

    # the offline grace: the stop closed, a phone sends what it filled while it was open
    with write_transaction(session):
        stop = desk.stop_a1
        stop.status = StopStatus.CLOSED
        stop.closed_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    filled = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat()
    late = client.post(
        f"/api/v1/stops/{desk.stop_a1.code}/submissions",
        json=valid_payload(
            organisation="Téléphone hors ligne", filled_at=filled, client_id=str(uuid.uuid4())
        ),
    )
    assert late.status_code == 201
    stored = session.get(Submission, late.get_json()["id"])
    assert stored.late and stored.after_signoff

    for who in (desk.delegate_a, desk.hq):
        reader = signed_in(app, who.email)
        html = reader.get(f"/review/?stop={desk.stop_a1.id}").get_data(as_text=True)
        assert html.count("Reçue après signature") == 2, who.email
        detail = reader.get(f"/review/submissions/{stored.id}").get_data(as_text=True)
        assert "Reçue après signature" in detail


def test_dashboard_says_who_signed_each_region_off(app, session, desk) -> None:
    hq = signed_in(app, desk.hq.email)
    html = hq.get("/hq/").get_data(as_text=True)
    assert "Pas encore signée" in html and "Signée par" not in html
    _sign(session, desk)
    html = hq.get("/hq/").get_data(as_text=True)
    assert "1 étape(s) signée(s) sur 2" in html  # Marrakech-Safi holds two stops
    _sign(session, desk, stop=desk.stop_a2)
    html = hq.get("/hq/").get_data(as_text=True)
    assert f"Signée par {desk.delegate_a.name}" in html


def test_the_ideas_pages_ask_about_the_signed_stops_only(session, desk) -> None:
    """Which groups a curation would refuse is asked of the few signed stops, never of the
    groups' own entries (100,000 and more in a heavy group at a million submissions): HQ, who
    keeps the hand, runs no statement at all; a delegate one for the signed stops, one for
    the groups drawing on them; and the answer is the refusals'."""
    delegate, hq = _scopes(desk)
    riad_group, safi_group = _groups(session, desk)
    shown = [riad_group, safi_group]
    assert idea_curation.locked_groups(session, delegate, shown) == set()
    _sign(session, desk)
    statements: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert idea_curation.locked_groups(session, hq, shown) == set()
        assert statements == []
        assert idea_curation.locked_groups(session, delegate, shown) == {riad_group}
        assert len(statements) == 2
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    with pytest.raises(SignedOff):
        idea_curation.confirm_group(session, delegate, riad_group, actor_id=desk.delegate_a.id)
    idea_curation.confirm_group(session, delegate, safi_group, actor_id=desk.delegate_a.id)
    # HQ marks the signed stop's entry spam: the group draws on no signed stop any more.
    review_actions.set_status(session, hq, desk.subs["riad"], "spam", actor_id=desk.hq.id)
    assert idea_curation.locked_groups(session, delegate, shown) == set()
