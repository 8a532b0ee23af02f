"""Background exports as users meet them: many at once, reruns, erasure, a moved delegate.

Tasks run on the in-process worker here (no broker URL); tests/test_export_workers.py runs
them on Redis with real worker processes.
"""

from __future__ import annotations

import io
import threading

import openpyxl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.extensions import db, taskqueue
from feedback_app.models import ExportArtifact, ExportJob, JobState, Region, Role, User
from feedback_app.services.access import EVERYTHING
from feedback_app.services.export import plan
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.privacy.personal_data import erase_contacts, purge_expired_contacts
from feedback_app.tasks.exports import build_export
from tests.export_world import build_tour
from tests.staff import csrf_for, make_user, session_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERS = [  # ten different requests
    {},
    {"regions": "marrakech-safi"},
    {"regions": "souss-massa"},
    {"language": "ar"},
    {"language": "en"},
    {"statuses": "reviewed"},
    {"statuses": "new"},
    {"since": "2025-01-01", "until": "2025-12-31"},
    {"contacts": "y"},
    {"regions": "marrakech-safi", "language": "en", "contacts": "y"},
]


def _values(data: bytes) -> set[object]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {cell.value for sheet in book for row in sheet.iter_rows() for cell in row}


def _finish(app, client, response):
    """The workbook a POST led to: directly, or through its job once the worker is done."""
    if response.status_code != 303:
        return response
    taskqueue.join(app)
    return client.get(response.headers["Location"] + "/file")


def test_ten_simultaneous_exports_give_ten_workbooks(app, session) -> None:
    build_tour(session)
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5  # most of them go through the task queue
    clients = []
    for number in range(len(FILTERS)):
        make_user(session, f"siege{number}@example.ma", role=Role.HQ, regions=())
        client = session_for(app, session, f"siege{number}@example.ma")
        clients.append((client, csrf_for(app, client)))
    answers: list[object] = [None] * len(FILTERS)
    barrier = threading.Barrier(len(FILTERS))

    def export(number: int) -> None:
        client, token = clients[number]
        barrier.wait()
        answers[number] = client.post("/hq/exports", data={"csrf_token": token, **FILTERS[number]})

    threads = [threading.Thread(target=export, args=(n,)) for n in range(len(FILTERS))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = [a.status_code for a in answers]  # type: ignore[attr-defined]
    assert all(s in (200, 303) for s in statuses), statuses
    assert 303 in statuses and 200 in statuses  # both paths were taken
    books = [_finish(app, clients[n][0], answers[n]) for n in range(len(FILTERS))]
    assert [b.status_code for b in books] == [200] * len(FILTERS)
    for book in books:  # a summary, a sheet per region, shortlisted proposals, about
        assert book.mimetype == XLSX
        assert len(openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames) >= 4
    session.rollback()
    assert (
        session.scalar(
            select(func.count()).select_from(ExportJob).where(ExportJob.state != JobState.DONE)
        )
        == 0
    )
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == len(FILTERS)


def test_a_job_run_twice_completes_once_with_one_workbook(app, session) -> None:
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5
    client = session_for(app, session, "siege@example.ma")
    started = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    job_id = started.headers["Location"].rsplit("/", 1)[-1]
    taskqueue.join(app)
    first = session.get(ExportJob, job_id)
    artifact_id = first.artifact_id
    # Delivered again (at-least-once), even after a reset to "running" by a dying worker.
    with write_transaction(session):
        session.get(ExportJob, job_id).state = JobState.RUNNING
    build_export.run(job_id=job_id)
    build_export.run(job_id=job_id)
    session.rollback()
    again = session.get(ExportJob, job_id, populate_existing=True)
    assert again.state is JobState.DONE and again.artifact_id == artifact_id
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 1


def _consenting(session: Session) -> tuple[int, str, str]:
    user = session.scalar(select(User).where(User.email == "siege@example.ma"))
    from feedback_app.models import Submission

    person = session.scalar(
        select(Submission).where(Submission.person_name == "Fatima Consentante")
    )
    return user.id, person.id, person.email


def test_after_an_erasure_old_workbooks_are_gone_and_new_ones_lack_the_person(app, session) -> None:
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    client = session_for(app, session, "siege@example.ma")
    app.config["EXPORT_BACKGROUND_ABOVE"] = 5
    job = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client), "contacts": "y"})
    job_url = job.headers["Location"]
    taskqueue.join(app)
    app.config["EXPORT_BACKGROUND_ABOVE"] = 100
    direct = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "contacts": "y", "language": "en"}
    )
    hq_id, submission_id, email = _consenting(session)
    assert email in _values(client.get(job_url + "/file").data)
    assert email in _values(direct.data)

    erase_contacts(session, submission_ids=[submission_id], actor_id=hq_id)

    assert client.get(job_url + "/file").status_code == 404
    assert client.get(job_url + "/status").get_json()["state"] == "failed"
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 0
    fresh = client.post(
        "/hq/exports", data={"csrf_token": csrf_for(app, client), "contacts": "y", "language": "en"}
    )
    assert fresh.status_code == 200
    assert email not in _values(fresh.data) and "Fatima Consentante" not in _values(fresh.data)


def test_the_daily_purge_deletes_workbooks_with_contacts(app, session) -> None:
    build_tour(session)
    request = ExportRequest(include_contacts=True)
    kept = ExportRequest(include_contacts=False)
    for each in (request, kept):
        export_workbook(session, EVERYTHING, each, actor_id=None, generated_by="t")
    assert purge_expired_contacts(session, retention_days=0) > 0
    left = session.scalars(select(ExportArtifact.has_contacts)).all()
    assert left == [False]


def test_an_erasure_during_a_build_is_never_stored_in_it(app, session, monkeypatch) -> None:
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    hq_id, submission_id, email = _consenting(session)
    erased = []

    def erase_once() -> None:  # another session erases while the first build reads
        if not erased:
            erased.append(True)
            other = Session(db.engine)
            try:
                erase_contacts(other, submission_ids=[submission_id], actor_id=hq_id)
            finally:
                other.close()

    stream_items = plan.stream_items

    def erasing_while_streaming(*args, **kwargs):
        for row in stream_items(*args, **kwargs):
            erase_once()
            yield row

    monkeypatch.setattr(plan, "stream_items", erasing_while_streaming)
    artifact = export_workbook(
        session, EVERYTHING, ExportRequest(include_contacts=True), actor_id=hq_id, generated_by="t"
    )
    content = session.get_one(ExportArtifact, artifact.id).content
    assert erased and email not in _values(content)


def test_a_moved_delegate_no_longer_downloads_the_old_regions_job(app, session) -> None:
    build_tour(session)
    make_user(session, "delegue@example.ma", regions=("souss-massa",))
    app.config["EXPORT_BACKGROUND_ABOVE"] = 1
    client = session_for(app, session, "delegue@example.ma")
    job = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    job_url = job.headers["Location"]
    taskqueue.join(app)
    assert client.get(job_url + "/file").status_code == 200

    with write_transaction(session):
        delegate = session.scalar(select(User).where(User.email == "delegue@example.ma"))
        delegate.regions = [session.scalar(select(Region).where(Region.slug == "marrakech-safi"))]
    assert client.get(job_url + "/file").status_code == 404
    # The same request now covers the new region only, never the old one's stored workbook.
    mine = client.post("/hq/exports", data={"csrf_token": csrf_for(app, client)})
    book = _finish(app, client, mine)
    assert "Marrakech-Safi" in openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames


def test_expired_workbooks_are_not_served_and_the_daily_command_deletes_them(app, session) -> None:
    build_tour(session)
    export_workbook(
        session, EVERYTHING, ExportRequest(), actor_id=None, generated_by="t", keep_days=0
    )
    again = export_workbook(
        session, EVERYTHING, ExportRequest(), actor_id=None, generated_by="t", keep_days=0
    )
    assert not again.cached  # an expired one is built afresh, and replaces the old one
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 1
    result = app.test_cli_runner().invoke(args=["export", "expire"])
    assert result.exit_code == 0 and "1 expired workbooks" in result.output
    assert session.scalar(select(func.count()).select_from(ExportArtifact)) == 0


def test_a_snapshot_plans_its_cursors_for_every_row(session) -> None:
    """A workbook reads its cursors to the end: planned for their first tenth (PostgreSQL's
    default), a region's "Idées récurrentes" walked every group's members of the tour (143 s
    at 1,000,000 submissions, against 15 s planned for every row). Back to the default after."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    with plan.snapshot(session):
        assert session.execute(text("SHOW cursor_tuple_fraction")).scalar() == "1"
    assert session.execute(text("SHOW cursor_tuple_fraction")).scalar() == "0.1"
