"""The demonstration tour looks like a real one: varied themes, recurring ideas, two languages."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from feedback_app.demo.tour import load_demo
from feedback_app.models import FeedbackItem, Submission
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.queries import top_groups


@pytest.mark.slow
def test_demo_has_varied_themes_and_ideas_recurring_across_regions(session) -> None:
    load_demo(session, submissions=150)
    themes = Counter(
        session.scalars(
            select(FeedbackItem.theme_id).where(FeedbackItem.theme_id.is_not(None))
        ).all()
    )
    themed = sum(themes.values())
    assert len(themes) >= 7
    assert max(themes.values()) < 0.3 * themed  # no single theme swallows the tour
    languages = Counter(session.scalars(select(Submission.language)).all())
    assert languages["ar"] >= 10 and languages["fr"] >= 100
    assert (
        session.scalar(
            select(func.count()).select_from(FeedbackItem).where(FeedbackItem.text.like("%ت%"))
        )
        >= 10
    )

    regroup(session)
    groups = top_groups(session, EVERYTHING, limit=100)
    assert len(groups) >= 15
    assert sum(1 for g in groups if g.regions >= 5) >= 8  # the same ideas in many regions
    assert {g.kind for g in groups} == {"need", "opportunity", "challenge", "proposal"}
