"""The regional brief: the page (scope, content, language and direction) and the workbook's
brief sheet (content, formula safety, one printed A4 page through LibreOffice)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from feedback_app.exports.brief_sheet import write_brief
from feedback_app.exports.data import (
    BriefItem,
    BriefStop,
    IdeaCount,
    RegionBrief,
    RegionFigures,
    ThemeCount,
)
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats
from feedback_app.labels import CODE_WORDS
from feedback_app.models import FeedbackItem
from feedback_app.services.access import scope_for
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import signoff
from feedback_app.services.synthesis import brief
from tests.libreoffice import needs_libreoffice, print_to_pdf
from tests.review_world import Desk, build_desk, items_of
from tests.staff import post, signed_in


@pytest.fixture
def desk(session) -> Desk:
    d = build_desk(session)
    hq = scope_for(d.hq)
    riad = d.subs["riad"]
    review_actions.update_item(
        session,
        hq,
        riad,
        items_of(session, riad)[1],
        kind="proposal",
        theme_id=d.themes["formation-rh"],
        shortlisted=True,
        actor_id=d.hq.id,
    )
    signoff.sign_off(
        session,
        scope_for(d.delegate_a),
        d.stop_a1.id,
        "Les professionnels demandent de la formation.\nالتكوين أولوية.",
        actor_id=d.delegate_a.id,
    )
    return d


def test_the_delegate_reads_their_regions_brief(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_a.email)
    response = client.get("/review/brief")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Marrakech-Safi" in html
    assert "Les professionnels demandent de la formation." in html  # the summary
    assert "Former les guides au numérique." in html  # shortlisted
    assert "Améliorer l’accueil" not in html  # not shortlisted: not in the brief
    assert "1 étape(s) signée(s) sur 2" in html
    assert "Formation" in html  # a top theme
    assert "/static/css/brief.css" in html


def test_a_delegate_cannot_read_another_regions_brief(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_b.email)
    response = client.get("/review/brief?region=marrakech-safi")
    assert response.status_code == 404
    assert "Les professionnels demandent" not in response.get_data(as_text=True)
    own = client.get("/review/brief").get_data(as_text=True)
    assert "Souss-Massa" in own and "Les professionnels demandent" not in own
    assert client.get("/review/brief?region=atlantide").status_code == 404


def test_hq_reads_any_region_in_its_language_right_to_left_in_arabic(app, session, desk) -> None:
    client = signed_in(app, desk.hq.email)
    html = client.get("/review/brief?region=souss-massa").get_data(as_text=True)
    assert "Souss-Massa" in html and "Pas encore signé" in html
    html = client.get("/review/brief?region=marrakech-safi&lang=ar").get_data(as_text=True)
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    assert "مراكش آسفي" in html or "مراكش" in html
    assert "التكوين أولوية." in html


def test_brief_counts_shortlisted_items_left_off_the_page(session, desk, monkeypatch) -> None:
    hq = scope_for(desk.hq)
    for sub in (desk.subs["safi"], desk.subs["agence"]):
        for item_id in items_of(session, sub):
            item = session.get(FeedbackItem, item_id)
            review_actions.update_item(
                session,
                hq,
                sub,
                item_id,
                kind=item.kind,
                theme_id=item.theme_id,
                shortlisted=True,
                actor_id=None,
            )
    data = brief.region_brief(session, hq, "marrakech-safi", language="fr")
    shortlisted = sum(len(items) for items in data.shortlisted.values())
    assert shortlisted == 4 and not data.shortlisted_more
    monkeypatch.setattr(brief, "SHORTLIST_PER_KIND", 1)  # two proposals, room for one
    data = brief.region_brief(session, hq, "marrakech-safi", language="fr")
    assert [i.text for i in data.shortlisted["proposal"]] == ["Former les guides au numérique."]
    assert data.shortlisted_more == {"proposal": 1}
    assert data.figures.submissions == 3
    assert [s.city for s in data.stops] == ["Marrakech", "Safi"]
    assert data.stops[0].signed_at is not None and data.stops[1].signed_at is None


def test_the_workbook_holds_the_brief_and_the_sign_off(app, session, desk, tmp_path) -> None:
    client = signed_in(app, desk.hq.email)
    response = post(app, client, "/hq/exports", {"regions": "marrakech-safi", "language": "fr"})
    assert response.status_code == 200, response.status_code
    path = tmp_path / "book.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    sheet = book["Bilan Marrakech-Safi"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "Bilan régional — Marrakech-Safi" in values
    assert "Les professionnels demandent de la formation.\nالتكوين أولوية." in values
    assert "Former les guides au numérique." in values
    assert "Améliorer l’accueil à l'AÉROPORT de Marrakech." not in values
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "portrait"
    # fit to one page wide and one page tall (1 is the file format's default, left out)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight in (None, 1)
    assert book["Marrakech-Safi"].page_setup.fitToHeight == 0  # unlike the long item lists
    summary = [c for row in book["Synthèse"].iter_rows(values_only=True) for c in row if c]
    assert "Signature des délégués" in summary
    assert "1 étape(s) signée(s) sur 2" in summary


def _big_brief(language: str, sentences: int = 60) -> RegionBrief:
    """A brief at its largest: long summaries, five ideas and themes per kind, full lists."""
    kinds = ("need", "opportunity", "challenge", "proposal")
    text = (
        '=HYPERLINK("http://x") ' if language == "fr" else ""
    ) + "Un texte de contribution assez long pour occuper deux lignes de la feuille. " * 2
    return RegionBrief(
        slug="marrakech-safi",
        name="Marrakech-Safi",
        figures=RegionFigures(
            slug="marrakech-safi",
            name="Marrakech-Safi",
            stops_held=3,
            submissions=1200,
            by_kind={"need": 900, "opportunity": 400, "challenge": 500, "proposal": 700},
            shortlisted=40,
        ),
        stops=tuple(
            BriefStop(
                city,
                dt.date(2025, 3, day),
                "Synthèse de l'étape. " * sentences + f"Fin de {city}.",
                "Délégué",
                dt.datetime(2025, 3, day, 18, tzinfo=dt.UTC),
            )
            for city, day in (("Marrakech", 1), ("Safi", 2), ("Essaouira", 3))
        ),
        top_themes={
            k: tuple(ThemeCount(f"t{i}", f"Thème {i}", 50 - i) for i in range(5)) for k in kinds
        },
        ideas={
            k: tuple(IdeaCount(f"Idée récurrente numéro {i}", 30 - i) for i in range(5))
            for k in kinds
        },
        shortlisted={
            k: tuple(BriefItem(text, "Formation", "Safi") for _ in range(6)) for k in kinds
        },
        shortlisted_more={"proposal": 12},
    )


def _brief_workbook(path: Path, language: str, sentences: int = 60, listed: int = 6) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    labels = Labels(language, CODE_WORDS)
    formats = Formats(wb, labels["date_format"])
    write_brief(
        wb.add_worksheet("Bilan"), formats, labels, _brief(language, sentences, listed), dt.UTC
    )
    wb.close()


def test_brief_sheet_text_is_never_a_formula(tmp_path) -> None:
    path = tmp_path / "brief.xlsx"
    _brief_workbook(path, "fr")
    sheet = openpyxl.load_workbook(path)["Bilan"]
    cells = [
        c
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(c.quotePrefix for c in cells)


def _brief(language: str, sentences: int, listed: int) -> RegionBrief:
    """The big brief with `listed` ideas, themes and shortlisted items per kind."""
    big = _big_brief(language, sentences)
    return dataclasses.replace(
        big,
        top_themes={k: v[:listed] for k, v in big.top_themes.items()},
        ideas={k: v[:listed] for k, v in big.ideas.items()},
        shortlisted={k: v[:listed] for k, v in big.shortlisted.items()},
    )


def _pdf_pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


@needs_libreoffice
@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.slow
def test_the_brief_sheet_prints_on_one_page_unless_summaries_are_long(tmp_path, language) -> None:
    from pypdf import PdfReader

    # Three summaries of a few lines, two ideas, themes and items a kind: one page, as handed
    # over (a brief with every list full prints on two or three, at a readable size).
    path = tmp_path / f"brief-{language}.xlsx"
    _brief_workbook(path, language, sentences=12, listed=2)
    assert _pdf_pages(print_to_pdf(path, tmp_path)) == 1
    # Three summaries of a page each: shrunk onto one page they could not be read; printed one
    # page wide over a few pages, every summary to its last words.
    path = tmp_path / f"long-{language}.xlsx"
    _brief_workbook(path, language, sentences=150)
    pdf = print_to_pdf(path, tmp_path)
    assert 2 <= _pdf_pages(pdf) <= 5
    text = " ".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    for city in ("Marrakech", "Safi", "Essaouira"):
        assert f"Fin de {city}." in re.sub(r"\s+", " ", text)
