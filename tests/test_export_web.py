"""Downloading the synthesis from the web: POST with CSRF, attachment, audit, background jobs."""

from __future__ import annotations

import io
import json
import time

import openpyxl
from sqlalchemy import select

from feedback_app.hq import export_jobs
from feedback_app.models import AuditEvent, Role, User
from feedback_app.services.export_files import exports_dir
from tests.export_world import build_tour
from tests.staff import csrf_for, make_user, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _people(session):  # type: ignore[no-untyped-def]
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=(), name="Nadia Siège")
    make_user(session, "delegue@example.ma", regions=("souss-massa",))


def test_the_form_lists_what_the_reader_may_export(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    hq_page = signed_in(app, "siege@example.ma").get("/hq/exports").get_data(as_text=True)
    assert 'value="marrakech-safi"' in hq_page and 'value="souss-massa"' in hq_page
    assert "Essaouira" in hq_page  # stops to choose from
    delegate_page = signed_in(app, "delegue@example.ma").get("/hq/exports").get_data(
        as_text=True)
    assert 'value="souss-massa"' in delegate_page
    assert 'value="marrakech-safi"' not in delegate_page and "Essaouira" not in delegate_page


def test_download_is_a_post_with_csrf_sent_as_an_attachment_and_audited(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    client = signed_in(app, "siege@example.ma")
    page = client.get("/hq/exports")
    assert page.status_code == 200 and page.mimetype == "text/html"  # GET never exports

    refused = client.post("/hq/exports", data={"regions": "marrakech-safi"})
    assert refused.status_code == 400  # no CSRF token: a cross-site form cannot export
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx")) is None

    assert 'name="csrf_token"' in page.get_data(as_text=True)
    response = client.post("/hq/exports", data={
        "csrf_token": csrf_for(app, client), "regions": "marrakech-safi",
        "contacts": "y", "language": "fr"})
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=synthese-tournee-2025-marrakech-safi.xlsx")
    assert "no-store" in response.headers["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()  # the file handle send_file opened (a WSGI server closes it itself)
    assert book.sheetnames == ["Synthèse", "Idées récurrentes", "Marrakech-Safi",
                               "Éléments retenus", "À propos"]
    assert "Nadia Siège <siege@example.ma>" in book["Synthèse"]["A2"].value

    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx"))
    assert event is not None and event.user.email == "siege@example.ma"
    assert event.after["regions"] == ["marrakech-safi"] and event.after["items"] == 6
    assert event.region_id is not None


def test_a_delegate_exports_only_their_region(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    client = signed_in(app, "delegue@example.ma")
    mine = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert mine.status_code == 200
    assert mine.headers["Content-Disposition"].endswith("synthese-tournee-2025-souss-massa.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(mine.data))
    mine.close()
    assert book.sheetnames == ["Synthèse", "Idées récurrentes", "Souss-Massa",
                               "Éléments retenus", "À propos"]

    other = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client),
                                             "regions": "marrakech-safi"})
    assert other.status_code == 404  # another region is answered like a missing one
    stops = client.get("/hq/exports").get_data(as_text=True)
    assert "Marrakech" not in stops


def test_bad_dates_are_explained_next_to_the_field(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    client = signed_in(app, "siege@example.ma")
    response = client.post("/hq/exports", data={
        "csrf_token": csrf_for(app, client), "since": "2025-03-01", "until": "2025-01-01"})
    assert response.status_code == 422
    assert "La date de fin précède la date de début." in response.get_data(as_text=True)


def _wait(job_id: str) -> None:
    thread = export_jobs.threads.get(job_id)
    if thread is not None:
        thread.join(timeout=120)


def test_a_large_export_runs_in_the_background_with_progress(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5  # the tour's 19 items count as "large" here
    client = signed_in(app, "siege@example.ma")
    started = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert started.status_code == 303
    job_url = started.headers["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(job_url).get_data(as_text=True)
    assert "export-progress.js" in page and "<script>" not in page  # no inline script
    _wait(job_id)

    status = json.loads(client.get(f"{job_url}/status").get_data(as_text=True))
    assert status["state"] == "done" and status["done"] == status["total"] == 19
    assert status["download"].endswith(f"/hq/exports/jobs/{job_id}/file")
    done_page = client.get(job_url).get_data(as_text=True)
    assert f"/hq/exports/jobs/{job_id}/file" in done_page and "refresh" not in done_page
    download = client.get(status["download"])
    assert download.status_code == 200 and download.mimetype == XLSX
    assert "synthese-tournee-2025-toutes-regions.xlsx" in download.headers[
        "Content-Disposition"]
    assert len(openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames) == 16
    download.close()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx"))
    assert event is not None and event.after["job"] == job_id

    # Somebody else cannot see or fetch the job.
    other = signed_in(app, "delegue@example.ma")
    assert other.get(job_url).status_code == 404
    assert other.get(status["download"]).status_code == 404

    # The same request over unchanged data is now a direct download from the cache.
    cached = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert cached.status_code == 200 and cached.mimetype == XLSX
    cached.close()


def test_a_job_still_running_refreshes_itself_without_javascript(app, session) -> None:  # type: ignore[no-untyped-def]
    _people(session)
    client = signed_in(app, "siege@example.ma")
    user = session.scalar(select(User).where(User.email == "siege@example.ma"))
    directory = exports_dir(app.config, app.instance_path)
    job_id = "a" * 24
    export_jobs._write(directory, job_id, {"state": "running", "done": 3, "total": 10,
                                           "user_id": user.id})
    page = client.get(f"/hq/exports/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page and 'value="3"' in page
    # A job whose status has not moved for minutes was interrupted (worker restarted).
    path = directory / "jobs" / f"{job_id}.json"
    stale = json.loads(path.read_text())
    stale["updated"] = time.time() - 3600
    path.write_text(json.dumps(stale))
    status = json.loads(client.get(f"/hq/exports/jobs/{job_id}/status").get_data(as_text=True))
    assert status["state"] == "failed"
