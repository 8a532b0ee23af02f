"""Idea groups in the database: regrouping, scope, and curation that survives regrouping."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from feedback_app.database import write_transaction
from feedback_app.models import AuditEvent, FeedbackItem, ReviewStatus, Submission
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries
from feedback_app.services.ideas.groups import is_stale, regroup, regroup_if_stale
from tests.export_world import add_submission
from tests.staff import add_stop

GUIDES = [
    "Former les guides touristiques aux langues étrangères",
    "Des cours de langues étrangères pour les guides touristiques",
    "Nos guides doivent être formés aux langues des visiteurs étrangers",
]
SIGNS = [
    "Améliorer la signalétique routière vers les sites touristiques",
    "Installer une signalétique touristique sur les routes d'accès",
]
# An idea said only in Arabic (the French guides' Arabic twin would join their group).
ARABIC = [
    "توفير مواقف السيارات قرب المواقع الأثرية",
    "نقص مواقف السيارات بجانب المواقع الأثرية",
]


def _stop(session, region: str, city: str) -> int:
    return add_stop(session, city, region, venue="Salle").id


@pytest.fixture
def world(session):
    """Guides in two regions (2 + 1), signs in region A, Arabic parking in region B."""
    a = _stop(session, "marrakech-safi", "Marrakech")
    b = _stop(session, "souss-massa", "Agadir")
    for n, text in enumerate(GUIDES[:2]):
        add_submission(session, a, organisation=f"Riad {n}", items=[{"kind": "need", "text": text}])
    add_submission(
        session,
        b,
        organisation="Hôtel Agadir",
        items=[{"kind": "need", "text": GUIDES[2]}, {"kind": "proposal", "text": GUIDES[0]}],
    )
    for n, text in enumerate(SIGNS):
        add_submission(
            session, a, organisation=f"Agence {n}", items=[{"kind": "need", "text": text}]
        )
    for n, text in enumerate(ARABIC):
        add_submission(
            session, b, organisation=f"وكالة {n}", items=[{"kind": "need", "text": text}]
        )
    regions = {s.region_id for s in session.scalars(select(Submission))}
    return {"a": min(regions), "b": max(regions)}


def _group_of(session, text: str) -> int | None:
    item_id = session.scalar(
        select(FeedbackItem.id).where(FeedbackItem.text == text, FeedbackItem.kind == "need")
    )
    return queries.group_numbers(session, EVERYTHING).get(item_id)


def test_regroup_groups_paraphrases_by_kind_across_regions(session, world) -> None:
    result = regroup(session)
    assert result.items == 8
    top = queries.top_groups(session, EVERYTHING, "need")
    sizes = sorted((g.items, g.organisations, g.regions) for g in top)
    assert sizes == [(2, 2, 1), (2, 2, 1), (3, 3, 2)]
    guides = _group_of(session, GUIDES[0])
    assert guides == _group_of(session, GUIDES[2]) != _group_of(session, SIGNS[0])
    assert _group_of(session, ARABIC[0]) == _group_of(session, ARABIC[1]) is not None
    # The proposal says the same words but is another kind: never in a need's group.
    assert all(g.kind == "need" for g in top)
    assert queries.top_groups(session, EVERYTHING, "proposal") == []
    assert (
        session.scalar(select(AuditEvent.action).where(AuditEvent.action == "idea_groups.regroup"))
        is not None
    )


def test_a_delegate_sees_only_their_items_through_a_group(session, world) -> None:
    regroup(session)
    region_b = Scope(user_id=None, region_ids=frozenset({world["b"]}))
    seen = queries.top_groups(session, region_b, "need")
    # Region B holds one guides item (alone there) and the two Arabic items.
    assert [(g.items, g.organisations, g.regions) for g in seen] == [(2, 2, 1)]
    guides = _group_of(session, GUIDES[0])
    with pytest.raises(NotFound):
        queries.group_detail(session, region_b, guides)
    numbers = queries.group_numbers(session, region_b)
    assert guides not in numbers.values()
    region_a = Scope(user_id=None, region_ids=frozenset({world["a"]}))
    detail = queries.group_detail(session, region_a, guides)
    assert {m.text for m in detail.members} == set(GUIDES[:2])
    assert detail.summary.title in GUIDES[:2]


def test_regrouping_is_done_when_stale_and_follows_reviews(session, world) -> None:
    assert is_stale(session)
    assert regroup_if_stale(session)
    assert not regroup_if_stale(session)
    signs = _group_of(session, SIGNS[0])
    spam = session.scalar(
        select(Submission).join(FeedbackItem).where(FeedbackItem.text == SIGNS[1])
    )
    with write_transaction(session):
        session.get(Submission, spam.id).status = ReviewStatus.SPAM
    assert regroup_if_stale(session)
    assert _group_of(session, SIGNS[0]) is None
    assert signs not in {g.id for g in queries.top_groups(session, EVERYTHING)}


def test_curation_survives_regrouping_and_is_audited(session, world) -> None:
    regroup(session)
    guides, signs = _group_of(session, GUIDES[0]), _group_of(session, SIGNS[0])
    idea_curation.rename_group(session, EVERYTHING, guides, "Langues des guides", actor_id=None)
    idea_curation.merge_groups(session, EVERYTHING, guides, [signs], actor_id=None)
    regroup(session)
    merged = queries.group_detail(session, EVERYTHING, guides)
    assert merged.summary.title == "Langues des guides"
    assert merged.summary.items == 5 and merged.summary.confirmed
    third = session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == GUIDES[2]))
    sign_ids = [m.item_id for m in merged.members if m.text in SIGNS]
    new = idea_curation.split_group(session, EVERYTHING, guides, sign_ids, actor_id=None)
    idea_curation.split_group(session, EVERYTHING, guides, [third], actor_id=None)
    regroup(session)
    assert _group_of(session, GUIDES[2]) is None  # pinned alone by a person
    assert _group_of(session, SIGNS[0]) == _group_of(session, SIGNS[1]) == new
    assert queries.group_summary(session, EVERYTHING, guides).items == 2
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"idea_group.rename", "idea_group.merge", "idea_group.split"} <= actions


def test_a_delegate_curates_only_inside_their_regions(session, world) -> None:
    regroup(session)
    region_a = Scope(user_id=None, region_ids=frozenset({world["a"]}))
    region_b = Scope(user_id=None, region_ids=frozenset({world["b"]}))
    guides, arabic = _group_of(session, GUIDES[0]), _group_of(session, ARABIC[0])
    with pytest.raises(NotFound):
        idea_curation.confirm_group(session, region_a, arabic, actor_id=None)
    # A group shared with region B: region A's delegate names their own items only.
    idea_curation.rename_group(session, region_a, guides, "Nouveau", actor_id=None)
    assert queries.group_summary(session, region_a, guides).title == "Nouveau"
    assert queries.group_summary(session, EVERYTHING, guides).title != "Nouveau"
    assert idea_curation.confirm_group(session, region_a, guides, actor_id=None) == 2
    idea_curation.rename_group(session, region_b, arabic, "اللغات", actor_id=None)
    assert queries.group_summary(session, region_b, arabic).title == "اللغات"
    with pytest.raises(ValidationFailed):
        idea_curation.rename_group(session, EVERYTHING, arabic, "   ", actor_id=None)


def test_a_commitment_follows_its_items_when_regrouping_deletes_its_group(session, world) -> None:
    """An automatic regrouping (no person involved) that empties a group the commitment
    answers: the commitment now answers the group holding the items instead."""
    from feedback_app.models import (
        Commitment,
        IdeaGroup,
        IdeaGroupMember,
        ItemKind,
        commitment_groups,
    )

    regroup(session)
    guides = _group_of(session, GUIDES[0])
    first = session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == GUIDES[0]))
    with write_transaction(session):  # as an earlier regrouping could have left it
        old = IdeaGroup(kind=ItemKind.NEED, title="Ancien groupe")
        session.add(old)
        session.flush()
        session.get(IdeaGroupMember, first).group_id = old.id
        commitment = Commitment(
            title_fr="Former 200 guides",
            title_ar="تكوين 200 مرشد",
            description_fr="Un programme.",
            description_ar="برنامج.",
            owner="Conseil régional",
        )
        session.add(commitment)
        session.flush()
        session.execute(
            commitment_groups.insert().values(commitment_id=commitment.id, group_id=old.id)
        )
    old_id, commitment_id = old.id, commitment.id
    regroup(session)
    session.expire_all()
    assert session.get(IdeaGroup, old_id) is None  # the regrouping deleted the old group
    assert _group_of(session, GUIDES[0]) == guides
    linked = session.scalars(
        select(commitment_groups.c.group_id).where(
            commitment_groups.c.commitment_id == commitment_id
        )
    ).all()
    assert linked == [guides]  # the group holding the commitment's items now
