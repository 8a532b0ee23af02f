"""The submission bench's phones send what people send, and the app takes it.

`make bench-submit` (bench/submit.py) fails on any answer other than a receipt. Its form
posts once carried a job title without the consent box ticked, which the form refuses (422,
services/capture/validation.py): the bench failed for a reason of its own, not the app's.
Here its generated form posts and API payloads go through the app itself.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import submit as bench

from tests.staff import add_stop

SEEDS = range(12)


@pytest.fixture
def phones(app, session):
    stop = add_stop(session, "Marrakech", "marrakech-safi")
    reference = app.test_client().get(f"/api/v1/stops/{stop.code}").get_json()
    running = SimpleNamespace(base_url="", stop_code=stop.code)
    return stop.code, [bench.Client(running, reference, seed=n) for n in SEEDS]


def test_the_benchs_form_posts_are_given_a_receipt(app, phones) -> None:
    code, clients = phones
    # One browser for every phone: the test app's context, hence its CSRF token, is shared
    # by its clients (each phone's own session is the bench's business).
    browser = app.test_client()
    for phone in clients:
        page = browser.get(f"/f/{code}")
        data = phone._form_data(page.get_data(as_text=True))
        assert data is not None, "the bench no longer finds the form's token or client id"
        answer = browser.post(f"/f/{code}", data=data)
        assert answer.status_code in (302, 303), re.sub(
            r"<[^>]+>|\s+", " ", answer.get_data(as_text=True).split('id="error-summary"')[-1]
        )[:500]
        assert bench.RECEIPT.search(answer.headers["Location"])


def test_the_benchs_api_payloads_are_given_a_receipt(app, phones) -> None:
    code, clients = phones
    for phone in clients:
        answer = app.test_client().post(f"/api/v1/stops/{code}/submissions", json=phone._payload())
        assert answer.status_code in (200, 201), answer.get_json()
        assert answer.get_json()["reference"]
