"""The region brief as an A4 document: HTML from `RegionBrief`, printed to PDF by WeasyPrint.

One template (templates/exports/_brief_body.html, styled by static/css/brief_document.css)
makes both the PDF (exports/brief_document.html) and the page a share link opens
(followup/shared_brief.html, in the public layout). WeasyPrint lays the text out with Pango and
HarfBuzz (Debian's libpango-1.0-0, libharfbuzz0b, fontconfig): Arabic is shaped and set right
to left like in a browser, with no browser at run time. The font is DejaVu Sans
(fonts-dejavu-core), which has Latin and Arabic glyphs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import render_template
from flask_babel import force_locale

from feedback_app.exports.data import RegionBrief
from feedback_app.labels import COMMITMENT_STATUSES, KIND_PLURALS
from feedback_app.locales import language as language_info
from feedback_app.locales import word
from feedback_app.models import ItemKind

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "brief_document.css"
THEMES_PER_KIND = 3  # under each kind's bar, its most cited themes
PDF_MIMETYPE = "application/pdf"


@dataclass(frozen=True)
class ChartRow:
    """One bar: a kind (its entries) or, under it, one of its themes."""

    label: str
    count: int
    width: float  # share of the longest bar, 0–100 (the SVG's own units)
    is_kind: bool

    def x(self, rtl: bool) -> float:
        """Bars start from the reading side: the right edge in Arabic."""
        return round(100 - self.width, 2) if rtl else 0.0


def chart_rows(brief: RegionBrief, language: str) -> list[ChartRow]:
    """Entries by kind, each followed by its most cited themes; empty without entries."""
    by_kind = brief.figures.by_kind
    longest = max(by_kind.values(), default=0)
    if longest == 0:
        return []
    rows: list[ChartRow] = []
    for kind in ItemKind:
        count = by_kind.get(kind.value, 0)
        rows.append(
            ChartRow(word(KIND_PLURALS[kind.value], language), count, _w(count, longest), True)
        )
        for theme in brief.top_themes.get(kind.value, ())[:THEMES_PER_KIND]:
            rows.append(ChartRow(theme.label, theme.count, _w(theme.count, longest), False))
    return rows


def _w(count: int, longest: int) -> float:
    return round(100 * count / longest, 2)


@dataclass(frozen=True)
class SharedView:
    """What the shared page adds: when its link expires, where its PDF is."""

    expires_at: dt.datetime
    pdf_url: str | None = None


def brief_html(
    brief: RegionBrief,
    *,
    language: str,
    generated_at: dt.datetime,
    for_pdf: bool,
    shared: SharedView | None = None,
) -> str:
    """The document in `language` (needs an application context for its template)."""
    info = language_info(language)
    with force_locale(info.locale):
        return render_template(
            "exports/brief_document.html" if for_pdf else "followup/shared_brief.html",
            brief=brief,
            language=language,
            direction=info.direction,
            rtl=info.rtl,
            kinds=[kind.value for kind in ItemKind],
            kind_plurals={k: word(w, language) for k, w in KIND_PLURALS.items()},
            commitment_statuses={k: word(w, language) for k, w in COMMITMENT_STATUSES.items()},
            chart=chart_rows(brief, language),
            generated_at=generated_at,
            for_pdf=for_pdf,
            shared=shared,
        )


def brief_pdf(html: str) -> bytes:
    """The PDF of a document made by `brief_html(for_pdf=True)`: nothing is fetched (no base
    URL, no external resource), the stylesheet is read from the package."""
    # Imported here: WeasyPrint loads Pango through cffi, which only the builds need.
    from weasyprint import CSS, HTML

    return bytes(HTML(string=html).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))]))
