"""A large export in the browser: the job page polls and then offers the download."""

from __future__ import annotations

from pathlib import Path

from feedback_app.extensions import taskqueue
from tests.e2e.forms import sign_in
from tests.e2e.test_staff_flows import PROPOSAL, _seed, workbook_cells


def test_the_job_page_follows_a_background_export_to_its_download(
    live_server, page, tmp_path: Path
) -> None:
    _seed(live_server)
    live_server.app.config["EXPORT_BACKGROUND_ABOVE"] = 0  # every export becomes a job
    try:
        sign_in(page, live_server.url, "siege@example.ma")
        page.goto(f"{live_server.url}/hq/exports")
        page.get_by_role("button", name="Télécharger le classeur (.xlsx)").click()
        page.wait_for_url("**/hq/exports/jobs/*")
        link = page.get_by_role("link", name="Télécharger le classeur")
        link.wait_for(state="visible", timeout=30_000)  # shown by export-progress.js
        with page.expect_download() as download_info:
            link.click()
        path = tmp_path / "job.xlsx"
        download_info.value.save_as(str(path))
        assert any(PROPOSAL in cell for cell in workbook_cells(path))
    finally:
        taskqueue.shutdown(live_server.app)
