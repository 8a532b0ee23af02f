"""One clock: pages, workbook and JSON read time zones from the pinned `tzdata` package only.

The host's own tz data (Debian's 2025b here) still puts Casablanca at +01:00 in December 2026;
Morocco returned to UTC+0 on 2026-09-20. The same sign-off must read the same local time on
every screen and in every file.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from zoneinfo import ZoneInfo

import openpyxl
from flask_babel import get_timezone
from sqlalchemy import update

from feedback_app.database import write_transaction
from feedback_app.locales import TIME_ZONE, local_time
from feedback_app.models import StopSignOff
from feedback_app.services.access import scope_for
from feedback_app.services.review import signoff
from tests.review_world import Desk
from tests.staff import post, signed_in

SIGNED = dt.datetime(2026, 12, 6, 22, 0, tzinfo=dt.UTC)


def test_casablanca_is_utc_in_december_2026() -> None:
    assert SIGNED.astimezone(ZoneInfo(TIME_ZONE)).strftime("%H:%M %z") == "22:00 +0000"
    assert local_time(SIGNED.replace(tzinfo=None)).hour == 22  # SQLite's naive UTC


def _signed_at_22(session, desk: Desk) -> None:
    """Both stops of region A signed, the last one at 22:00 UTC: the region's sign-off time."""
    for stop, at in ((desk.stop_a2, SIGNED - dt.timedelta(hours=3)), (desk.stop_a1, SIGNED)):
        signoff.sign_off(
            session,
            scope_for(desk.delegate_a),
            stop.id,
            "Bilan de la journée.",
            actor_id=desk.delegate_a.id,
        )
        with write_transaction(session):
            session.execute(
                update(StopSignOff).where(StopSignOff.stop_id == stop.id).values(signed_at=at)
            )


def test_a_sign_off_reads_the_same_time_on_the_page_the_workbook_and_the_json(
    app, session, desk, tmp_path
) -> None:
    _signed_at_22(session, desk)
    client = signed_in(app, desk.hq.email)

    page = client.get(f"/review/stops/{desk.stop_a1.id}/signoff").get_data(as_text=True)
    assert re.search(r"06/12/2026,? 22:00", page), page[:2000]
    dashboard = client.get("/hq/").get_data(as_text=True)
    assert re.search(r"06/12/2026,? 22:00", dashboard)

    live = client.get(f"/review/stops/{desk.stop_a1.id}/live.json").get_json()
    assert live["stop"]["signed_at"] == "2026-12-06T22:00:00+00:00"

    before = dt.datetime.now(dt.UTC)
    response = post(app, client, "/hq/exports", {"regions": "marrakech-safi", "language": "fr"})
    assert response.status_code == 200
    path = tmp_path / "book.xlsx"
    path.write_bytes(response.data)
    book = openpyxl.load_workbook(path)
    bilan = [c for row in book["Bilan Marrakech-Safi"].iter_rows(values_only=True) for c in row]
    assert any(isinstance(c, str) and "06/12/2026 à 22:00" in c for c in bilan), bilan
    summary = [c for row in book["Synthèse"].iter_rows(values_only=True) for c in row]
    generated = next(c for c in summary if isinstance(c, str) and c.startswith("Généré le"))
    # Casablanca is UTC+0 now: "Généré le" carries this very UTC hour, not one more.
    hours = {f"à {(before + dt.timedelta(minutes=m)).strftime('%H:')}" for m in (0, 1)}
    assert any(h in generated for h in hours), (generated, hours)


def test_no_second_time_zone_source(app) -> None:
    """Flask-Babel would hand out a pytz zone (its own tz database): it hands out ours."""
    with app.test_request_context("/"):
        assert isinstance(get_timezone(), ZoneInfo)
    assert zoneinfo.TZPATH == ()  # the host's tz files are never read
