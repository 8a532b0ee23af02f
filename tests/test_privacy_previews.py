"""Erasure reaches previews: a pending import preview holds names, e-mails, phones and job
titles (`import_batches.rows`) until someone confirms it. The privacy search finds them, an
erasure clears them, and the daily upkeep deletes previews nobody confirmed within a day."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select, update

from feedback_app.database import write_transaction
from feedback_app.models import ImportBatch, Submission
from feedback_app.models.types import utcnow
from feedback_app.services.access import EVERYTHING
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.privacy.personal_data import find_preview_contacts
from feedback_app.tasks import maintenance
from tests.intake_files import HEADER_FR, csv_bytes
from tests.staff import post
from tests.test_privacy import hq_client as hq_client_fixture

hq_client = hq_client_fixture  # the privacy tests' signed-in HQ client

EMAIL = "amina.paper@dar-atlas.ma"
ROW = [
    "Dar Atlas",
    "hebergement",
    "need",
    "Former les réceptionnistes.",
    "",
    "",
    "Amina Tazi",
    "Gérante",
    EMAIL,
    "0612345679",
    "oui",
]


def _pending(session, stop) -> int:
    data = csv_bytes([HEADER_FR, ROW])
    return save_preview(session, build_preview(session, stop, data, "papier.csv"), user_id=None)


def _batch_text(session, batch_id: int) -> str:
    session.expire_all()
    batch = session.get(ImportBatch, batch_id)
    return "" if batch is None else json.dumps(batch.rows, ensure_ascii=False)


def test_the_privacy_search_finds_a_pending_preview_and_erasure_clears_it(
    app, session, hq_client, open_stop
) -> None:
    batch_id = _pending(session, open_stop)
    assert [m.email for m in find_preview_contacts(session, "amina.paper")] == [EMAIL]

    found = post(app, hq_client, "/hq/privacy", {"action": "search", "query": EMAIL})
    html = found.get_data(as_text=True)
    assert EMAIL in html and f'value="{batch_id}:2"' in html

    erased = post(
        app,
        hq_client,
        "/hq/privacy",
        {"action": "erase", "preview": [f"{batch_id}:2"], "confirm": "y"},
        follow_redirects=True,
    )
    assert erased.status_code == 200
    text = _batch_text(session, batch_id)
    for value in (EMAIL, "Amina Tazi", "Gérante", "612345679"):
        assert value not in text
    assert "Former les réceptionnistes." in text  # the feedback itself stays
    assert find_preview_contacts(session, "amina.paper") == []

    commit_batch(session, EVERYTHING, batch_id, actor_id=None)  # confirmed afterwards
    stored = session.scalars(select(Submission.email)).all()
    assert stored == [None]


def test_the_daily_upkeep_deletes_previews_nobody_confirmed(app, session, open_stop) -> None:
    old, fresh = _pending(session, open_stop), _pending(session, open_stop)
    with write_transaction(session):
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == old)
            .values(created_at=utcnow() - dt.timedelta(days=2))
        )
    maintenance.purge_contacts.fn()  # what the workers (or cron's `privacy purge`) run daily
    assert _batch_text(session, old) == ""
    assert EMAIL in _batch_text(session, fresh)

    with write_transaction(session):
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == fresh)
            .values(created_at=utcnow() - dt.timedelta(days=2))
        )
    result = app.test_cli_runner().invoke(args=["privacy", "purge"])
    assert result.exit_code == 0, result.output
    assert _batch_text(session, fresh) == ""
