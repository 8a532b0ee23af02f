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
from feedback_app.exports.styles import Formats, put_text

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


def write_brief(
    ws: Worksheet, formats: Formats, labels: Labels, brief: RegionBrief, zone: dt.tzinfo | None
) -> None:
    """One region's brief, on one printed A4 page."""
    w = words(labels.language)
    row = 0
    put_text(ws, formats, row, 0, w["title"].format(region=brief.name), "title")
    row += 1
    put_text(ws, formats, row, 0, signoff_text(brief, labels, zone), "subtitle")

    row += 2
    ws.write_string(row, 0, w["summary"], formats.get("section"))
    summaries = [s for s in brief.stops if s.summary]
    for stop in summaries:
        row += 1
        put_text(ws, formats, row, 0, f"{stop.city} — {stop.date.strftime('%d/%m/%Y')}", "label")
        row += 1
        put_text(ws, formats, row, 0, stop.summary, "wrap")
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
                if quotes:  # verbatim, in one wrapped line under the idea
                    row += 1
                    said = " · ".join(f"« {q.text} »" for q in quotes)
                    put_text(ws, formats, row, 0, w["quotes"].format(quotes=said), "wrap")
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
        if c.last_reason:
            row += 1
            put_text(ws, formats, row, 0, c.last_reason, "wrap")

    ws.set_column(0, 0, 80)
    ws.set_column(1, 1, 22)
    ws.set_paper(9)  # A4
    ws.set_portrait()
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.fit_to_pages(1, 1)  # the brief is handed over as one page
    if labels.rtl:
        ws.right_to_left()
