"""The idea groups' counts per region (idea_group_tallies) say what the memberships say.

The dashboard, the ideas page and the briefs rank the recurring ideas from these rows; every
writer of memberships or of a spam status recounts the groups it touched in its transaction.
Here each page-level answer read from them is compared with the same answer counted from the
memberships (the path kept for scopes of several regions).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from feedback_app.exports.data import IdeaTitles
from feedback_app.models import FeedbackItem, Submission
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from tests.test_idea_groups import GUIDES, SIGNS, world  # noqa: F401 - the fixture


def _scopes(world) -> list[Scope]:  # noqa: F811
    return [
        EVERYTHING,
        Scope(user_id=None, region_ids=frozenset({world["a"]})),
        Scope(user_id=None, region_ids=frozenset({world["b"]})),
    ]


def _agree(session, world) -> None:  # noqa: F811
    """Every scope's ranking from the tallies equals the ranking counted from the rows."""
    for scope in _scopes(world):
        counted, _regions = queries._counted_summaries(session, scope)
        untitled = [
            replace(s, title="", title_locked=False, titles=IdeaTitles())
            for s in queries._summaries(session, scope)
        ]
        assert untitled == counted


def _submission_of(session, text: str) -> int:
    return session.scalar(select(Submission.id).join(FeedbackItem).where(FeedbackItem.text == text))


def test_the_counts_follow_regrouping_spam_and_curation(session, world) -> None:  # noqa: F811
    regroup(session)
    _agree(session, world)
    guides = queries.top_groups(session, EVERYTHING, "need")[0]
    assert (guides.items, guides.organisations, guides.regions) == (3, 3, 2)

    # Spam leaves the counts at once, before any regrouping; taking it back restores them.
    spam = _submission_of(session, SIGNS[1])
    review_actions.set_status(session, EVERYTHING, spam, "spam", actor_id=None)
    _agree(session, world)
    region_a = _scopes(world)[1]
    assert SIGNS[0] not in {g.title for g in queries.top_groups(session, region_a)}
    review_actions.set_status(session, EVERYTHING, spam, "new", actor_id=None)
    _agree(session, world)
    assert len(queries.top_groups(session, region_a, "need")) == 2

    # The same through the bulk action, for two submissions at once.
    both = [_submission_of(session, text) for text in GUIDES[:2]]
    review_bulk.bulk_set_status(session, EVERYTHING, both, "spam", actor_id=None)
    _agree(session, world)
    assert queries.top_groups(session, region_a, "need")[0].title in SIGNS
    review_bulk.bulk_set_status(session, EVERYTHING, both, "new", actor_id=None)
    _agree(session, world)

    # A merge and a split move the counts of the groups they change.
    guides_id = guides.id
    signs_id = next(
        g.id for g in queries.top_groups(session, EVERYTHING, "need") if g.id != guides_id
    )
    idea_curation.merge_groups(session, EVERYTHING, guides_id, [signs_id], actor_id=None)
    _agree(session, world)
    merged = queries.group_summary(session, EVERYTHING, guides_id)
    assert merged.items == 5
    taken = [
        session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == text)) for text in SIGNS
    ]
    new_id = idea_curation.split_group(session, EVERYTHING, guides_id, taken, actor_id=None)
    _agree(session, world)
    assert new_id is not None
    assert queries.group_summary(session, EVERYTHING, new_id).items == 2
    assert queries.group_summary(session, EVERYTHING, guides_id).items == 3


def test_a_region_reads_its_own_items_title_and_counts(session, world) -> None:  # noqa: F811
    regroup(session)
    guides = queries.top_groups(session, EVERYTHING, "need")[0]
    region_a, region_b = _scopes(world)[1:]
    in_a = {g.id: g for g in queries.top_groups(session, region_a, "need")}
    # Region A sees its two guides items, titled by one of them, counted within A only.
    assert (in_a[guides.id].items, in_a[guides.id].regions) == (2, 1)
    assert in_a[guides.id].title in GUIDES[:2]
    # Region B holds one item of that group: no group there, nothing of A shows through.
    in_b = queries.top_groups(session, region_b, "need")
    assert guides.id not in {g.id for g in in_b}
    assert all(g.items >= 2 and g.regions == 1 for g in in_b)
