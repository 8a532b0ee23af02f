"""New items join their existing group between two full regroupings (services/ideas/groups.py
`place_new`): what a person decided stays, counts follow, the full regrouping is owed."""

from __future__ import annotations

from sqlalchemy import func, select

from feedback_app.models import (
    EVERY_REGION,
    AuditEvent,
    FeedbackItem,
    IdeaGroupMember,
    IdeaGroupTally,
    TourStop,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries
from feedback_app.services.ideas.groups import (
    is_stale,
    regroup,
    regroup_if_owed,
    regroup_if_stale,
    seconds_until_full,
)
from tests import test_idea_groups
from tests.export_world import add_submission
from tests.test_idea_groups import GUIDES, SIGNS, _group_of

world = test_idea_groups.world  # the same tour: guides, signs, Arabic parking

NEW_GUIDES = "Former davantage nos guides touristiques aux langues étrangères"
UNRELATED = "Le réseau téléphonique coupe sans cesse dans la vallée du Drâa"


def _full_regroupings(session) -> int:
    return session.scalar(select(func.count()).where(AuditEvent.action == "idea_groups.regroup"))


def _pinned(session) -> set[tuple[int, int | None]]:
    return {
        (m.item_id, m.group_id)
        for m in session.scalars(select(IdeaGroupMember).where(IdeaGroupMember.pinned.is_(True)))
    }


def _tally(session, group_id: int) -> tuple[int, int]:
    row = session.execute(
        select(IdeaGroupTally.items, IdeaGroupTally.organisations).where(
            IdeaGroupTally.group_id == group_id, IdeaGroupTally.region_id == EVERY_REGION
        )
    ).one()
    return row.items, row.organisations


def test_a_new_item_joins_its_group_without_a_full_regrouping(session, world) -> None:
    regroup(session)
    guides, signs = _group_of(session, GUIDES[0]), _group_of(session, SIGNS[0])
    idea_curation.rename_group(session, EVERYTHING, guides, "Langues des guides", actor_id=None)
    sign_item = session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == SIGNS[1]))
    idea_curation.split_group(session, EVERYTHING, signs, [sign_item], actor_id=None)
    pinned, fulls = _pinned(session), _full_regroupings(session)
    assert _tally(session, guides) == (3, 3)
    stop = session.scalars(select(TourStop).order_by(TourStop.id)).first()
    add_submission(
        session,
        stop.id,
        organisation="Riad Nouveau",
        items=[{"kind": "need", "text": NEW_GUIDES}, {"kind": "need", "text": UNRELATED}],
    )
    assert is_stale(session)

    assert regroup_if_stale(session, full_interval=900)

    assert _full_regroupings(session) == fulls  # placed, not regrouped
    assert _group_of(session, NEW_GUIDES) == guides
    assert _group_of(session, UNRELATED) is None  # close to no group: alone until the full run
    assert _pinned(session) == pinned  # what people decided did not move
    summary = queries.group_summary(session, EVERYTHING, guides)
    assert summary.title == "Langues des guides"
    assert _tally(session, guides) == (4, 4)  # the ranking pages count the newcomer
    assert not is_stale(session)
    assert not regroup_if_stale(session, full_interval=900)
    wait = seconds_until_full(session, 900)
    assert wait is not None and 800 < wait <= 900

    # The owed full regrouping (the task scheduled for the end of the interval) keeps it all.
    assert regroup_if_owed(session)
    assert _full_regroupings(session) == fulls + 1
    assert seconds_until_full(session, 900) is None
    assert not regroup_if_owed(session)
    assert _group_of(session, NEW_GUIDES) == guides
    assert _pinned(session) == pinned
    assert queries.group_summary(session, EVERYTHING, guides).title == "Langues des guides"


def test_without_a_full_interval_or_past_it_the_regrouping_is_full(session, world) -> None:
    assert regroup_if_stale(session, full_interval=900)  # never grouped: a full run
    assert _full_regroupings(session) == 1
    assert seconds_until_full(session, 900) is None
    stop = session.scalars(select(TourStop).order_by(TourStop.id)).first()
    add_submission(session, stop.id, items=[{"kind": "need", "text": NEW_GUIDES}])
    assert regroup_if_stale(session, full_interval=0)  # the interval is over
    assert _full_regroupings(session) == 2
    assert _group_of(session, NEW_GUIDES) == _group_of(session, GUIDES[0]) is not None


def _reads_of_grouped_items(session, run) -> int:
    """How many statements of `run` read the grouped items' texts (the centres' rebuild)."""
    from sqlalchemy import event

    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        if "idea_group_members.group_id, feedback_items.text" in statement:
            seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(seen)


def test_placements_reuse_the_centres_of_the_last_full_regrouping(session, world) -> None:
    assert regroup_if_stale(session, full_interval=900)  # the task's first run: in full
    stop = session.scalars(select(TourStop).order_by(TourStop.id)).first()
    add_submission(session, stop.id, items=[{"kind": "need", "text": NEW_GUIDES}])

    placed = _reads_of_grouped_items(session, lambda: regroup_if_stale(session, full_interval=900))

    assert placed == 0  # not rebuilt from the database: kept since the full regrouping
    assert _group_of(session, NEW_GUIDES) == _group_of(session, GUIDES[0]) is not None


def test_after_a_merge_a_new_item_joins_the_merged_group(session, world) -> None:
    assert regroup_if_stale(session, full_interval=900)
    guides, signs = _group_of(session, GUIDES[0]), _group_of(session, SIGNS[0])
    assert guides is not None and signs is not None and guides != signs
    idea_curation.merge_groups(session, EVERYTHING, signs, [guides], actor_id=None)
    stop = session.scalars(select(TourStop).order_by(TourStop.id)).first()
    add_submission(session, stop.id, items=[{"kind": "need", "text": NEW_GUIDES}])

    rebuilt = _reads_of_grouped_items(session, lambda: regroup_if_stale(session, full_interval=900))

    assert rebuilt == 1  # a person changed the groups: the centres kept before are not used
    assert _group_of(session, NEW_GUIDES) == signs  # the guides' group is gone
