"""A stop's actions are in reach from the dashboard and the regional brief, not only from the
stops list, and each place offers exactly what the stops list offers to the same person."""

from __future__ import annotations

import re

from tests.staff import REGION_A, session_for

ACTION = re.compile(r'href="(/[^"]*/stops/(\d+)/(poster|intake|live|signoff|edit|open|close))"')
DISABLED = re.compile(r'<span class="disabled-action"[^>]*>([^<]+)</span>')


def _actions(html: str, stop_id: int) -> set[str]:
    return {m.group(3) for m in ACTION.finditer(html) if int(m.group(2)) == stop_id}


def test_the_dashboard_and_brief_offer_the_stops_list_actions(app, session, world) -> None:
    stop_id = int(str(world.ids["stop_a"]))
    for role in ("hq", "own"):
        client = session_for(app, session, world.emails[role])
        listed = _actions(client.get("/hq/stops").get_data(as_text=True), stop_id)
        dashboard = client.get("/hq/").get_data(as_text=True)
        brief = client.get(f"/review/brief?region={REGION_A}").get_data(as_text=True)
        assert {"poster", "live", "signoff"} <= listed, role
        assert _actions(dashboard, stop_id) == listed, (role, listed)
        assert _actions(brief, stop_id) == listed, (role, listed)
        assert "Étapes ouvertes" in dashboard and "Étapes de la région" in brief
    # The permission checks are the stops list's: HQ may edit a stop, its delegate may not.
    hq = session_for(app, session, world.emails["hq"])
    own = session_for(app, session, world.emails["own"])
    assert {"close", "edit"} <= _actions(hq.get("/hq/").get_data(as_text=True), stop_id)
    assert "edit" not in _actions(own.get("/hq/").get_data(as_text=True), stop_id)
    # A region's delegate never sees another region's stops there.
    other = int(str(world.ids["stop_b"]))
    assert not _actions(own.get("/hq/").get_data(as_text=True), other)
