"""Hostile intake files through the real upload route (issue 21): a clear, translated 422, nothing
stored, and the worker's memory bounded while the file is read.

The memory is the worker's own peak resident set (VmHWM, reset through /proc/self/clear_refs
just before the upload) above what it held just before: it sees every allocation, pandas' and
calamine's native ones included, which tracemalloc would not. Times are the bench's business
(`make bench-intake-hostile`).
"""

from __future__ import annotations

import functools
import html
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from feedback_app.models import ImportBatch, Submission
from tests.intake_files import (
    csv_mixing_encodings,
    csv_of_lines,
    csv_with_nul_late,
    xlsx_bomb,
    xlsx_of_rows,
    xlsx_with_cell_at,
    xlsx_with_flipped_crc,
)
from tests.staff import csrf_for, make_user, session_for

# The budget for any upload, above the idle worker.
MEMORY_BUDGET_MB = 150

UNREADABLE = "Classeur illisible ou endommagé."
INFLATES_TOO_MUCH = "son contenu décompressé est anormalement gros"
TOO_MANY_ROWS = "Trop de lignes : 5000 au plus"
TOO_MANY_COLUMNS = "Trop de colonnes"

# name -> (file name, builder, what the page says next to the file field)
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "flipped CRC": ("liste.xlsx", xlsx_with_flipped_crc, UNREADABLE),
    "cell at XFD1048576": ("liste.xlsx", lambda: xlsx_with_cell_at("XFD1048576"), TOO_MANY_COLUMNS),
    "cell at K1048576": ("liste.xlsx", lambda: xlsx_with_cell_at("K1048576"), TOO_MANY_ROWS),
    "zip bomb declaring 2 KB": ("liste.xlsx", lambda: xlsx_bomb(300), INFLATES_TOO_MUCH),
    "honest 1 M rows": ("liste.xlsx", lambda: xlsx_of_rows(1_000_000), TOO_MANY_ROWS),
    "CSV of 4.9 M lines": ("liste.csv", lambda: csv_of_lines(4_900_000), TOO_MANY_ROWS),
    "CSV mixing UTF-8 and cp1252": (
        "liste.csv",
        csv_mixing_encodings,
        "la ligne 3 n'est pas en UTF-8",
    ),
    "CSV with NUL past 4 KB": ("liste.csv", csv_with_nul_late, "octet nul à la ligne 60"),
}


@functools.cache
def hostile_file(case: str) -> bytes:
    """Each file built once per session: the largest take seconds to write."""
    return HOSTILE[case][1]()


def _status_kb(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    assert match
    return int(match.group(1))


def peak_mb_above_start(call: Callable[[], object]) -> tuple[object, float]:
    """What `call` returns, and the process's peak resident memory during it above its start."""
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current VmRSS
    start = _status_kb("VmRSS")
    result = call()
    return result, (_status_kb("VmHWM") - start) / 1024


def _upload(app, client, stop_id: int, data: bytes, name: str, query: str = ""):
    return client.post(
        f"/hq/stops/{stop_id}/intake{query}",
        data={"csrf_token": csrf_for(app, client), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def delegate(app, session):
    make_user(session, "delegue@example.ma", regions=("marrakech-safi",))
    return session_for(app, session, "delegue@example.ma")


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_gets_a_translated_422_in_bounded_memory(
    app, session, open_stop, delegate, case
) -> None:
    name, _, message = HOSTILE[case]
    data = hostile_file(case)
    response, peak = peak_mb_above_start(lambda: _upload(app, delegate, open_stop.id, data, name))
    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    error = re.search(r'id="file-error"[^>]*>(.*?)</', page, re.S)
    assert error and message in html.unescape(error.group(1)), error and error.group(1)
    assert peak <= MEMORY_BUDGET_MB, f"{peak:.0f} MB above the worker's start"
    assert session.scalar(select(func.count(Submission.id))) == 0
    assert session.scalar(select(func.count(ImportBatch.id))) == 0
    # The same refusal in Arabic: the message is translated, not left in French.
    arabic = _upload(app, delegate, open_stop.id, data, name, "?lang=ar")
    assert arabic.status_code == 422
    assert message not in arabic.get_data(as_text=True)
    assert 'id="file-error"' in arabic.get_data(as_text=True)
