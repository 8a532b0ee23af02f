"""Downloading the synthesis from the web: POST with CSRF, attachment, audit, background jobs."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import secrets

import openpyxl
from sqlalchemy import func, select

from feedback_app.database import write_transaction
from feedback_app.extensions import taskqueue
from feedback_app.models import AuditEvent, ExportJob, JobState, Role, User
from feedback_app.models.types import utcnow
from feedback_app.services.access import scope_for
from feedback_app.services.export.plan import ExportRequest
from tests.export_world import SOUSS_MASSA_SHEETS, build_tour
from tests.staff import csrf_for, make_user, signed_in

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _people(session):
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=(), name="Nadia Siège")
    make_user(session, "delegue@example.ma", regions=("souss-massa",))


def test_the_form_lists_what_the_reader_may_export(app, session) -> None:
    _people(session)
    hq_page = signed_in(app, "siege@example.ma").get("/hq/exports").get_data(as_text=True)
    assert 'value="marrakech-safi"' in hq_page and 'value="souss-massa"' in hq_page
    assert "Essaouira" in hq_page  # stops to choose from
    delegate_page = signed_in(app, "delegue@example.ma").get("/hq/exports").get_data(as_text=True)
    assert 'value="souss-massa"' in delegate_page
    assert 'value="marrakech-safi"' not in delegate_page and "Essaouira" not in delegate_page


def test_download_is_a_post_with_csrf_sent_as_an_attachment_and_audited(app, session) -> None:
    _people(session)
    client = signed_in(app, "siege@example.ma")
    page = client.get("/hq/exports")
    assert page.status_code == 200 and page.mimetype == "text/html"  # GET never exports

    refused = client.post("/hq/exports", data={"regions": "marrakech-safi"})
    assert refused.status_code == 400  # no CSRF token: a cross-site form cannot export
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx")) is None

    assert 'name="csrf_token"' in page.get_data(as_text=True)
    response = client.post(
        "/hq/exports",
        data={
            "csrf_token": csrf_for(app, client),
            "regions": "marrakech-safi",
            "contacts": "y",
            "language": "fr",
        },
    )
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=synthese-tournee-2025-marrakech-safi.xlsx"
    )
    assert "no-store" in response.headers["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()  # the file handle send_file opened (a WSGI server closes it itself)
    assert book.sheetnames == [
        "Synthèse",
        "Idées récurrentes",
        "Carte des idées",
        "Marrakech-Safi",
        "Éléments retenus",
        "Engagements",
        "Bilan Marrakech-Safi",
        "À propos",
    ]
    assert "Nadia Siège <siege@example.ma>" in book["Synthèse"]["A2"].value

    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx"))
    assert event is not None and event.user.email == "siege@example.ma"
    assert event.after["regions"] == ["marrakech-safi"] and event.after["items"] == 6
    assert event.region_id is not None


def test_a_delegate_exports_only_their_region(app, session) -> None:
    _people(session)
    client = signed_in(app, "delegue@example.ma")
    mine = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert mine.status_code == 200
    assert mine.headers["Content-Disposition"].endswith("synthese-tournee-2025-souss-massa.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(mine.data))
    mine.close()
    assert book.sheetnames == SOUSS_MASSA_SHEETS

    other = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "regions": "marrakech-safi"}
    )
    assert other.status_code == 404  # another region is answered like a missing one
    stops = client.get("/hq/exports").get_data(as_text=True)
    assert "Marrakech" not in stops


def test_bad_dates_are_explained_next_to_the_field(app, session) -> None:
    _people(session)
    client = signed_in(app, "siege@example.ma")
    response = client.post(
        "/hq/exports",
        data={"csrf_token": csrf_for(app, client), "since": "2025-03-01", "until": "2025-01-01"},
    )
    assert response.status_code == 422
    assert "La date de fin précède la date de début." in response.get_data(as_text=True)


def test_a_large_export_runs_in_the_background_with_progress(app, session) -> None:
    _people(session)
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5  # the tour's 19 items count as "large" here
    client = signed_in(app, "siege@example.ma")
    started = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert started.status_code == 303
    job_url = started.headers["Location"]
    job_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    page = client.get(job_url).get_data(as_text=True)
    assert "export-progress.js" in page and "<script>" not in page  # no inline script
    taskqueue.join(app)

    status = json.loads(client.get(f"{job_url}/status").get_data(as_text=True))
    assert status["state"] == "done" and status["done"] == status["total"] == 19
    assert status["download"].endswith(f"/hq/exports/jobs/{job_id}/file")
    done_page = client.get(job_url).get_data(as_text=True)
    assert f"/hq/exports/jobs/{job_id}/file" in done_page and "refresh" not in done_page
    download = client.get(status["download"])
    assert download.status_code == 200 and download.mimetype == XLSX
    assert "synthese-tournee-2025-toutes-regions.xlsx" in download.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(download.data))
    assert len(book.sheetnames) == 30  # 12 regions and their 12 briefs
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "export.xlsx"))
    assert event is not None and event.after["job"] == job_id

    # Somebody else cannot see or fetch the job.
    other = signed_in(app, "delegue@example.ma")
    assert other.get(job_url).status_code == 404
    assert other.get(status["download"]).status_code == 404

    # The same request over unchanged data is now a direct download of the stored workbook.
    cached = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert cached.status_code == 200 and cached.mimetype == XLSX
    assert cached.data == download.data
    taskqueue.shutdown(app)


def _job(
    session, email: str, state: JobState, *, age: dt.timedelta = dt.timedelta(0), key: str = "k"
) -> str:
    owner = session.scalar(select(User).where(User.email == email))
    moment = utcnow() - age
    job = ExportJob(
        id=secrets.token_urlsafe(18),
        owner_id=owner.id,
        request_key=key,
        request={},
        generated_by="x",
        tz="UTC",
        state=state,
        done=3,
        total=10,
        created_at=moment,
        updated_at=moment,
    )
    with write_transaction(session):
        session.add(job)
    return job.id


def test_a_job_in_progress_refreshes_itself_without_javascript(app, session) -> None:
    _people(session)
    client = signed_in(app, "siege@example.ma")
    waiting = _job(session, "siege@example.ma", JobState.QUEUED, key="a")
    job_id = _job(session, "siege@example.ma", JobState.QUEUED, key="b")
    page = client.get(f"/hq/exports/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page
    assert 'data-role="position">2<' in page  # second in the queue
    status = json.loads(client.get(f"/hq/exports/jobs/{waiting}/status").get_data(as_text=True))
    assert (status["state"], status["position"]) == ("queued", 1)

    running = _job(session, "siege@example.ma", JobState.RUNNING, key="c")
    page = client.get(f"/hq/exports/jobs/{running}").get_data(as_text=True)
    assert '<meta http-equiv="refresh"' in page and 'value="3"' in page
    # A job whose progress has not moved for minutes was interrupted.
    stale = _job(session, "siege@example.ma", JobState.RUNNING, age=dt.timedelta(hours=1))
    status = json.loads(client.get(f"/hq/exports/jobs/{stale}/status").get_data(as_text=True))
    assert status["state"] == "failed"
    assert client.get(f"/hq/exports/jobs/{stale}/file").status_code == 404


def test_jobs_per_user_are_capped_with_a_clear_message(app, session) -> None:
    _people(session)
    app.config.update(EXPORT_BACKGROUND_ABOVE=5, EXPORT_JOBS_PER_USER=2)
    for key in ("a", "b"):
        _job(session, "siege@example.ma", JobState.QUEUED, key=key)
    client = signed_in(app, "siege@example.ma")
    refused = client.post("/hq/exports?lang=en", data={"csrf_token": csrf_for(app, client)})
    assert refused.status_code == 429
    assert "You already have 2 exports being prepared" in refused.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(ExportJob)) == 2


def test_a_broker_that_is_down_answers_503_and_leaves_no_job(app, session) -> None:
    _people(session)
    app.config.update(EXPORT_BACKGROUND_ABOVE=10, TASKS_BROKER_URL="redis://127.0.0.1:1/0")
    taskqueue.init_app(app)
    client = signed_in(app, "siege@example.ma")
    response = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "since": "2025-01-01"}
    )
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "indisponible" in text and 'value="2025-01-01"' in text  # the choices are kept
    assert session.scalar(select(func.count()).select_from(ExportJob)) == 0
    small = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "regions": "marrakech-safi"}
    )  # 6 items
    assert small.status_code == 200 and small.mimetype == XLSX  # small ones need no worker


def test_contact_details_are_left_out_unless_asked_for(app, session) -> None:
    _people(session)
    client = signed_in(app, "siege@example.ma")
    page = client.get("/hq/exports").get_data(as_text=True)
    box = re.search(r'<input[^>]*name="contacts"[^>]*>', page)
    assert box is not None and "checked" not in box.group(0)
    plain = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "regions": "marrakech-safi"}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(plain.data))["Marrakech-Safi"]
    assert "Fatima Consentante" not in {c.value for row in sheet.iter_rows() for c in row}


def test_the_same_request_joins_the_job_in_progress(app, session) -> None:
    _people(session)
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5
    user = session.scalar(select(User).where(User.email == "siege@example.ma"))
    key = ExportRequest(language="fr", include_contacts=False).key(scope_for(user))
    job_id = _job(session, "siege@example.ma", JobState.RUNNING, key=key)
    client = signed_in(app, "siege@example.ma")
    again = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    assert again.status_code == 303 and again.headers["Location"].endswith(job_id)
    assert session.scalar(select(func.count()).select_from(ExportJob)) == 1
