"""The review desk's services on both databases: list, filters, search, seek pagination,
counts, status/item/note/bulk actions with their audit rows, and the region lock."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import replace

import pytest
from sqlalchemy import select

from feedback_app.database import write_transaction
from feedback_app.models import (
    AuditEvent,
    FeedbackItem,
    ItemKind,
    Priority,
    ReviewStatus,
    Submission,
    Theme,
)
from feedback_app.services.access import Scope, scope_for
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.review.actions import (
    ItemReview,
    add_note,
    save_review,
    set_status,
    update_item,
)
from feedback_app.services.review.bulk import bulk_set_status, bulk_set_theme
from feedback_app.services.review.detail import get_submission
from feedback_app.services.review.filters import ReviewFilters
from feedback_app.services.review.queries import (
    Cursor,
    count_submissions,
    list_submissions,
    neighbours,
    new_counts,
)
from tests.review_world import (
    T0,
    age,
    audit_events,
    ids,
    items_of,
    store,
    updated_at,
)
from tests.staff import REGION_A, REGION_B

# --- list, scope, filters ---------------------------------------------------------------------


def test_list_is_newest_first_and_locked_to_the_region(session, desk) -> None:
    s = desk.subs
    assert ids(session, scope_for(desk.delegate_a)) == [s["safi"], s["agence"], s["riad"]]
    assert ids(session, scope_for(desk.delegate_b)) == [s["agadir"]]
    assert ids(session, scope_for(desk.hq)) == [s["agadir"], s["safi"], s["agence"], s["riad"]]
    # Asking for the other region through the region filter gives nothing, not their rows.
    region_a = session.get(Submission, s["riad"]).region_id
    assert ids(session, scope_for(desk.delegate_b), region_id=region_a) == []
    assert ids(session, Scope(user_id=None, region_ids=frozenset())) == []


def test_each_filter_narrows_the_list(session, desk) -> None:
    s, t, hq = desk.subs, desk.themes, scope_for(desk.hq)
    assert ids(session, hq, stop_id=desk.stop_a2.id) == [s["safi"]]
    assert ids(session, hq, category="agence_voyages") == [s["agence"]]
    assert ids(session, hq, kind=ItemKind.CHALLENGE) == [s["agence"]]
    assert ids(session, hq, theme_id=t["formation-rh"]) == [s["agadir"], s["riad"]]
    assert ids(session, hq, unthemed=True) == [s["safi"], s["agence"]]
    # kind and theme must hold for one and the same item
    assert ids(session, hq, kind=ItemKind.NEED, theme_id=t["formation-rh"]) == []
    assert ids(session, hq, kind=ItemKind.PROPOSAL, theme_id=t["formation-rh"]) == [
        s["agadir"],
        s["riad"],
    ]
    assert ids(
        session,
        hq,
        created_from=T0 + dt.timedelta(minutes=10),
        created_before=T0 + dt.timedelta(minutes=30),
    ) == [s["safi"], s["agence"]]
    set_status(session, hq, s["agence"], "spam", actor_id=desk.hq.id)
    assert ids(session, hq, status=ReviewStatus.SPAM) == [s["agence"]]
    assert ids(session, hq, status=ReviewStatus.NEW) == [s["agadir"], s["safi"], s["riad"]]
    item = items_of(session, s["safi"])[1]
    update_item(
        session,
        hq,
        s["safi"],
        item,
        kind="proposal",
        theme_id=t["durabilite"],
        shortlisted=True,
        actor_id=desk.hq.id,
    )
    assert ids(session, hq, shortlisted=True) == [s["safi"]]
    assert ids(session, hq, shortlisted=False) == [s["agadir"], s["agence"], s["riad"]]
    assert ids(session, hq, shortlisted=True, kind=ItemKind.OPPORTUNITY) == []


# --- search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("aeroport", ["riad"]),  # accents ignored
        ("AÉROPORT", ["riad"]),  # case ignored, accented capitals too
        ("l'accueil", ["agadir", "riad"]),  # typographic and straight apostrophes alike
        ("sahara", ["agence"]),  # organisation
        ("oeuvre", ["safi"]),  # œ written oe
        ("guides former", ["agadir", "riad"]),  # every word, in any order
        ("guides surf", ["agadir"]),
        ("100%", ["agence"]),  # LIKE wildcards are plain characters
        ("10_%", []),
        ("السياحة", ["safi"]),  # Arabic without its vowel marks
        ("zzz", []),
    ],
)
def test_search_folds_case_and_accents_on_every_database(session, desk, query, expected) -> None:
    found = ids(session, scope_for(desk.hq), query=query)
    assert found == [desk.subs[name] for name in expected]


def test_search_by_receipt_reference_and_within_the_region_only(session, desk) -> None:
    reference = session.get(Submission, desk.subs["riad"]).reference
    assert ids(session, scope_for(desk.delegate_a), query=reference.lower()) == [desk.subs["riad"]]
    assert ids(session, scope_for(desk.delegate_b), query=reference) == []
    assert ids(session, scope_for(desk.delegate_b), query="Riad Dar Atlas") == []
    assert ids(session, scope_for(desk.delegate_b), query="former") == [desk.subs["agadir"]]


# --- pagination -------------------------------------------------------------------------------


def test_seek_pagination_has_no_duplicates_or_gaps_both_ways(session, desk) -> None:
    for number in range(20):  # many share the same second: the id breaks the tie
        store(
            session,
            desk.stop_a1,
            f"Hôtel {number}",
            minutes=40 + number // 3,
            items=[{"kind": "need", "text": f"Besoin {number}"}],
        )
    scope = scope_for(desk.delegate_a)
    expected = ids(session, scope)
    assert len(expected) == 23
    pages, cursor = [], None
    while True:
        page = list_submissions(session, scope, ReviewFilters(), after=cursor, limit=4)
        pages.append([row.id for row in page.rows])
        if page.older is None:
            break
        cursor = Cursor.decode(page.older.encode())
    assert [i for p in pages for i in p] == expected
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 3]
    back, cursor = [], page.newer
    while cursor is not None:
        page = list_submissions(
            session, scope, ReviewFilters(), before=Cursor.decode(cursor.encode()), limit=4
        )
        back.append([row.id for row in page.rows])
        cursor = page.newer
    assert back == pages[-2::-1]
    # the rows keep their ordered items and their note counts
    first = list_submissions(session, scope, ReviewFilters(query="aeroport")).rows[0]
    assert [i.kind for i in first.items] == [ItemKind.NEED, ItemKind.PROPOSAL]
    assert first.notes == 0


@pytest.mark.parametrize("token", ["", "abc", "1.2.3", "-5.3", "١٢٣.٤", "9" * 40 + ".1"])
def test_malformed_cursor_is_ignored(token: str) -> None:
    assert Cursor.decode(token) is None


# --- counts -----------------------------------------------------------------------------------


def test_new_counts_per_region_follow_the_status(session, desk) -> None:
    counts = {c.region.slug: c.count for c in new_counts(session, scope_for(desk.hq))}
    assert counts[REGION_A] == 3 and counts[REGION_B] == 1 and len(counts) == 12
    delegate = new_counts(session, scope_for(desk.delegate_b))
    assert [(c.region.slug, c.count) for c in delegate] == [(REGION_B, 1)]
    bulk_set_status(
        session,
        scope_for(desk.delegate_a),
        [desk.subs["riad"], desk.subs["safi"]],
        "reviewed",
        actor_id=desk.delegate_a.id,
    )
    after = {c.region.slug: c.count for c in new_counts(session, scope_for(desk.hq))}
    assert after[REGION_A] == 1 and after[REGION_B] == 1


# --- actions, audit and updated_at ------------------------------------------------------------


def test_status_change_is_audited_and_bumpsupdated_at(session, desk) -> None:
    sid, scope = desk.subs["riad"], scope_for(desk.delegate_a)
    old = age(session, sid)
    assert set_status(session, scope, sid, ReviewStatus.REVIEWED, actor_id=desk.delegate_a.id)
    assert updated_at(session, sid) > old
    assert not set_status(session, scope, sid, "reviewed", actor_id=desk.delegate_a.id)
    [event] = audit_events(session, "submission.status")
    assert (event.user_id, event.target_type, event.target_id) == (
        desk.delegate_a.id,
        "submission",
        sid,
    )
    assert event.before == {"status": "new"} and event.after == {"status": "reviewed"}
    assert event.region_id == session.get(Submission, sid).region_id
    with pytest.raises(ValidationFailed):
        set_status(session, scope, sid, "archived", actor_id=desk.delegate_a.id)


def test_item_changes_are_audited_per_field_and_bump_the_submission(session, desk) -> None:
    sid, scope, t = desk.subs["riad"], scope_for(desk.delegate_a), desk.themes
    item = items_of(session, sid)[0]
    old = age(session, sid)
    change = functools.partial(
        update_item,
        session,
        scope,
        sid,
        item,
        kind="challenge",
        theme_id=t["digitalisation"],
        shortlisted=True,
        actor_id=desk.delegate_a.id,
    )
    assert change() == ["kind", "theme", "shortlisted"]
    assert updated_at(session, sid) > old
    stored = session.get(FeedbackItem, item)
    assert (stored.kind, stored.theme_id, stored.shortlisted) == (
        ItemKind.CHALLENGE,
        t["digitalisation"],
        True,
    )
    assert stored.submission_id == sid
    [theme_event] = audit_events(session, "item.theme")
    assert theme_event.before["theme"] == "infrastructures"
    assert theme_event.after["theme"] == "digitalisation"
    assert audit_events(session, "item.kind")[0].after["kind"] == "challenge"
    assert audit_events(session, "item.shortlist")[0].after["shortlisted"] is True
    # Nothing changed: nothing audited, nothing bumped.
    old = age(session, sid)
    assert change() == []
    assert updated_at(session, sid) == old
    assert len(audit_events(session, "item.theme")) == 1


def test_a_retired_theme_stays_but_cannot_be_given(session, desk) -> None:
    sid, scope, t = desk.subs["riad"], scope_for(desk.delegate_a), desk.themes
    first, second = items_of(session, sid)
    with write_transaction(session):
        session.get(Theme, t["infrastructures"]).retired = True
    # the item that has it keeps it while its other fields change
    assert update_item(
        session,
        scope,
        sid,
        first,
        kind="need",
        theme_id=t["infrastructures"],
        shortlisted=True,
        actor_id=None,
    ) == ["shortlisted"]
    with pytest.raises(ValidationFailed) as refused:
        update_item(
            session,
            scope,
            sid,
            second,
            kind="proposal",
            theme_id=t["infrastructures"],
            shortlisted=False,
            actor_id=None,
        )
    assert "theme" in refused.value.errors
    with pytest.raises(ValidationFailed):
        update_item(
            session,
            scope,
            sid,
            second,
            kind="proposal",
            theme_id=999_999,
            shortlisted=False,
            actor_id=None,
        )
    with pytest.raises(ValidationFailed):
        bulk_set_theme(
            session,
            scope,
            submission_ids=[sid],
            item_ids=[],
            theme_id=t["infrastructures"],
            actor_id=None,
        )


def test_notes_are_cleaned_audited_and_shown_in_order(session, desk) -> None:
    sid, scope = desk.subs["agence"], scope_for(desk.delegate_a)
    old = age(session, sid)
    add_note(session, scope, sid, "  Rappeler\r\nen mai\x00 ", actor_id=desk.delegate_a.id)
    add_note(session, scope, sid, "Vu avec le CRT.", actor_id=desk.hq.id)
    assert updated_at(session, sid) > old
    detail = get_submission(session, scope, sid)
    assert [n.text for n in detail.notes] == ["Rappeler\nen mai", "Vu avec le CRT."]
    assert detail.notes[0].author.id == desk.delegate_a.id
    assert [e.after["text"] for e in audit_events(session, "note.create")] == [
        "Rappeler\nen mai",
        "Vu avec le CRT.",
    ]
    for bad in ("", "   \n ", "x" * 4001):
        with pytest.raises(ValidationFailed):
            add_note(session, scope, sid, bad, actor_id=None)
    page = list_submissions(session, scope, ReviewFilters(query="sahara"))
    assert page.rows[0].notes == 2


def test_contact_details_only_with_consent(session, desk) -> None:
    scope = scope_for(desk.hq)
    with_consent = get_submission(session, scope, desk.subs["riad"])
    assert with_consent.contact.email == "fatima@example.ma"
    assert get_submission(session, scope, desk.subs["agence"]).contact is None


# --- bulk -------------------------------------------------------------------------------------


def test_bulk_status_and_theme(session, desk) -> None:
    s, t, scope = desk.subs, desk.themes, scope_for(desk.delegate_a)
    olds = {sid: age(session, sid) for sid in (s["riad"], s["agence"])}
    assert (
        bulk_set_status(
            session, scope, [s["riad"], s["agence"], s["riad"]], "spam", actor_id=desk.delegate_a.id
        )
        == 2
    )
    assert all(updated_at(session, sid) > old for sid, old in olds.items())
    assert {e.target_id for e in audit_events(session, "submission.bulk_status")} == {
        s["riad"],
        s["agence"],
    }
    # theme on every item of the chosen submissions
    assert (
        bulk_set_theme(
            session,
            scope,
            submission_ids=[s["riad"], s["safi"]],
            item_ids=[],
            theme_id=t["evenementiel"],
            actor_id=desk.delegate_a.id,
        )
        == 4
    )
    themed = session.scalars(
        select(FeedbackItem.theme_id).where(FeedbackItem.submission_id.in_([s["riad"], s["safi"]]))
    ).all()
    assert set(themed) == {t["evenementiel"]}
    assert len(audit_events(session, "item.bulk_theme")) == 4
    # only the chosen items when some are chosen
    chosen = items_of(session, s["safi"])[:1]
    assert (
        bulk_set_theme(
            session,
            scope,
            submission_ids=[s["riad"]],
            item_ids=chosen,
            theme_id=t["digitalisation"],
            actor_id=None,
        )
        == 1
    )
    assert session.get(FeedbackItem, chosen[0]).theme_id == t["digitalisation"]
    assert {session.get(FeedbackItem, i).theme_id for i in items_of(session, s["riad"])} == {
        t["evenementiel"]
    }
    with pytest.raises(ValidationFailed):
        bulk_set_status(session, scope, [], "reviewed", actor_id=None)


# --- region lock in the services ---------------------------------------------------------------


def test_other_region_is_not_found_and_nothing_changes(session, desk) -> None:
    s, t = desk.subs, desk.themes
    b = scope_for(desk.delegate_b)
    item_a = items_of(session, s["riad"])[0]
    attempts = [
        lambda: get_submission(session, b, s["riad"]),
        lambda: set_status(session, b, s["riad"], "spam", actor_id=None),
        lambda: update_item(
            session,
            b,
            s["riad"],
            item_a,
            kind="need",
            theme_id=None,
            shortlisted=True,
            actor_id=None,
        ),
        lambda: add_note(session, b, s["riad"], "hello", actor_id=None),
        # a selection mixing one's own and another region's records is refused as a whole
        lambda: bulk_set_status(session, b, [s["agadir"], s["riad"]], "spam", actor_id=None),
        lambda: bulk_set_theme(
            session,
            b,
            submission_ids=[s["agadir"], s["riad"]],
            item_ids=[],
            theme_id=t["autre"],
            actor_id=None,
        ),
        lambda: bulk_set_theme(
            session, b, submission_ids=[], item_ids=[item_a], theme_id=t["autre"], actor_id=None
        ),
        # an item reached through another submission's address
        lambda: update_item(
            session,
            scope_for(desk.delegate_a),
            s["agence"],
            item_a,
            kind="need",
            theme_id=None,
            shortlisted=True,
            actor_id=None,
        ),
        lambda: get_submission(session, b, 999_999),
    ]
    for attempt in attempts:
        with pytest.raises(NotFound):
            attempt()
    session.expire_all()
    assert session.get(Submission, s["riad"]).status is ReviewStatus.NEW
    assert session.get(Submission, s["agadir"]).status is ReviewStatus.NEW
    assert session.get(FeedbackItem, item_a).shortlisted is False
    assert (
        session.scalar(
            select(AuditEvent.id).where(
                AuditEvent.action.in_(
                    [
                        "submission.status",
                        "submission.bulk_status",
                        "item.bulk_theme",
                        "item.shortlist",
                        "note.create",
                    ]
                )
            )
        )
        is None
    )


# --- the submission page's one save ------------------------------------------------------------


def _as_shown(session, sid: int) -> dict[int, ItemReview]:
    session.expire_all()
    return {
        item.id: ItemReview(item.kind, item.theme_id, item.shortlisted, item.priority)
        for item in session.get(Submission, sid).items
    }


def test_one_save_keeps_every_edit_of_the_page(session, desk) -> None:
    """Ticking "Retenir" on one item and re-theming another, then saving once, keeps both."""
    sid, scope, t = desk.subs["riad"], scope_for(desk.delegate_a), desk.themes
    first, second = items_of(session, sid)
    edits = _as_shown(session, sid)
    edits[first] = replace(edits[first], shortlisted=True)
    edits[second] = replace(edits[second], theme_id=t["digitalisation"], priority="high")
    old = age(session, sid)
    changed = save_review(
        session,
        scope,
        sid,
        status="reviewed",
        items=edits,
        note="  Rappeler en mai ",
        actor_id=desk.delegate_a.id,
    )
    assert changed == [
        "status",
        f"items.{first}.shortlisted",
        f"items.{second}.theme",
        f"items.{second}.priority",
        "note",
    ]
    session.expire_all()
    assert session.get(FeedbackItem, first).shortlisted is True
    assert session.get(FeedbackItem, second).theme_id == t["digitalisation"]
    assert session.get(FeedbackItem, second).priority is Priority.HIGH
    assert session.get(Submission, sid).status is ReviewStatus.REVIEWED
    assert updated_at(session, sid) > old
    assert get_submission(session, scope, sid).notes[0].text == "Rappeler en mai"
    # one audit row per change, each naming the submission
    assert [e.target_id for e in audit_events(session, "item.shortlist")] == [first]
    assert audit_events(session, "item.priority")[0].after == {
        "priority": "high",
        "submission_id": sid,
    }
    assert len(audit_events(session, "submission.status")) == 1
    assert len(audit_events(session, "note.create")) == 1
    # the same page saved again: nothing changes, nothing is audited or bumped
    old = age(session, sid)
    assert (
        save_review(
            session,
            scope,
            sid,
            status="reviewed",
            items=_as_shown(session, sid),
            actor_id=desk.delegate_a.id,
        )
        == []
    )
    assert updated_at(session, sid) == old
    assert len(audit_events(session, "item.shortlist")) == 1


def test_one_bad_field_refuses_the_whole_save(session, desk) -> None:
    sid, scope = desk.subs["riad"], scope_for(desk.delegate_a)
    first, second = items_of(session, sid)
    edits = _as_shown(session, sid)
    edits[first] = replace(edits[first], shortlisted=True)
    edits[second] = replace(edits[second], kind="poem", theme_id=999_999, priority="urgent")
    with pytest.raises(ValidationFailed) as refused:
        save_review(
            session, scope, sid, status="archived", items=edits, note="x" * 4001, actor_id=None
        )
    assert set(refused.value.errors) == {
        "status",
        "note",
        f"items.{second}.kind",
        f"items.{second}.theme",
        f"items.{second}.priority",
    }
    session.expire_all()
    assert session.get(FeedbackItem, first).shortlisted is False  # nothing half-saved
    assert session.get(Submission, sid).status is ReviewStatus.NEW
    assert audit_events(session, "item.shortlist") == []


def test_one_save_is_locked_to_the_scope_and_the_submission(session, desk) -> None:
    sid, other = desk.subs["riad"], desk.subs["agence"]
    edits = _as_shown(session, sid)
    with pytest.raises(NotFound):  # another region's delegate
        save_review(
            session, scope_for(desk.delegate_b), sid, status="spam", items=edits, actor_id=None
        )
    with pytest.raises(NotFound):  # an item of another submission
        save_review(
            session, scope_for(desk.delegate_a), other, status="spam", items=edits, actor_id=None
        )
    session.expire_all()
    assert session.get(Submission, sid).status is ReviewStatus.NEW
    assert session.get(Submission, other).status is ReviewStatus.NEW


def test_result_count_and_neighbours_follow_the_filters_and_scope(session, desk) -> None:
    s, a, hq = desk.subs, scope_for(desk.delegate_a), scope_for(desk.hq)
    assert count_submissions(session, a, ReviewFilters()) == 3
    assert count_submissions(session, hq, ReviewFilters()) == 4
    assert count_submissions(session, a, ReviewFilters(kind=ItemKind.PROPOSAL)) == 2
    assert count_submissions(session, hq, ReviewFilters(query="former")) == 2
    assert count_submissions(session, scope_for(desk.delegate_b), ReviewFilters(query="riad")) == 0
    # past the cap the count stops: "more than 1" is all the page says
    assert count_submissions(session, a, ReviewFilters(), cap=1) == 2
    assert count_submissions(session, a, ReviewFilters(), cap=3) == 3

    def around(scope: Scope, sid: int, **filters) -> tuple:
        row = session.get(Submission, sid)
        found = neighbours(session, scope, ReviewFilters(**filters), row.created_at, sid)
        return found.newer, found.older

    # newest first: agadir (B), safi, agence, riad
    assert around(a, s["agence"]) == (s["safi"], s["riad"])
    assert around(a, s["safi"]) == (None, s["agence"])  # agadir is outside region A
    assert around(hq, s["safi"]) == (s["agadir"], s["agence"])
    assert around(a, s["riad"], kind=ItemKind.PROPOSAL) == (s["safi"], None)


def test_the_list_count_and_walk_write_their_limit_and_status_into_the_sql(session, desk) -> None:
    """psycopg prepares a statement run five times and PostgreSQL may then keep one plan for
    every value: a bound LIMIT is planned as "a tenth of the table" (every matching item hashed
    for a theme filter), a bound status as "a third of the rows" (spam is 5 %). Written into the
    SQL, every plan sees them (services/review/queries.py `_rows`), and a search within the spam
    can use the spam's own index (its predicate `status = 'spam'`, migration 0030)."""
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "FROM submissions" in statement:
            seen.append((statement, parameters))

    scope, filters = scope_for(desk.hq), ReviewFilters(status=ReviewStatus.NEW, kind=ItemKind.NEED)
    row = session.get(Submission, desk.subs["agence"])
    event.listen(session.get_bind(), "before_cursor_execute", record)
    try:
        list_submissions(session, scope, filters, limit=7)
        count_submissions(session, scope, filters, cap=20)
        neighbours(session, scope, filters, row.created_at, row.id)
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", record)
    listed, counted, newer, older = (" ".join(s.split()) for s, _p in seen)
    assert "LIMIT 8" in listed and "LIMIT 21" in counted
    assert "LIMIT 1" in newer and "LIMIT 1" in older
    for statement, parameters in seen:
        assert "status = 'new'" in statement
        values = parameters.values() if isinstance(parameters, dict) else parameters
        assert "new" not in values
