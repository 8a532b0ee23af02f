""" "Exporter cette liste" on a phone: the link under the result count downloads the list as
filtered on the page."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.e2e.forms import sign_in
from tests.e2e.test_staff_flows import PROPOSAL, _seed


def test_a_delegate_downloads_the_filtered_list_at_360px(live_server, page, tmp_path: Path) -> None:
    _seed(live_server)
    sign_in(page, live_server.url, "delegue@example.ma")
    page.goto(f"{live_server.url}/review/?kind=proposal")
    link = page.get_by_role("link", name="CSV (une ligne par entrée)")
    assert link.is_visible()
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("contributions-proposal-")
    path = tmp_path / download.suggested_filename
    download.save_as(str(path))
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(frame["organisation"]) == {"Riad Dar Atlas"}  # Sahara Tours has no proposal
    assert PROPOSAL in set(frame["text"])
