"""The workbook's regional brief sheets, and the sign-off lines of the "Synthèse" sheet.

One sheet per region, printable on one A4 page (portrait, fit to 1 x 1 page): the delegate's
summaries, figures, the top five recurring ideas per kind, the most cited themes and the
shortlisted items of every kind. Written top to bottom (constant-memory mode); all user text
goes through `put_text` (string cells, never a formula).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.data import RegionBrief
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import (
    LINE_POINTS,
    MAX_ROW_POINTS,
    Formats,
    lines_height,
    put_text,
    split_lines,
    text_lines,
)

WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "sheet": "Bilan {region}",
        "title": "Bilan régional — {region}",
        "signed": "Signé par {who} le {when}",
        "partly": "{done} étape(s) signée(s) sur {total}",
        "not_yet": "Pas encore signé",
        "nobody": "compte supprimé",
        "signoffs": "Signature des délégués",
        "col_signoff": "Signature",
        "summary": "Synthèse du délégué",
        "no_summary": "Aucune synthèse n'a encore été écrite.",
        "commitments": "Engagements",
        "no_commitment": "Aucun engagement pour l'instant.",
        "figures": "Chiffres",
        "ideas": "Idées récurrentes (entrées)",
        "quotes": "Citations : {quotes}",
        "themes": "Thèmes les plus cités",
        "shortlisted": "Éléments retenus",
        "none": "—",
        "more": "… et {count} de plus",
    },
    "en": {
        "sheet": "Brief {region}",
        "title": "Regional brief — {region}",
        "signed": "Signed off by {who} on {when}",
        "partly": "{done} of {total} stop(s) signed off",
        "not_yet": "Not signed off yet",
        "nobody": "deleted account",
        "signoffs": "Delegates' sign-off",
        "col_signoff": "Sign-off",
        "summary": "Delegate's summary",
        "no_summary": "No summary written yet.",
        "commitments": "Commitments",
        "no_commitment": "No commitment yet.",
        "figures": "Figures",
        "ideas": "Recurring ideas (entries)",
        "quotes": "Quotes: {quotes}",
        "themes": "Most cited themes",
        "shortlisted": "Shortlisted items",
        "none": "—",
        "more": "… and {count} more",
    },
    "ar": {
        "sheet": "حصيلة {region}",
        "title": "الحصيلة الجهوية — {region}",
        "signed": "صادق عليها {who} في {when}",
        "partly": "تمت المصادقة على {done} من أصل {total} محطة",
        "not_yet": "لم تتم المصادقة بعد",
        "nobody": "حساب محذوف",
        "signoffs": "مصادقة المندوبين",
        "col_signoff": "المصادقة",
        "summary": "خلاصة المندوب",
        "no_summary": "لم تُكتب أي خلاصة بعد.",
        "commitments": "الالتزامات",
        "no_commitment": "لا يوجد أي التزام حاليًا.",
        "figures": "الأرقام",
        "ideas": "الأفكار المتكررة (المدخلات)",
        "quotes": "اقتباسات: {quotes}",
        "themes": "المواضيع الأكثر ذكرًا",
        "shortlisted": "العناصر المختارة",
        "none": "—",
        "more": "… و{count} أخرى",
    },
}


def words(language: str) -> Mapping[str, str]:
    return WORDS.get(language, WORDS["fr"])


def _when(value: dt.datetime, zone: dt.tzinfo | None, labels: Labels) -> str:
    if value.tzinfo is None:  # SQLite hands back naive UTC times
        value = value.replace(tzinfo=dt.UTC)
    return (
        value.astimezone(zone).strftime(labels["when_format"])
        if zone
        else value.strftime(labels["when_format"])
    )


def signoff_text(brief: RegionBrief, labels: Labels, zone: dt.tzinfo | None) -> str:
    """ "Signed off by whom and when", "k of n stops signed off" or "not yet"."""
    w = words(labels.language)
    last = brief.last_signed
    if brief.signed_off and last is not None and last.signed_at is not None:
        return w["signed"].format(
            who=last.signed_by or w["nobody"], when=_when(last.signed_at, zone, labels)
        )
    if last is not None:
        done = sum(1 for s in brief.stops if s.signed_at is not None)
        return w["partly"].format(done=done, total=len(brief.stops))
    return w["not_yet"]


def write_signoffs(
    ws: Worksheet,
    formats: Formats,
    labels: Labels,
    row: int,
    briefs: Sequence[RegionBrief],
    zone: dt.tzinfo | None,
) -> int:
    """The "Synthèse" sheet's section: each region's sign-off; returns the last row written."""
    w = words(labels.language)
    ws.write_string(row, 0, w["signoffs"], formats.get("section"))
    row += 1
    ws.write_string(row, 0, labels["col_region"], formats.get("header"))
    ws.write_string(row, 1, w["col_signoff"], formats.get("header"))
    for brief in briefs:
        row += 1
        put_text(ws, formats, row, 0, brief.name)
        put_text(ws, formats, row, 1, signoff_text(brief, labels, zone))
    return row


def brief_sheet_name(brief: RegionBrief, labels: Labels) -> str:
    return words(labels.language)["sheet"].format(region=brief.name)


# Column widths (units of a "0"): the text, then the count or theme beside it.
_WIDE, _NARROW = 80, 22
# A4 portrait within the margins below, in points (the header and footer are not used).
_PAGE_POINTS = (297 / 25.4 - 1.0) * 72
# The smallest print scale the brief accepts to stay on one page: below it, summaries would be
# too small to read, so the brief is printed one page wide over as many pages as it needs.
_MIN_SCALE = 0.6


def write_brief(
    ws: Worksheet, formats: Formats, labels: Labels, brief: RegionBrief, zone: dt.tzinfo | None
) -> None:
    """One region's brief, on one printed A4 page unless its summaries are too long for it."""
    w = words(labels.language)
    heights: dict[int, float] = {}  # the rows taller than one line, to choose the page fit

    def wrapped(row: int, first: str | None, second: str | None = None) -> None:
        lines = max(text_lines(first or "", _WIDE), text_lines(second or "", _NARROW))
        if lines > 1:  # constant-memory mode: set before the next row is started
            heights[row] = lines_height(lines)
            ws.set_row(row, heights[row])

    row = 0
    put_text(ws, formats, row, 0, w["title"].format(region=brief.name), "title")
    row += 1
    put_text(ws, formats, row, 0, signoff_text(brief, labels, zone), "subtitle")

    row += 2
    ws.write_string(row, 0, w["summary"], formats.get("section"))
    summaries = [s for s in brief.stops if s.summary]
    max_lines = int((MAX_ROW_POINTS - 3) // LINE_POINTS)
    for stop in summaries:
        row += 1
        put_text(ws, formats, row, 0, f"{stop.city} — {stop.date.strftime('%d/%m/%Y')}", "label")
        # A summary may be longer than one row can show (409 points): it continues in the
        # rows below, cut between words, so that nothing is lost in print.
        for piece in split_lines(stop.summary, _WIDE, max_lines):
            row += 1
            put_text(ws, formats, row, 0, piece, "wrap")
            wrapped(row, piece)
    if not summaries:
        row += 1
        ws.write_string(row, 0, w["no_summary"], formats.get("cell"))

    row += 2
    ws.write_string(row, 0, w["figures"], formats.get("section"))
    figures: list[tuple[str, Any]] = [
        (labels["col_submissions"], brief.figures.submissions),
        (labels["col_stops_held"], brief.figures.stops_held),
        *((labels.kind_plural(k), brief.figures.by_kind.get(k, 0)) for k in labels.kinds),
    ]
    for label, value in figures:
        row += 1
        ws.write_string(row, 0, label, formats.get("label"))
        ws.write_number(row, 1, value, formats.number)

    for kind in labels.kinds:
        row += 2
        ws.write_string(row, 0, labels.kind_plural(kind), formats.get("section"))
        ideas = [
            (labels.idea_title(i.titles) or i.label, i.count, i.quotes)
            for i in brief.ideas.get(kind, ())
        ]
        themes = [(t.label, t.count, ()) for t in brief.top_themes.get(kind, ())]
        for title, ranked in ((w["ideas"], ideas), (w["themes"], themes)):
            row += 1
            ws.write_string(row, 0, title, formats.get("header"))
            ws.write_string(row, 1, labels["col_count"], formats.get("header"))
            if not ranked:
                row += 1
                ws.write_string(row, 0, w["none"], formats.get("cell"))
            for label, count, quotes in ranked:
                row += 1
                put_text(ws, formats, row, 0, label, "wrap")
                ws.write_number(row, 1, count, formats.number)
                wrapped(row, label)
                if quotes:  # verbatim, in one wrapped line under the idea
                    row += 1
                    said = w["quotes"].format(quotes=" · ".join(f"« {q.text} »" for q in quotes))
                    put_text(ws, formats, row, 0, said, "wrap")
                    wrapped(row, said)
        row += 1
        ws.write_string(row, 0, w["shortlisted"], formats.get("header"))
        ws.write_string(row, 1, "", formats.get("header"))
        items = brief.shortlisted.get(kind, ())
        if not items:
            row += 1
            ws.write_string(row, 0, w["none"], formats.get("cell"))
        for item in items:
            row += 1
            put_text(ws, formats, row, 0, item.text, "wrap")
            put_text(ws, formats, row, 1, item.theme, "wrap")
            wrapped(row, item.text, item.theme)
        more = brief.shortlisted_more.get(kind, 0)
        if more:
            row += 1
            ws.write_string(row, 0, w["more"].format(count=more), formats.get("subtitle"))

    row += 2
    ws.write_string(row, 0, w["commitments"], formats.get("section"))
    if not brief.commitments:
        row += 1
        ws.write_string(row, 0, w["no_commitment"], formats.get("cell"))
    for c in brief.commitments:
        row += 1
        where = c.region or labels["national"]
        put_text(ws, formats, row, 0, f"{c.title} ({where}, {c.owner})", "wrap")
        status = f"{labels.commitment_status(c.status)} — {c.progress} %"
        put_text(ws, formats, row, 1, status, "wrap")
        wrapped(row, f"{c.title} ({where}, {c.owner})", status)
        if c.last_reason:
            row += 1
            put_text(ws, formats, row, 0, c.last_reason, "wrap")
            wrapped(row, c.last_reason)

    ws.set_column(0, 0, _WIDE)
    ws.set_column(1, 1, _NARROW)
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    # Handed over as one page when it can be read so; otherwise one page wide, as long as needed.
    total = sum(heights.values()) + LINE_POINTS * (row + 1 - len(heights))
    ws.fit_to_pages(1, 1 if total * _MIN_SCALE <= _PAGE_POINTS else 0)
    if labels.rtl:
        ws.right_to_left()
