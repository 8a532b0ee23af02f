"""The "Synthèse" and "À propos" sheets: small, written from aggregates and the label table.

Rows are written top to bottom only (the workbook is in XlsxWriter's constant-memory mode).
Totals are values, not formulas: no cell of the workbook holds a formula.
"""

from __future__ import annotations

import datetime as dt

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from feedback_app.exports.brief_sheet import write_signoffs
from feedback_app.exports.data import RegionFigures, WorkbookData
from feedback_app.exports.labels import Labels
from feedback_app.exports.styles import Formats, put_text


def _figure_headers(labels: Labels) -> list[str]:
    return [
        labels["col_region"],
        labels["col_stops_held"],
        labels["col_submissions"],
        *(labels.kind_plural(k) for k in labels.kinds),
        labels["col_shortlisted"],
    ]


def _date(value: dt.date | None, labels: Labels) -> str:
    if value is None:
        return ""
    return value.strftime(labels["when_format"].split(" ")[0])


def _period(data: WorkbookData, labels: Labels) -> str:
    since, until = data.filters.since, data.filters.until
    if since and until:
        return labels["from_to"].format(since=_date(since, labels), until=_date(until, labels))
    if since:
        return labels["since_only"].format(since=_date(since, labels))
    if until:
        return labels["until_only"].format(until=_date(until, labels))
    return labels["whole_period"]


def write_synthesis(
    wb: Workbook, ws: Worksheet, formats: Formats, labels: Labels, data: WorkbookData
) -> None:
    syn = data.synthesis
    title = labels["title"] + (f" {data.title_year}" if data.title_year else "")
    ws.write_string(0, 0, title, formats.get("title"))
    when = data.generated_at.strftime(labels["when_format"])
    put_text(
        ws, formats, 1, 0, labels["generated"].format(when=when, who=data.generated_by), "subtitle"
    )
    if data.ideas_waiting:
        computed = data.ideas_computed_at
        stamp = computed.astimezone(data.generated_at.tzinfo) if computed else data.generated_at
        note = labels["ideas_stale"].format(
            when=stamp.strftime(labels["when_format"]), count=data.ideas_waiting
        )
        put_text(ws, formats, 2, 0, note, "subtitle")

    row = 3
    ws.write_string(row, 0, labels["filters"], formats.get("section"))
    f = data.filters
    statuses = (
        labels.join(labels.status(s) for s in f.statuses) if f.statuses else labels["all_statuses"]
    )
    for key, value in (
        ("filter_regions", labels.join(f.regions) or labels["all_regions"]),
        ("filter_stops", labels.join(f.stops) or labels["all_stops"]),
        ("filter_period", _period(data, labels)),
        ("filter_status", statuses),
        ("filter_spam", labels["spam_excluded"]),
    ):
        row += 1
        ws.write_string(row, 0, labels[key], formats.get("label"))
        put_text(ws, formats, row, 1, value)

    # Figures per region, with a totals row and a chart of submissions beside them.
    row += 2
    ws.write_string(row, 0, labels["by_region"], formats.get("section"))
    row += 1
    header_row = row
    ws.set_row(row, 32)  # before the row is written: constant-memory mode
    for col, text in enumerate(_figure_headers(labels)):
        ws.write_string(row, col, text, formats.get("header"))
    for region in syn.regions:
        row += 1
        _figures_row(ws, formats, labels, row, region, total=False)
    row += 1
    totals = syn.totals
    ws.write_string(row, 0, labels["total"], formats.get("total"))
    _figures_row(ws, formats, labels, row, totals, total=True)
    if syn.regions:
        _chart(wb, ws, labels, syn.regions, header_row)

    # Submissions by professional category.
    row += 2
    ws.write_string(row, 0, labels["by_category"], formats.get("section"))
    row += 1
    ws.set_row(row, 32)
    ws.write_string(row, 0, labels["col_region"], formats.get("header"))
    for col, (_code, label) in enumerate(syn.categories, start=1):
        put_text(ws, formats, row, col, label, "header")
    ws.write_string(row, len(syn.categories) + 1, labels["total"], formats.get("header"))
    for region in syn.regions:
        row += 1
        put_text(ws, formats, row, 0, region.name)
        counts = syn.by_category.get(region.slug, {})
        for col, (code, _label) in enumerate(syn.categories, start=1):
            ws.write_number(row, col, counts.get(code, 0), formats.number)
        ws.write_number(row, len(syn.categories) + 1, sum(counts.values()), formats.number)
    row += 1
    ws.write_string(row, 0, labels["total"], formats.get("total"))
    for col, (code, _label) in enumerate(syn.categories, start=1):
        ws.write_number(row, col, syn.category_total(code), formats.total_number)
    ws.write_number(row, len(syn.categories) + 1, totals.submissions, formats.total_number)

    # The most cited themes, kind by kind.
    row += 2
    ws.write_string(row, 0, labels["top_themes"], formats.get("section"))
    for kind in labels.kinds:
        row += 1
        ws.write_string(row, 0, labels.kind_plural(kind), formats.get("header"))
        ws.write_string(row, 1, labels["col_count"], formats.get("header"))
        for theme in syn.top_themes.get(kind, ()):
            row += 1
            put_text(ws, formats, row, 0, theme.label)
            ws.write_number(row, 1, theme.count, formats.number)

    briefs = [data.briefs[r.slug] for r in syn.regions if r.slug in data.briefs]
    if briefs:
        row = write_signoffs(ws, formats, labels, row + 2, briefs, data.generated_at.tzinfo)

    ws.set_column(0, 0, 36)
    ws.set_column(1, max(len(syn.categories) + 1, 8), 15)
    print_setup(ws, labels)
    # Its tables differ from section to section: every printed page repeats the sheet's title
    # and the "generated on, by" line, which says what the figures are and of when.
    ws.repeat_rows(0, 1)


def print_setup(ws: Worksheet, labels: Labels, *, portrait: bool = False) -> None:
    """A4, fitted to one page wide, the workbook's title and the sheet's name in the header
    and page numbers in the footer, in the workbook's language."""
    ws.set_paper(9)  # A4
    if portrait:
        ws.set_portrait()
    else:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
    # "&" starts a header code: a literal one is written "&&".
    title = labels["title"].replace("&", "&&")
    ws.set_header(f"&L&8{title}&R&8&A")
    ws.set_footer(f"&C&8{labels['page_footer']}")
    if labels.rtl:
        ws.right_to_left()


def _figures_row(
    ws: Worksheet,
    formats: Formats,
    labels: Labels,
    row: int,
    region: RegionFigures,
    *,
    total: bool,
) -> None:
    if not total:
        put_text(ws, formats, row, 0, region.name)
    fmt = formats.total_number if total else formats.number
    figures = (
        region.stops_held,
        region.submissions,
        *(region.by_kind.get(kind, 0) for kind in labels.kinds),
        region.shortlisted,
    )
    for col, figure in enumerate(figures, start=1):
        ws.write_number(row, col, figure, fmt)


def _chart(
    wb: Workbook, ws: Worksheet, labels: Labels, regions: tuple[RegionFigures, ...], header_row: int
) -> None:
    first, last = header_row + 1, header_row + len(regions)
    chart = wb.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": labels["col_submissions"],
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, 2, last, 2],
            # The cached values let viewers that do not recalculate draw the chart too (the
            # sheet's cells are already on disk in constant-memory mode).
            "categories_data": [r.name for r in regions],
            "values_data": [r.submissions for r in regions],
            "fill": {"color": "#1F4E78"},
            "data_labels": {"value": True},
        }
    )
    chart.set_title({"name": labels["chart_title"]})
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True})  # official order from top to bottom
    chart.set_size({"width": 560, "height": max(300, 26 * len(regions) + 90)})
    ws.insert_chart(header_row, 11, chart)


def write_about(
    ws: Worksheet,
    formats: Formats,
    labels: Labels,
    data: WorkbookData,
    categories: tuple[tuple[str, str], ...],
    region_sheets: list[str],
) -> None:
    ws.write_string(0, 0, labels["about_title"], formats.get("title"))
    row = 2
    ws.write_string(row, 0, labels["about_sheets"], formats.get("section"))
    for name, text in (
        (labels["sheet_synthesis"], labels["about_sheet_synthesis"]),
        (
            labels["about_region_sheets"],
            labels["about_sheet_region"]
            + (" " + labels.join(region_sheets) if region_sheets else ""),
        ),
        (labels["sheet_ideas"], labels["about_sheet_ideas"]),
        (labels["sheet_map"], labels["map_legend"]),
        (labels["sheet_proposals"], labels["about_sheet_proposals"]),
    ):
        row += 1
        ws.write_string(row, 0, name, formats.get("label"))
        put_text(ws, formats, row, 1, text, "wrap")

    row += 2
    ws.write_string(row, 0, labels["about_kinds"], formats.get("section"))
    for kind in labels.kinds:
        row += 1
        ws.write_string(row, 0, labels.kind(kind), formats.get("label"))
        ws.write_string(row, 1, labels.kind_hint(kind), formats.get("wrap"))

    row += 2
    ws.write_string(row, 0, labels["about_categories"], formats.get("section"))
    for code, label in categories:
        row += 1
        put_text(ws, formats, row, 0, label, "label")
        hint = labels.category_hint(code)
        if hint:
            ws.write_string(row, 1, hint, formats.get("wrap"))

    row += 2
    ws.write_string(row, 0, labels["about_privacy"], formats.get("section"))
    for paragraph in labels.paragraphs("privacy"):
        row += 1
        ws.write_string(row, 1, paragraph, formats.get("wrap"))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 100)
    print_setup(ws, labels)
