"""Region-safe group titles: a delegate's words stay in their regions, HQ names nationally,
and every screen showing titles sees a curation at once (services/ideas/titles.py)."""

from __future__ import annotations

import openpyxl
from sqlalchemy import select

from feedback_app.models import FeedbackItem, Role, Submission, TourStop
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.synthesis import brief, live
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.export_world import add_submission
from tests.staff import make_user, signed_in
from tests.test_export import _export
from tests.test_idea_groups import GUIDES, SIGNS, world  # noqa: F401 - the fixture

DELEGATE_WORDS = "Signalétique vue par Marrakech"


def _scope(region_id: int) -> Scope:
    return Scope(user_id=None, region_ids=frozenset({region_id}))


def _group_of(session, text: str) -> int:
    item = session.scalar(
        select(FeedbackItem.id).where(FeedbackItem.text == text, FeedbackItem.kind == "need")
    )
    return queries.group_numbers(session, EVERYTHING)[item]


def _region_b_stop(session) -> int:
    return session.scalar(select(TourStop.id).where(TourStop.city == "Agadir"))


def _everything_region_b_sees(app, session, region_b: int) -> str:
    """Idea list, brief, live figures of its stop and its workbook, as region B reads them."""
    scope = _scope(region_b)
    seen = [g.title for g in queries.top_groups(session, scope, limit=100)]
    seen += [
        i.label
        for ideas in brief.region_brief(session, scope, None, language="fr").ideas.values()
        for i in ideas
    ]
    for unreviewed in (False, True):
        seen += [
            i.title
            for i in live.stop_ideas(session, _region_b_stop(session), unreviewed=unreviewed)
        ]
    book = openpyxl.load_workbook(_export(app, session, scope, filters=SynthesisFilters()).path)
    seen += [
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    ]
    return "\n".join(seen)


def test_a_regroup_never_puts_another_regions_items_under_a_delegates_title(
    app,
    session,
    world,  # noqa: F811
) -> None:
    regroup(session)
    signs = _group_of(session, SIGNS[0])
    # Every member is region A's: the delegate of region A names it.
    idea_curation.rename_group(session, _scope(world["a"]), signs, DELEGATE_WORDS, actor_id=None)
    # Region B then says the same thing twice, and the regrouper pulls it into the group.
    b_stop = _region_b_stop(session)
    for n, text in enumerate(SIGNS):
        add_submission(
            session, b_stop, organisation=f"Agadir {n}", items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    in_b = queries.group_summary(session, _scope(world["b"]), signs)
    assert in_b.items == 2  # region B's items are in the delegate's group...
    assert DELEGATE_WORDS not in _everything_region_b_sees(
        app, session, world["b"]
    )  # ...not the words
    assert queries.group_summary(session, _scope(world["a"]), signs).title == DELEGATE_WORDS


def test_a_split_renamed_by_a_delegate_stays_theirs_after_a_regroup(
    app,
    session,
    world,  # noqa: F811
) -> None:
    a_stop = session.scalar(
        select(FeedbackItem.submission_id).where(FeedbackItem.text == GUIDES[0])
    )
    stop_a = session.get(Submission, a_stop).stop_id
    add_submission(
        session, stop_a, organisation="Riad 9", items=[{"kind": "need", "text": GUIDES[2]}]
    )
    regroup(session)
    guides = _group_of(session, GUIDES[0])
    region_a = _scope(world["a"])
    mine = [m.item_id for m in queries.group_detail(session, region_a, guides).members][:2]
    new = idea_curation.split_group(session, region_a, guides, mine, actor_id=None)
    assert new is not None
    idea_curation.rename_group(session, region_a, new, DELEGATE_WORDS, actor_id=None)
    b_stop = _region_b_stop(session)
    for n, text in enumerate(GUIDES):
        add_submission(
            session, b_stop, organisation=f"Guide {n}", items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    assert DELEGATE_WORDS not in _everything_region_b_sees(app, session, world["b"])
    assert queries.group_summary(session, region_a, new).title == DELEGATE_WORDS


def test_a_delegate_names_their_regions_items_after_a_merge(session, world) -> None:  # noqa: F811
    regroup(session)
    guides = _group_of(session, GUIDES[0])  # two items of region A, one of region B
    region_a, region_b = _scope(world["a"]), _scope(world["b"])
    # A merge with region B's items: the delegate of region A still names their own items.
    signs = _group_of(session, SIGNS[0])
    idea_curation.merge_groups(session, EVERYTHING, guides, [signs], actor_id=None)
    assert queries.group_summary(session, region_a, guides).regions == 1
    idea_curation.rename_group(session, region_a, guides, "Guides et panneaux", actor_id=None)
    assert queries.group_summary(session, region_a, guides).title == "Guides et panneaux"
    # HQ sees the national title (none written: the automatic one), never region A's words.
    assert queries.group_summary(session, EVERYTHING, guides).title != "Guides et panneaux"
    # HQ names it nationally: region B and HQ read HQ's words, region A keeps its own.
    idea_curation.rename_group(session, EVERYTHING, guides, "Langues des guides", actor_id=None)
    assert queries.group_summary(session, EVERYTHING, guides).title == "Langues des guides"
    assert queries.group_summary(session, region_a, guides).title == "Guides et panneaux"
    b_stop = _region_b_stop(session)
    add_submission(
        session, b_stop, organisation="Riad B", items=[{"kind": "need", "text": GUIDES[1]}]
    )
    regroup(session)
    assert queries.group_summary(session, region_b, guides).title == "Langues des guides"


def test_the_live_screen_shows_a_rename_at_once(app, session, world) -> None:  # noqa: F811
    regroup(session)
    signs = _group_of(session, SIGNS[0])
    idea_curation.rename_group(session, EVERYTHING, signs, "Panneaux", actor_id=None)
    stop_a = session.scalar(select(FeedbackItem.submission_id).where(FeedbackItem.text == SIGNS[0]))
    stop_id = session.get(Submission, stop_a).stop_id
    session.rollback()
    make_user(session, "hq-titles@example.ma", role=Role.HQ)
    first, second = signed_in(app, "hq-titles@example.ma"), signed_in(app, "hq-titles@example.ma")
    url = f"/review/stops/{stop_id}/live.json"
    assert [i["title"] for i in first.get(url).get_json()["ideas"]] == ["Panneaux"]
    # Another worker renames: this process's memory is not told, only the database is.
    remembered = dict(live._IDEAS_CACHE)
    idea_curation.rename_group(session, EVERYTHING, signs, "Panneaux routiers", actor_id=None)
    live._IDEAS_CACHE.update(remembered)
    # No regrouping in between: the screens' cache must see the curation.
    assert [i["title"] for i in second.get(url).get_json()["ideas"]] == ["Panneaux routiers"]
    assert [i["title"] for i in first.get(url).get_json()["ideas"]] == ["Panneaux routiers"]


def test_the_migration_moves_a_delegates_title_to_their_regions(empty_database_url) -> None:
    """A title locked by a delegate's rename before 0015 becomes their region's title only."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from feedback_app import create_app
    from feedback_app.database import write_transaction
    from feedback_app.extensions import db
    from feedback_app.models import AuditEvent, IdeaGroup, IdeaGroupTitle
    from tests.staff import REGION_A, REGION_B, add_stop

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            session = db.session
            stops = [
                add_stop(session, "Marrakech", REGION_A),
                add_stop(session, "Agadir", REGION_B),
            ]
            for stop in stops:
                for n, text_ in enumerate(GUIDES[:2]):
                    add_submission(
                        session,
                        stop.id,
                        organisation=f"Riad {n}",
                        items=[{"kind": "need", "text": text_}],
                    )
            regroup(session)
            group = _group_of(session, GUIDES[0])
            delegate = make_user(session, "delegate-old@example.ma", regions=(REGION_A,))
            region_a, region_b = stops[0].region_id, stops[1].region_id
            with write_transaction(session):  # what a delegate's rename stored before 0012
                row = session.get(IdeaGroup, group)
                row.title, row.title_locked = DELEGATE_WORDS, True
                session.add(
                    AuditEvent(
                        user_id=delegate.id,
                        action="idea_group.rename",
                        target_type="idea_group",
                        target_id=group,
                    )
                )
            session.remove()
            downgrade(revision="0015")  # before the region titles
            upgrade()
            session = db.session
            assert session.execute(
                select(IdeaGroupTitle.region_id, IdeaGroupTitle.title)
            ).all() == [(region_a, DELEGATE_WORDS)]
            assert not session.get(IdeaGroup, group).title_locked
            assert session.scalar(text("SELECT fingerprint FROM idea_grouping_state")) == ""
            assert queries.group_summary(session, _scope(region_a), group).title == DELEGATE_WORDS
            for reader in (_scope(region_b), EVERYTHING):
                assert queries.group_summary(session, reader, group).title != DELEGATE_WORDS
        finally:
            db.session.remove()
            db.engine.dispose()
