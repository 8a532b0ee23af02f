"""A fifth kind of entry is data: its enum member, its words, a migration (and a colour).

The test adds "advice" at run time as a release would (README, "Where things go"): a member of
ItemKind, its words in feedback_app/labels.py, the kind CHECK constraints widened (standing in
for the migration). A respondent then writes advice, and every page and the workbook show it.
"""

from __future__ import annotations

import enum
import io

import openpyxl
import pytest
from sqlalchemy import event, select, text

from feedback_app import labels
from feedback_app.exports import labels as workbook_words
from feedback_app.extensions import db
from feedback_app.models import ExportArtifact, FeedbackItem, IdeaGroup, ItemKind, Submission
from feedback_app.models.types import str_enum
from feedback_app.public.forms import SubmissionForm, _entries
from feedback_app.services.access import EVERYTHING
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.ideas.groups import regroup_if_stale
from tests.conftest import post_public_form

ADVICE = "advice"
# The CHECK constraints on the kind columns, by table.
CHECKS = {
    "feedback_items": "ck_feedback_items_item_kind",
    "idea_groups": "ck_idea_groups_idea_group_kind",
}


def _add_member(monkeypatch: pytest.MonkeyPatch, codes: type[enum.Enum], name: str) -> None:
    """A new member of an existing enum, undone after the test."""
    member = str.__new__(codes, ADVICE)
    member._name_, member._value_ = name, ADVICE
    monkeypatch.setattr(codes, name, member, raising=False)  # before it is a member
    monkeypatch.setattr(codes, "_member_names_", [*codes._member_names_, name])
    monkeypatch.setattr(codes, "_member_map_", {**codes._member_map_, name: member})
    monkeypatch.setattr(codes, "_value2member_map_", {**codes._value2member_map_, ADVICE: member})


@pytest.fixture
def fifth_kind(app, session, monkeypatch: pytest.MonkeyPatch):
    _add_member(monkeypatch, ItemKind, "ADVICE")
    # Its words (pages read these tables at each use; the workbook gets them as CODE_WORDS).
    monkeypatch.setitem(labels.KINDS, ADVICE, {"fr": "Conseil", "ar": "نصيحة", "en": "Advice"})
    monkeypatch.setitem(
        labels.KIND_PLURALS, ADVICE, {"fr": "Conseils", "ar": "النصائح", "en": "Advice"}
    )
    monkeypatch.setitem(labels.KIND_HINTS, ADVICE, {"fr": "Un conseil à un autre professionnel."})
    hints = workbook_words.FR["kind_hints"]
    assert isinstance(hints, dict)
    monkeypatch.setitem(hints, ADVICE, "Un conseil d'un professionnel.")
    monkeypatch.setattr(SubmissionForm, ADVICE, _entries(), raising=False)
    # The columns' types hold their members: the models, imported again, would list it.
    for column, name in (
        (FeedbackItem.__table__.c.kind, "item_kind"),
        (IdeaGroup.__table__.c.kind, "idea_group_kind"),
    ):
        widened = str_enum(ItemKind, name)
        for attribute in ("enums", "_valid_lookup", "_object_lookup"):
            monkeypatch.setattr(column.type, attribute, getattr(widened, attribute))
    # The migration: the kind CHECK constraints accept the new code.
    kinds = [kind.value for kind in ItemKind]
    if db.engine.dialect.name == "sqlite":  # a CHECK cannot be altered in place there
        event.listen(db.engine, "connect", _ignore_checks)
        db.session.remove()
        db.engine.dispose()
    else:
        _replace_checks(session, kinds)
    yield
    if db.engine.dialect.name == "sqlite":
        event.remove(db.engine, "connect", _ignore_checks)
    else:
        session.rollback()
        session.execute(text("DELETE FROM idea_group_members"))
        session.execute(text("DELETE FROM idea_groups WHERE kind = 'advice'"))
        session.execute(text("DELETE FROM feedback_items WHERE kind = 'advice'"))
        _replace_checks(session, kinds[:-1])


def _ignore_checks(connection, _record) -> None:
    connection.execute("PRAGMA ignore_check_constraints = ON")


def _replace_checks(session, kinds: list[str]) -> None:
    allowed = ", ".join(f"'{kind}'" for kind in kinds)
    for table, constraint in CHECKS.items():
        session.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}"))
        session.execute(
            text(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} CHECK (kind IN ({allowed}))")
        )
    session.commit()


def test_a_fifth_kind_shows_on_every_page_and_in_the_workbook(
    fifth_kind, app, session, world, hq
) -> None:
    # fifth_kind first: the engine compiles its statements with the widened types.
    code, stop_id = world.ids["code_a"], world.ids["stop_a"]
    form = hq.get(f"/f/{code}").get_data(as_text=True)
    assert "Conseils" in form and 'name="advice-0-text"' in form

    advice = "Partager les réservations entre riads voisins."
    sent = post_public_form(hq, code, **{"need-0-text": "", "advice-0-text": advice})
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:500]
    item = session.scalar(select(FeedbackItem).where(FeedbackItem.text == advice))
    assert item is not None and item.kind is ItemKind("advice")
    assert regroup_if_stale(session) is not None

    pages = {
        "review list": f"/review/?kind={ADVICE}",
        "submission": f"/review/submissions/{item.submission_id}",
        "dashboard": "/hq/",
        "brief": f"/review/brief?region={world.ids['region_a']}",
        "live screen": f"/review/stops/{stop_id}/live",
        "recurring ideas": "/review/ideas",
    }
    for page, url in pages.items():
        response = hq.get(url)
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "Conseil" in body, page
    listed = hq.get(f"/review/?kind={ADVICE}").get_data(as_text=True)
    submission = session.get(Submission, item.submission_id)
    assert submission is not None and submission.reference in listed

    artifact = export_workbook(
        session, EVERYTHING, ExportRequest(), actor_id=None, generated_by="test"
    )
    content = session.get_one(ExportArtifact, artifact.id).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    synthesis = [[c for c in row if c is not None] for row in book["Synthèse"].values]
    header = next(row for row in synthesis if "Conseils" in row)
    column = header.index("Conseils")
    totals = next(row for row in synthesis if row and row[0] == "Total")
    assert totals[column] == 1
    items = [row for sheet in book for row in sheet.values]
    assert any(advice in row and "Conseil" in row for row in items)
