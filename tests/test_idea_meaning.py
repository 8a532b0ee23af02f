"""Grouping by meaning: French and Arabic twins together, vectors computed once per item."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from feedback_app.demo.ideas import IDEAS
from feedback_app.demo.tour import load_demo
from feedback_app.models import FeedbackItem, IdeaItemVector
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas import vectors
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.queries import group_numbers
from tests.export_world import add_submission
from tests.staff import add_stop


def _majority_group(
    session, numbers: dict[int, int], kind, wordings: tuple[str, ...]
) -> int | None:
    items = session.execute(
        select(FeedbackItem.id, FeedbackItem.text).where(FeedbackItem.kind == kind)
    ).all()
    votes = Counter(
        numbers.get(item_id)
        for item_id, text in items
        if any(max(w.split("{c}"), key=len) in text for w in wordings)
    )
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else None


def test_the_demo_tours_french_and_arabic_twins_share_a_group(session) -> None:
    load_demo(session, submissions=150)
    regroup(session)
    numbers = group_numbers(session, EVERYTHING)
    twins = shared = 0
    for kind, ideas in IDEAS.items():
        for idea in ideas:
            if not idea.arabic:
                continue
            french = _majority_group(session, numbers, kind, idea.french)
            arabic = _majority_group(session, numbers, kind, idea.arabic)
            if french is None or arabic is None:
                continue  # said in one language only in this draw
            twins += 1
            shared += french == arabic
    assert twins >= 4
    assert shared == twins, f"{shared} of {twins} twins share a group"


def test_vectors_are_computed_once_per_item_never_again_at_a_regroup(session, monkeypatch) -> None:
    encoded: list[str] = []
    real = vectors.encoder()

    class Counting:
        def encode(self, texts):
            encoded.extend(texts)
            return real.encode(texts)

    monkeypatch.setattr(vectors, "encoder", lambda: Counting())
    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    twins = [
        "Former les guides touristiques aux langues étrangères",
        "تكوين المرشدين السياحيين في اللغات الأجنبية",
    ]
    for n, text in enumerate(twins):
        add_submission(
            session, stop, organisation=f"Org {n}", items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    assert sorted(encoded) == sorted(twins)
    numbers = group_numbers(session, EVERYTHING)
    assert len(set(numbers.values())) == 1 and len(numbers) == 2  # one group, both languages
    assert session.scalar(select(func.count()).select_from(IdeaItemVector)) == 2

    encoded.clear()
    regroup(session)
    assert encoded == []  # the stored vectors are read, not recomputed
    add_submission(
        session,
        stop,
        organisation="Org 3",
        items=[{"kind": "need", "text": "Des cours de langues pour les guides"}],
    )
    regroup(session)
    assert encoded == ["Des cours de langues pour les guides"]  # only the new item
