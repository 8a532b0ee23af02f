"""The region brief as a PDF: built by the export job system from the page's RegionBrief, A4,
French or Arabic (shaped, right to left), read back with pypdf and rendered with pdftoppm."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from feedback_app.exports.brief_pdf import brief_html, brief_pdf, chart_rows
from feedback_app.exports.data import (
    BriefItem,
    BriefStop,
    IdeaCount,
    IdeaTitles,
    Quote,
    RegionBrief,
    RegionFigures,
    ThemeCount,
)
from feedback_app.extensions import taskqueue
from feedback_app.models import AuditEvent, ExportArtifact, ExportJob, Role
from feedback_app.services.export.brief_pdf import BRIEF_PDF_ACTION
from tests.staff import make_user, signed_in
from tests.test_brief import desk as desk  # the fixture: Marrakech-Safi, one stop signed

SUMMARY_AR = "التكوين أولوية"  # its full stop is neutral: readers put it either side
QUOTE_AR = "نحتاج إلى رحلات جوية مباشرة إلى مراكش"
IDEA_AR = "الربط الجوي مع أوروبا"


def _pdf(app, client, path: str):
    """The PDF a GET of the route leads to: a job's page, then its file once the worker ran."""
    started = client.get(path)
    assert started.status_code == 303, started.status_code
    job_page = started.headers["Location"]
    assert re.fullmatch(r"/hq/exports/jobs/[\w-]+", job_page)
    taskqueue.join(app)
    return job_page, client.get(job_page + "/file")


def _text(data: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _sample(language: str) -> RegionBrief:
    arabic = language == "ar"
    return RegionBrief(
        slug="marrakech-safi",
        name="مراكش آسفي" if arabic else "Marrakech-Safi",
        figures=RegionFigures(
            slug="marrakech-safi",
            name="Marrakech-Safi",
            stops_held=2,
            submissions=148,
            by_kind={"need": 120, "opportunity": 40, "challenge": 75, "proposal": 60},
            shortlisted=9,
        ),
        stops=(
            BriefStop(
                "Marrakech",
                dt.date(2025, 3, 1),
                "Les hôteliers demandent des vols directs.\n" + SUMMARY_AR,
                "Nadia Alaoui",
                dt.datetime(2025, 3, 2, 18, 0, tzinfo=dt.UTC),
            ),
        ),
        top_themes={"need": (ThemeCount("connectivite", "Connectivité aérienne", 52),)},
        ideas={
            "need": (
                IdeaCount(
                    IDEA_AR if arabic else "Plus de vols directs",
                    31,
                    IdeaTitles(),
                    (Quote(QUOTE_AR, "ar"),),
                ),
                IdeaCount(
                    "Former les guides",
                    12,
                    IdeaTitles(),
                    (Quote("Des formations en langues.", "fr"),),
                ),
            )
        },
        shortlisted={"proposal": (BriefItem("Un label durable.", "Durabilité", "Safi"),)},
        shortlisted_more={"proposal": 4},
    )


def test_the_chart_has_a_bar_per_kind_and_its_themes_beneath() -> None:
    rows = chart_rows(_sample("fr"), "fr")
    assert [(r.label, r.count, r.is_kind) for r in rows[:3]] == [
        ("Besoins", 120, True),
        ("Connectivité aérienne", 52, False),
        ("Opportunités", 40, True),
    ]
    assert rows[0].width == 100 and rows[1].width == pytest.approx(43.33)
    # Right to left, the bars start from the right edge.
    assert rows[1].x(rtl=False) == 0 and rows[1].x(rtl=True) == pytest.approx(56.67)
    empty = RegionBrief("x", "X", RegionFigures("x", "X"), (), {})
    assert chart_rows(empty, "fr") == []


def test_the_french_pdf_is_a4_with_figures_ideas_quotes_shortlist_and_signature(app) -> None:
    with app.test_request_context("/"):
        html = brief_html(
            _sample("fr"), language="fr", generated_at=dt.datetime.now(dt.UTC), for_pdf=True
        )
    assert "<script" not in html and "<svg" in html  # the chart is drawn on the server
    reader, text = _text(brief_pdf(html))
    assert len(reader.pages) == 2  # figures, chart, summary; then ideas and shortlist
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    first = reader.pages[0].extract_text()
    assert "148" in first and "Contributions" in first and "Étapes tenues" in first
    assert "120" in first and "Connectivité aérienne" in first and "52" in first
    assert "Signé par Nadia Alaoui" in first
    assert "Les hôteliers demandent des vols directs." in first
    second = reader.pages[1].extract_text()
    assert "Plus de vols directs" in second and QUOTE_AR in second  # the quote, in order
    assert "Un label durable." in second and "et 4 autres éléments retenus." in second
    assert "Marrakech-Safi · 2 / 2" in text  # the running footer


def test_the_arabic_pdf_keeps_the_words_in_logical_order(app) -> None:
    with app.test_request_context("/?lang=ar"):
        html = brief_html(
            _sample("ar"), language="ar", generated_at=dt.datetime.now(dt.UTC), for_pdf=True
        )
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    _reader, text = _text(brief_pdf(html))
    # Shaped glyphs carry their characters: the extracted text reads in logical order, as
    # typed (a PDF of unshaped or reversed glyphs would give isolated forms or reversed words).
    assert "مراكش آسفي" in text
    assert IDEA_AR in text and QUOTE_AR in text and SUMMARY_AR in text
    assert "Nadia Alaoui" in text


def _ink(pdf: Path, page: int, tmp_path: Path) -> tuple[int, int, int]:
    """(dark pixels in the left half, in the right half, total pixels) of one page rendered
    in grey at 40 dpi by poppler's pdftoppm."""
    out = tmp_path / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), str(pdf), str(out)],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob(f"page{page}*.pgm")
    raw = image.read_bytes()
    header = raw.split(maxsplit=4)  # P5 width height maxval pixels
    width, height = int(header[1]), int(header[2])
    pixels = raw[len(raw) - width * height :]
    left = right = 0
    for row in range(height):
        line = pixels[row * width : (row + 1) * width]
        left += sum(1 for v in line[: width // 2] if v < 128)
        right += sum(1 for v in line[width // 2 :] if v < 128)
    image.unlink()
    return left, right, width * height


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm (Debian poppler-utils) is not installed"
)
def test_rendered_pages_have_ink_on_the_reading_side(app, tmp_path) -> None:
    for language in ("fr", "ar"):
        with app.test_request_context(f"/?lang={language}"):
            html = brief_html(
                _sample(language),
                language=language,
                generated_at=dt.datetime.now(dt.UTC),
                for_pdf=True,
            )
        path = tmp_path / f"{language}.pdf"
        path.write_bytes(brief_pdf(html))
        left, right, total = _ink(path, 2, tmp_path)  # text only: ideas, quotes, shortlist
        assert left + right > total * 0.002, "the page is blank"
        if language == "fr":
            assert left > 2 * right, (left, right)
        else:
            assert right > 2 * left, (left, right)


def test_the_brief_pdf_is_a_background_job_of_the_readers_region(app, session, desk) -> None:
    client = signed_in(app, desk.delegate_a.email)
    job_page, response = _pdf(app, client, "/review/brief.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "bilan-marrakech-safi-fr-" in response.headers["Content-Disposition"]
    page = client.get(job_page).get_data(as_text=True)
    assert "Préparation du bilan PDF" in page and "Télécharger le bilan PDF" in page
    reader, text = _text(response.data)
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text()
    assert "Marrakech-Safi" in first and "1 étape(s) signée(s) sur 2." in first
    assert re.search(r"\b3\s+2\s+1\s+1", first) or ("3" in first and "Contributions" in first)
    assert "Les professionnels demandent de la formation." in first and SUMMARY_AR in first
    assert "Former les guides au numérique." in text  # shortlisted
    assert "Améliorer l’accueil" not in text  # not shortlisted
    assert "Agadir" not in text and "Surf Club" not in text  # another region
    session.rollback()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == BRIEF_PDF_ACTION))
    assert event is not None and event.user_id == desk.delegate_a.id
    assert event.after["region"] == "marrakech-safi"


def test_asking_twice_joins_or_reuses_and_arabic_is_its_own_file(app, session, desk) -> None:
    client = signed_in(app, desk.hq.email)
    _page, first = _pdf(app, client, "/review/brief.pdf?region=marrakech-safi")
    _page, again = _pdf(app, client, "/review/brief.pdf?region=marrakech-safi")
    assert first.data == again.data  # the same brief over the same data: not printed again
    _page, arabic = _pdf(app, client, "/review/brief.pdf?region=marrakech-safi&lang=ar")
    _reader, text = _text(arabic.data)
    assert "مراكش" in text and SUMMARY_AR in text
    session.rollback()
    assert len(session.scalars(select(ExportArtifact.id)).all()) == 2


def test_access_to_the_brief_pdf(app, session, desk) -> None:
    # Another region's delegate: 404 as for an unknown region, and no job is queued.
    other = signed_in(app, desk.delegate_b.email)
    assert other.get("/review/brief.pdf?region=marrakech-safi").status_code == 404
    assert other.get("/review/brief.pdf?region=nowhere").status_code == 404
    session.rollback()
    assert session.scalars(select(ExportJob.id)).all() == []
    # Anonymous: to the sign-in page.
    anonymous = app.test_client()
    response = anonymous.get("/review/brief.pdf?region=marrakech-safi")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    # An observer of the region reads it (a read-only role may take the brief out).
    make_user(session, "obs@example.ma", role=Role.OBSERVER, regions=("marrakech-safi",))
    observer = signed_in(app, "obs@example.ma")
    job_page, response = _pdf(app, observer, "/review/brief.pdf?region=marrakech-safi")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    # Nobody else reads that job or its file, HQ included: it is the observer's.
    hq = signed_in(app, desk.hq.email)
    assert hq.get(job_page).status_code == 404
    assert hq.get(job_page + "/file").status_code == 404
    assert other.get(job_page + "/file").status_code == 404


def test_a_brief_job_run_twice_stores_one_file_and_a_moved_delegate_gets_none(
    app, session, desk
) -> None:
    from feedback_app.database import write_transaction
    from feedback_app.models import JobState, Region
    from feedback_app.tasks.exports import build_export

    client = signed_in(app, desk.delegate_a.email)
    job_page, _file = _pdf(app, client, "/review/brief.pdf")
    job_id = job_page.rsplit("/", 1)[-1]
    session.rollback()
    artifact_id = session.get(ExportJob, job_id).artifact_id
    with write_transaction(session):  # delivered again after a dying worker's reset
        session.get(ExportJob, job_id).state = JobState.RUNNING
    build_export.run(job_id=job_id)
    session.rollback()
    again = session.get(ExportJob, job_id, populate_existing=True)
    assert again.state is JobState.DONE and again.artifact_id == artifact_id
    assert len(session.scalars(select(ExportArtifact.id)).all()) == 1
    # Moved to Souss-Massa before the worker ran: the job fails, nothing of Marrakech-Safi.
    with write_transaction(session):
        job = session.get(ExportJob, job_id)
        job.state, job.artifact_id = JobState.QUEUED, None
        user = session.get(type(desk.delegate_a), desk.delegate_a.id)
        user.regions = [session.scalar(select(Region).where(Region.slug == "souss-massa"))]
        job.request = {**job.request, "region": "marrakech-safi"}
    build_export.run(job_id=job_id)
    session.rollback()
    failed = session.get(ExportJob, job_id, populate_existing=True)
    assert failed.state is JobState.FAILED and failed.failure == "access"
