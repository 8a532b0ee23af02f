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

import pytest
from sqlalchemy import func, select

from feedback_app.models import ImportBatch, Submission
from tests.intake_files import HOSTILE
from tests.memory import peak_mb_above_start
from tests.staff import csrf_for, make_user, session_for

# The budget for any upload, above the idle worker.
MEMORY_BUDGET_MB = 150


@functools.cache
def hostile_file(case: str) -> bytes:
    """Each file built once per session: the largest take seconds to write."""
    return HOSTILE[case][1]()


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
@pytest.mark.slow
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
