"""The workbook as a synthesis: recurring ideas, the "Groupe" column, every shortlisted item."""

from __future__ import annotations

import openpyxl
from sqlalchemy import select, update

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, ReviewStatus, Submission
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.capture import tally
from feedback_app.services.ideas.curation import rename_group
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.test_export import _export as _export_file
from tests.test_idea_groups import ARABIC, GUIDES, SIGNS, world  # noqa: F401 - the fixture

IDEA_HEADERS = [
    "N°",
    "Idée",
    "Idée (en arabe)",
    "Type",
    "Entrées",  # a group counts entries (needs, proposals...), not submissions
    "Organisations",
    "Catégories",
    "Régions",
    "Thèmes",
    "Citation 1",
    "Citation 2",
    "Citation 3",
]


def _export(app, session, scope: Scope = EVERYTHING, language: str = "fr"):
    exported = _export_file(app, session, scope, filters=SynthesisFilters(), language=language)
    return openpyxl.load_workbook(exported.path)


def _ideas(book) -> list[dict]:
    rows = list(book["Idées récurrentes"].iter_rows(min_row=2, values_only=True))
    assert list(rows[0]) == IDEA_HEADERS
    return [dict(zip(IDEA_HEADERS, r, strict=True)) for r in rows[1:]]


def _review_all(session) -> None:
    """Quotes come from reviewed entries only."""
    with write_transaction(session):
        session.execute(update(Submission).values(status=ReviewStatus.REVIEWED))


def test_recurring_ideas_sheet_and_group_column(app, session, world) -> None:  # noqa: F811
    _review_all(session)
    book = _export(app, session)  # the export regroups first: no regrouping was run before
    ideas = _ideas(book)
    assert [(i["Type"], i["Entrées"], i["Organisations"]) for i in ideas] == [
        ("Besoin", 3, 3),
        ("Besoin", 2, 2),
        ("Besoin", 2, 2),
    ]
    guides = ideas[0]
    assert guides["Idée"] in GUIDES  # the most central French entry...
    assert guides["Idée (en arabe)"] == "pas d'idée en arabe"  # ...and no Arabic one
    assert guides["Régions"] == "Marrakech-Safi et Souss-Massa"  # the language's list pattern
    quotes = {guides["Citation 1"], guides["Citation 2"], guides["Citation 3"]}
    assert quotes == set(GUIDES)
    # The region sheets point to the group's number; an item alone has no number.
    marrakech = list(book["Marrakech-Safi"].iter_rows(values_only=True))
    group_col = marrakech[0].index("Groupe")
    numbers = {r[6]: r[group_col] for r in marrakech[1:]}
    assert numbers[GUIDES[0]] == numbers[GUIDES[1]] == guides["N°"]
    assert numbers[SIGNS[0]] == numbers[SIGNS[1]] != guides["N°"]
    souss = list(book["Souss-Massa"].iter_rows(values_only=True))
    by_text = {(r[4], r[6]): r[group_col] for r in souss[1:]}
    assert by_text[("Proposition", GUIDES[0])] is None  # a proposal alone among proposals


def test_a_delegates_workbook_shows_nothing_of_other_regions(app, session, world) -> None:  # noqa: F811
    _review_all(session)
    _export(app, session)
    rename_group(session, EVERYTHING, _guides_group(session), "Langues des guides", actor_id=None)
    region_b = Scope(user_id=None, region_ids=frozenset({world["b"]}))
    book = _export(app, session, region_b)
    ideas = _ideas(book)
    # Region B has one guides item (alone there) and two Arabic ones: one group only.
    assert len(ideas) == 1 and ideas[0]["Entrées"] == 2
    assert ideas[0]["Régions"] == "Souss-Massa"
    assert {ideas[0]["Citation 1"], ideas[0]["Citation 2"]} == set(ARABIC)
    every_cell = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    assert GUIDES[1] not in every_cell and "Langues des guides" not in every_cell
    assert "Marrakech" not in every_cell


def test_shortlisted_items_of_every_kind_in_sections(app, session, world) -> None:  # noqa: F811
    with write_transaction(session):
        session.execute(
            update(FeedbackItem)
            .where(FeedbackItem.text.in_([GUIDES[0], SIGNS[1], ARABIC[0]]))
            .values(shortlisted=True)
        )
        session.execute(update(Submission).values(updated_at=Submission.updated_at))
        tally.recount(session)  # as a reviewer's shortlisting moves the counts
    book = _export(app, session, language="en")
    rows = [r for r in book["Shortlisted items"].iter_rows(values_only=True) if any(r)]
    sections = [r[0] for r in rows if r[0] and r[0].startswith(("Needs", "Proposals"))]
    assert sections == ["Needs (3)", "Proposals (1)"]
    texts = [r[6] for r in rows if r[6] and r[6] != "Text"]
    assert sorted(texts[:3]) == sorted([GUIDES[0], SIGNS[1], ARABIC[0]])
    assert texts[3] == GUIDES[0]  # the proposal, in its own section
    summary = list(book["Summary"].iter_rows(values_only=True))
    header = next(r for r in summary if r[0] == "Region")
    total = next(r for r in summary if r[0] == "Total")
    assert total[header.index("Shortlisted items")] == 4


def _guides_group(session) -> int:
    from feedback_app.services.ideas.queries import group_numbers

    item = session.scalar(
        select(FeedbackItem.id).where(FeedbackItem.text == GUIDES[0], FeedbackItem.kind == "need")
    )
    return group_numbers(session, EVERYTHING)[item]
