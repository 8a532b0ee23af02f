"""The observer: reads its regions (or the whole tour), exports without contacts, changes nothing.

What each route answers an observer is in the access matrix (columns `obs` and `nat`); here:
that a refused post leaves the database as it was, that a new write route cannot forget the
observer, that its workbooks carry no contact columns, and that its pages offer no write control.
"""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from sqlalchemy import text

from feedback_app.models import Role, StopStatus, User
from feedback_app.services.access import scope_for
from feedback_app.services.errors import NotPermitted
from feedback_app.services.ideas import curation
from feedback_app.services.intake import batches
from feedback_app.services.permissions import READ_PERMISSIONS, ROLE_RULES, Permission
from feedback_app.services.review import actions, bulk, signoff
from feedback_app.services.synthesis import live
from feedback_app.services.tour import stop_admin
from tests.export_world import build_tour
from tests.staff import csrf_for, make_user, session_for, signed_in
from tests.test_access_matrix import MATRIX
from tests.test_csrf import SETUP, _payloads, _snapshot

# Posts that change nothing of the tour's data: signing in and out, a workbook to download,
# and one's own read-only API tokens (a token reads what its owner reads, observers included:
# an analyst of the ministry refreshing a Power BI report is what the feed is for).
NOT_WRITES = {
    "auth.login",
    "auth.logout",
    "auth.forgot_password",
    "auth.set_password",
    "auth.account_token_create",
    "auth.account_token_revoke",
}
# Public posts, the same for everyone: a contribution, and a professional's unsubscribe link.
PUBLIC_POSTS = {"public.stop_form", "api.create_submission", "followup.unsubscribe_page"}
READ_POSTS = {"hq.exports", *PUBLIC_POSTS, *NOT_WRITES}
WRITE_ROWS = [r for r in MATRIX if r.method == "POST" and r.endpoint not in READ_POSTS]


def test_every_write_route_answers_403_to_observers_in_the_matrix() -> None:
    # A new state-changing route is added to the matrix; it must say 403 for both observers.
    assert len(WRITE_ROWS) >= 20
    wrong = [r.endpoint for r in WRITE_ROWS if (r.obs, r.nat) != (403, 403)]
    assert not wrong, f"observers must be refused: {wrong}"


@pytest.mark.parametrize("observer", ["obs", "nat"])
@pytest.mark.parametrize("row", WRITE_ROWS, ids=[f"{r.endpoint} {r.path}" for r in WRITE_ROWS])
def test_an_observer_post_is_refused_and_changes_nothing(
    app, session, world, row, observer
) -> None:
    setup = SETUP.get(row.endpoint)
    if setup:  # the record in the state the action would change
        session.execute(text(setup[0]), {"id": world.ids[setup[1]], **setup[2]})
        session.commit()
    client = session_for(app, session, world.emails[observer])
    data = _payloads(world.ids).get(row.endpoint) or {
        k.format(**world.ids): v.format(**world.ids) if isinstance(v, str) else v
        for k, v in row.data.items()
    }
    before = _snapshot()
    response = client.post(
        row.path.format(**world.ids), data={**data, "csrf_token": csrf_for(app, client)}
    )
    assert response.status_code == 403
    assert _snapshot() == before


def test_observer_scopes(session, world) -> None:
    regional = session.query(User).filter_by(email=world.emails["obs"]).one()
    national = session.query(User).filter_by(email=world.emails["nat"]).one()
    assert regional.role is national.role is Role.OBSERVER
    assert scope_for(national).region_ids is None  # no region: the whole tour
    assert scope_for(regional).region_ids == {r.id for r in regional.regions} != set()
    for scope in (scope_for(regional), scope_for(national)):
        # Reads only (the national map of ideas), never a permission to change anything.
        assert {p for p in Permission if scope.can(p)} == READ_PERMISSIONS
    # The observer is the delegate's reading without any of its permissions to change things.
    assert not ROLE_RULES[Role.OBSERVER].permissions & ROLE_RULES[Role.DELEGATE].permissions
    assert not READ_PERMISSIONS & ROLE_RULES[Role.DELEGATE].permissions


def _cells(response) -> set:
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    response.close()
    return {c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row}


@pytest.mark.parametrize("regions", [("marrakech-safi",), ()], ids=["regional", "national"])
def test_an_observer_exports_without_contact_columns(app, session, regions) -> None:
    build_tour(session)
    make_user(session, "delegue@example.ma", regions=("marrakech-safi",))
    make_user(session, "ministere@example.ma", role=Role.OBSERVER, regions=regions)
    asked = {"regions": "marrakech-safi", "language": "fr", "contacts": "y"}

    delegate = signed_in(app, "delegue@example.ma")
    with_contacts = delegate.post(
        "/hq/exports", data={**asked, "csrf_token": csrf_for(app, delegate)}
    )
    assert {"Fatima Consentante", "E-mail", "Téléphone"} <= _cells(with_contacts)

    observer = signed_in(app, "ministere@example.ma")
    page = observer.get("/hq/exports").get_data(as_text=True)
    assert 'name="contacts"' not in page and 'value="marrakech-safi"' in page
    token = csrf_for(app, observer)
    assert observer.post("/hq/exports", data={**asked, "csrf_token": token}).status_code == 403
    del asked["contacts"]
    plain = observer.post("/hq/exports", data={**asked, "csrf_token": token})
    assert plain.status_code == 200
    cells = _cells(plain)
    assert "Fatima Consentante" not in cells and not {"E-mail", "Téléphone"} & cells


# Pages an observer reads, and what on them would be a write control.
READ_PAGES = [
    "/hq/stops",
    "/hq/",
    "/hq/exports",
    "/review/",
    "/review/submissions/{submission_a}",
    "/review/ideas/{group_a}",
    "/review/stops/{stop_a}/signoff",
    "/review/brief?region={region_a}",
]
READ_FORMS = {"/logout", "/hq/exports"}  # signing out; a workbook to download
WRITE_LINKS = ("/open", "/close", "/intake", "/edit", "/hq/stops/new", "/hq/users", "/hq/themes")


@pytest.mark.parametrize("observer", ["obs", "nat"])
def test_observer_pages_show_no_write_control(app, session, world, observer) -> None:
    client = session_for(app, session, world.emails[observer])
    for path in READ_PAGES:
        response = client.get(path.format(**world.ids))
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        posts = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"(.*?)</form>', html, re.S)
        buttons = {action for action, body in posts if 'type="submit"' in body}
        assert buttons <= READ_FORMS, f"{path}: {buttons}"
        links = [h for h in re.findall(r'href="([^"]+)"', html) if h.endswith(WRITE_LINKS)]
        assert not links, f"{path}: {links}"
    # The submission reads as the delegate's page, every control disabled.
    page = client.get("/review/submissions/{submission_a}".format(**world.ids))
    assert "Organisation-Secrete-A" in page.get_data(as_text=True)
    assert re.search(r"<fieldset[^>]*disabled", page.get_data(as_text=True))
    # The same pages show the controls to the delegate (the test would notice them).
    delegate = session_for(app, session, world.emails["own"])
    stops = delegate.get("/hq/stops").get_data(as_text=True)
    assert "/intake" in stops and 'type="submit"' in delegate.get("/review/").get_data(as_text=True)


def test_services_refuse_a_write_the_scope_may_not_make(session, world) -> None:
    # The routes refuse first; the services hold the rule whoever calls them.
    ids = world.ids
    observer = session.query(User).filter_by(email=world.emails["nat"]).one()
    delegate = session.query(User).filter_by(email=world.emails["own"]).one()
    reader, own = scope_for(observer), scope_for(delegate)
    writes = [
        lambda s: actions.set_status(session, s, ids["submission_a"], "reviewed", actor_id=None),
        lambda s: actions.add_note(session, s, ids["submission_a"], "Rappeler", actor_id=None),
        lambda s: bulk.bulk_set_status(session, s, [ids["submission_a"]], "spam", actor_id=None),
        lambda s: curation.confirm_group(session, s, ids["group_a"], actor_id=None),
        lambda s: live.set_live_unreviewed(session, s, ids["stop_a"], True, actor_id=None),
        lambda s: stop_admin.set_stop_status(
            session, s, ids["stop_a"], actor_id=observer.id, status=StopStatus.CLOSED
        ),
        lambda s: batches.commit_batch(session, s, ids["import_a"], actor_id=None),
        lambda s: signoff.sign_off(session, s, ids["stop_a"], "Synthèse", actor_id=None),
    ]
    before = _snapshot()
    for write in writes:
        with pytest.raises(NotPermitted):
            write(reader)
    with pytest.raises(NotPermitted):  # reopening is HQ's, not the delegate's
        signoff.reopen(session, own, ids["stop_a"], "Papier", actor_id=None)
    with pytest.raises(NotPermitted):
        live.set_live_unreviewed(session, own, ids["stop_a"], True, actor_id=None)
    assert _snapshot() == before
    assert actions.set_status(session, own, ids["submission_a"], "reviewed", actor_id=None)
