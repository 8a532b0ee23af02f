"""Access-control matrix: every route of the application, for every kind of visitor.

HOW TO ADD A ROUTE: add ONE line to MATRIX below (keep the table aligned by blueprint).
  - `path` and string `data` values use `{placeholders}` filled from
    tests.staff.build_world().ids (stop_a, code_a, submission_a, item_a, reference_a, user_a,
    theme, token, region_a, ... ; region A's records are the ones every role asks for), and
    `{visitor}` in `data` by the visitor's name.
    Add an id there if your route needs a new one.
  - the six statuses are what each visitor gets:
      anon  — not signed in,
      own   — delegate of region A (the records' region),
      other — delegate of region B asking for region A's records (404 for a record, and the
              lists must not contain region A's data),
      hq    — headquarters,
      obs   — observer of region A (reads what `own` reads, every write 403),
      nat   — national observer, without regions (reads what `hq` reads, every write 403).
    A status may be a tuple when several are acceptable.
  - POST rows are sent with a valid CSRF token and `data` (form fields) or `json`. Visitors are
    walked in the order anon, obs, nat, other, own, hq on the same database, so a state change
    made by `own` is visible to `hq` (and an observer's refused post changes nothing).
A route missing from the table, or a row whose route no longer exists, fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.staff import World, csrf_for, session_for


@dataclass(frozen=True)
class R:
    endpoint: str
    method: str
    path: str
    anon: int | tuple[int, ...]
    own: int | tuple[int, ...]
    other: int | tuple[int, ...]
    hq: int | tuple[int, ...]
    obs: int | tuple[int, ...]
    nat: int | tuple[int, ...]
    data: dict[str, Any] = field(default_factory=dict)
    json: Any = None


LOGIN = "/login"
# fmt: off
MATRIX: list[R] = [
    # endpoint                 method  path                           anon own  other hq   obs  nat
    R("static",                "GET",  "/static/css/app.css",         200, 200, 200, 200, 200, 200),
    # ops (probes for the supervisor and the load balancer)
    R("ops.healthz",           "GET",  "/healthz",                    200, 200, 200, 200, 200, 200),
    R("ops.readyz",            "GET",  "/readyz",                     200, 200, 200, 200, 200, 200),
    # public
    R("public.index",          "GET",  "/",                           200, 200, 200, 200, 200, 200),
    R("public.stop_form",      "GET",  "/f/{code_a}",                 200, 200, 200, 200, 200, 200),
    R("public.stop_form",      "POST", "/f/{code_a}",                 422, 422, 422, 422, 422, 422),
    R("public.receipt",        "GET",  "/f/{code_a}/receipt/{reference_a}",
                                                                      200, 200, 200, 200, 200, 200),
    R("public.tablet",         "GET",  "/f/{code_a}/tablet",          302, 200, 404, 200, 403, 403),
    R("public.service_worker", "GET",  "/sw.js",                      200, 200, 200, 200, 200, 200),
    R("public.favicon",        "GET",  "/favicon.ico",                200, 200, 200, 200, 200, 200),
    R("public.manifest",       "GET",  "/manifest.webmanifest",       200, 200, 200, 200, 200, 200),
    # api (anonymous JSON, no cookies needed)
    R("api.describe_stop",     "GET",  "/api/v1/stops/{code_a}",      200, 200, 200, 200, 200, 200),
    R("api.openapi",           "GET",  "/api/v1/openapi.json",        200, 200, 200, 200, 200, 200),
    R("api.create_submission", "POST", "/api/v1/stops/{code_a}/submissions",
                                                                      422, 422, 422, 422, 422, 422,
      json={}),
    R("api.commitments",       "GET",  "/api/v1/commitments",         200, 200, 200, 200, 200, 200),
    R("api.region_commitments", "GET", "/api/v1/regions/{region_a}/commitments",
                                                                      200, 200, 200, 200, 200, 200),
    # api: the BI feed answers a bearer token only, never a session cookie (tests/test_feed.py)
    R("api.feed",              "GET",  "/api/v1/feed/entries",        401, 401, 401, 401, 401, 401),
    R("api.feed_csv",          "GET",  "/api/v1/feed/entries.csv",    401, 401, 401, 401, 401, 401),
    # auth
    R("auth.login",            "GET",  "/login",                      200, 302, 302, 302, 302, 302),
    R("auth.login",            "POST", "/login",                      200, 200, 200, 200, 200, 200,
      data={"email": "nobody.{visitor}@example.ma", "password": "wrong password!"}),
    # (5 tries per account: one account per visitor)
    R("auth.logout",           "POST", "/logout",                     302, 302, 302, 302, 302, 302),
    R("auth.forgot_password",  "GET",  "/forgot-password",            200, 200, 200, 200, 200, 200),
    R("auth.forgot_password",  "POST", "/forgot-password",            200, 200, 200, 200, 200, 200,
      data={"email": "delegue.a@example.ma"}),
    R("auth.set_password",     "GET",  "/set-password/{token}",       200, 200, 200, 200, 200, 200),
    R("auth.set_password",     "POST", "/set-password/{token}",       200, 200, 200, 200, 200, 200,
      data={"password": "short", "confirm": "short"}),
    # the account page: one's own read-only API tokens (observers too); another's token: 404
    R("auth.account",          "GET",  "/account",                    302, 200, 200, 200, 200, 200),
    R("auth.account_token_create", "POST", "/account/tokens",         302, 200, 200, 200, 200, 200,
      data={"name": "Power BI {visitor}", "days": "30"}),
    R("auth.account_token_revoke", "POST", "/account/tokens/{api_token_a}/revoke",
                                                                      302, 302, 404, 404, 404, 404),
    # staff: stops (delegates: their own regions' stops only; creating and editing is HQ's)
    # The national map of ideas: HQ and observers (a regional observer's regions), not delegates.
    R("hq.ideas_map",          "GET",  "/hq/ideas/map",               302, 403, 403, 200, 200, 200),
    R("hq.stops",           "GET",  "/hq/stops",                   302, 200, 200, 200, 200, 200),
    R("hq.stop_create",        "GET",  "/hq/stops/new",               302, 403, 403, 200, 403, 403),
    R("hq.stop_create",        "POST", "/hq/stops/new",               302, 403, 403, 422, 403, 403),
    R("hq.stop_edit",          "GET",  "/hq/stops/{stop_a}/edit",     302, 403, 403, 200, 403, 403),
    R("hq.stop_edit",          "POST", "/hq/stops/{stop_a}/edit",     302, 403, 403, 422, 403, 403),
    R("hq.stop_open",       "GET",  "/hq/stops/{stop_a}/open",     302, 200, 404, 200, 403, 403),
    R("hq.stop_open",       "POST", "/hq/stops/{stop_a}/open",     302, 302, 404, 302, 403, 403,
      data={"confirmed": "yes"}),
    R("hq.stop_close",      "GET",  "/hq/stops/{stop_a}/close",    302, 200, 404, 200, 403, 403),
    R("hq.stop_close",      "POST", "/hq/stops/{stop_a}/close",    302, 302, 404, 302, 403, 403,
      data={"confirmed": "yes"}),
    R("hq.stop_poster",     "GET",  "/hq/stops/{stop_a}/poster",   302, 200, 404, 200, 200, 200),
    # hq: paper and spreadsheet intake (delegates: their own regions' stops only)
    R("hq.stop_intake",     "GET",  "/hq/stops/{stop_a}/intake",   302, 200, 404, 200, 403, 403),
    R("hq.stop_intake_template", "GET",  "/hq/stops/{stop_a}/intake/template.xlsx",
                                                                      302, 200, 404, 200, 403, 403),
    R("hq.stop_intake_upload", "POST", "/hq/stops/{stop_a}/intake",
                                                                      302, 422, 404, 422, 403, 403),
    R("hq.stop_intake_batch", "GET",  "/hq/stops/{stop_a}/intake/{import_a}",
                                                                      302, 200, 404, 200, 403, 403),
    R("hq.stop_intake_confirm", "POST",
      "/hq/stops/{stop_a}/intake/{import_a}/confirm",
                                                                      302, 302, 404, 302, 403, 403),
    # hq: users (HQ only)
    R("hq.users",              "GET",  "/hq/users",                   302, 403, 403, 200, 403, 403),
    R("hq.user_create",        "GET",  "/hq/users/new",               302, 403, 403, 200, 403, 403),
    R("hq.user_create",        "POST", "/hq/users/new",               302, 403, 403, 422, 403, 403),
    R("hq.user_edit",          "GET",  "/hq/users/{user_a}/edit",     302, 403, 403, 200, 403, 403),
    R("hq.user_edit",          "POST", "/hq/users/{user_a}/edit",     302, 403, 403, 422, 403, 403),
    R("hq.user_link",          "POST", "/hq/users/{user_a}/link",     302, 403, 403, 200, 403, 403),
    R("hq.user_deactivate",    "POST", "/hq/users/{user_a}/deactivate",
                                                                      302, 403, 403, 302, 403, 403),
    R("hq.user_reactivate",    "POST", "/hq/users/{user_a}/reactivate",
                                                                      302, 403, 403, 302, 403, 403),
    # hq: themes (HQ only)
    R("hq.themes",             "GET",  "/hq/themes",                  302, 403, 403, 200, 403, 403),
    R("hq.themes",             "POST", "/hq/themes",                  302, 403, 403, 422, 403, 403),
    R("hq.theme_edit",         "GET",  "/hq/themes/{theme}/edit",     302, 403, 403, 200, 403, 403),
    R("hq.theme_edit",         "POST", "/hq/themes/{theme}/edit",     302, 403, 403, 422, 403, 403),
    R("hq.theme_move",         "POST", "/hq/themes/{theme}/move",     302, 403, 403, 302, 403, 403,
      data={"direction": "down"}),
    R("hq.theme_retire",       "POST", "/hq/themes/{theme}/retire",   302, 403, 403, 302, 403, 403),
    R("hq.theme_restore",      "POST", "/hq/themes/{theme}/restore",  302, 403, 403, 302, 403, 403),
    # hq: audit trail (HQ only)
    R("hq.audit",              "GET",  "/hq/audit",                   302, 403, 403, 200, 403, 403),
    R("hq.privacy",            "GET",  "/hq/privacy",                 302, 403, 403, 200, 403, 403),
    R("hq.privacy",            "POST", "/hq/privacy",                 302, 403, 403, 200, 403, 403,
      data={"action": "search", "query": "Organisation-Secrete-A"}),
    # staff: dashboard; hq: Excel exports (delegates: their own regions only)
    R("hq.dashboard",       "GET",  "/hq/",                        302, 200, 200, 200, 200, 200),
    R("hq.exports",            "GET",  "/hq/exports",                 302, 200, 200, 200, 200, 200),
    R("hq.exports",            "POST", "/hq/exports",                 302, 200, 404, 200, 200, 200,
      data={"regions": "marrakech-safi", "language": "fr"}),
    R("hq.export_job",         "GET",  "/hq/exports/jobs/{job}",      302, 404, 404, 404, 404, 404),
    R("hq.export_job_status",  "GET",  "/hq/exports/jobs/{job}/status",
                                                                      302, 404, 404, 404, 404, 404),
    R("hq.export_job_file",    "GET",  "/hq/exports/jobs/{job}/file", 302, 404, 404, 404, 404, 404),
    # review desk (delegates: their own regions only; another region's record is a 404)
    R("review.index",          "GET",  "/review/",                    302, 200, 200, 200, 200, 200),
    R("review.index",          "GET",  "/review/?q=Secrete&stop={stop_a}",
                                                                      302, 200, 200, 200, 200, 200),
    R("review.submission",     "GET",  "/review/submissions/{submission_a}",
                                                                      302, 200, 404, 200, 200, 200),
    # the filtered list as a file: another region's stop is a bad filter (the page, 422);
    # contact columns need exports:contacts (observers: 403)
    R("review.export_csv",     "GET",  "/review/export.csv?stop={stop_a}",
                                                                      302, 200, 422, 200, 200, 200),
    R("review.export_xlsx",    "GET",  "/review/export.xlsx?stop={stop_a}",
                                                                      302, 200, 422, 200, 200, 200),
    R("review.export_csv",     "GET",  "/review/export.csv?contacts=1",
                                                                      302, 200, 200, 200, 403, 403),
    R("review.export_xlsx",    "GET",  "/review/export.xlsx?contacts=1",
                                                                      302, 200, 200, 200, 403, 403),
    R("review.submission",     "GET",
      "/review/submissions/{submission_a}?status=new&kind=proposal",
                                                                      302, 200, 404, 200, 200, 200),
    R("review.submission_save", "POST",
      "/review/submissions/{submission_a}",
                                                                      302, 302, 404, 302, 403, 403,
      data={"status": "reviewed", "items-0-id": "{item_a}", "items-0-kind": "proposal",
            "items-0-theme": "{theme}", "items-0-shortlisted": "y", "note": "Rappeler en mai"}),
    R("review.bulk",           "POST", "/review/bulk",                302, 302, 404, 302, 403, 403,
      data={"action": "reviewed", "submission_ids": "{submission_a}"}),
    # sign-off, regional brief and live screen of a stop (reopening and the screen's text
    # setting are HQ's; HQ signing a stop that `own` signed already is a form error)
    R("review.brief",          "GET",  "/review/brief?region={region_a}",
                                                                      302, 200, 404, 200, 200, 200),
    R("review.brief_pdf",      "GET",  "/review/brief.pdf?region={region_a}",
                                                                      302, 303, 404, 303, 303, 303),
    # share links to a region's brief (HQ, and a delegate for their regions; `own` revokes
    # first, HQ's revocation of a revoked link changes nothing)
    R("review.share_create",   "POST", "/review/brief/share",         302, 303, 404, 303, 403, 403,
      data={"region": "{region_a}", "days": "7"}),
    R("review.share_revoke",   "POST", "/review/brief/share/{share_link_a}/revoke",
                                                                      302, 303, 404, 303, 403, 403),
    R("review.stop_signoff",   "GET",  "/review/stops/{stop_a}/signoff",
                                                                      302, 200, 404, 200, 200, 200),
    R("review.stop_signoff_post", "POST",
      "/review/stops/{stop_a}/signoff",
                                                                      302, 302, 404, 422, 403, 403,
      data={"summary": "Synthèse de l'étape", "confirm": "y"}),
    R("review.stop_reopen",    "POST", "/review/stops/{stop_a}/reopen",
                                                                      302, 403, 403, 422, 403, 403,
      data={"reason": "Contributions papier"}),
    R("review.stop_live",      "GET",  "/review/stops/{stop_a}/live", 302, 200, 404, 200, 200, 200),
    R("review.stop_live_json", "GET",  "/review/stops/{stop_a}/live.json",
                                                                      302, 200, 404, 200, 200, 200),
    R("review.stop_live_settings", "POST",
      "/review/stops/{stop_a}/live/settings",
                                                                      302, 403, 403, 302, 403, 403,
      data={"unreviewed": "1"}),
    R("review.index",          "GET",  "/review/?group={group_a}",    302, 200, 404, 200, 200, 200),
    R("review.ideas",          "GET",  "/review/ideas",               302, 200, 200, 200, 200, 200),
    R("review.idea_group",     "GET",  "/review/ideas/{group_a}",     302, 200, 404, 200, 200, 200),
    R("review.idea_rename",    "POST", "/review/ideas/{group_a}/rename",
                                                                      302, 302, 404, 302, 403, 403,
      data={"title": "Les guides"}),
    R("review.idea_confirm",   "POST", "/review/ideas/{group_a}/confirm",
                                                                      302, 302, 404, 302, 403, 403),
    R("review.idea_split",     "POST", "/review/ideas/{group_a}/split",
                                                                      302, 422, 404, 422, 403, 403,
      data={"items": "999999"}),
    R("review.idea_merge",     "POST", "/review/ideas/{group_a}/merge",
                                                                      302, 422, 404, 422, 403, 403,
      data={"other": "999999"}),
    # follow-up: public pages (no sign-in; the reference page is rate-limited per address)
    R("followup.region",       "GET",  "/suivi/{region_a}",           200, 200, 200, 200, 200, 200),
    R("followup.region",       "GET",  "/suivi/no-such-region",       404, 404, 404, 404, 404, 404),
    R("followup.by_reference", "GET",  "/suivi/ref/{reference_a}",    200, 200, 200, 200, 200, 200),
    R("followup.by_reference", "GET",  "/suivi/ref/MS-2345-6789-ABCD",
                                                                      404, 404, 404, 404, 404, 404),
    R("followup.reference_lookup", "GET", "/suivi/ref?reference={reference_a}",
                                                                      302, 302, 302, 302, 302, 302),
    R("followup.shared_brief", "GET",  "/partage/{share_a}",          200, 200, 200, 200, 200, 200),
    R("followup.shared_brief", "GET",  "/partage/no-such-link",       404, 404, 404, 404, 404, 404),
    R("followup.shared_brief_pdf", "GET", "/partage/{share_a}/bilan.pdf",
                                                                      200, 200, 200, 200, 200, 200),
    R("followup.unsubscribe_page", "GET", "/suivi/desabonnement/forged",
                                                                      404, 404, 404, 404, 404, 404),
    R("followup.unsubscribe_page", "POST", "/suivi/desabonnement/forged",
                                                                      404, 404, 404, 404, 404, 404),
    # follow-up: commitments (delegates: their regions' only; national ones are HQ's)
    R("followup.commitments",  "GET",  "/hq/commitments",             302, 200, 200, 200, 200, 200),
    R("followup.commitment_new", "GET", "/hq/commitments/new",        302, 200, 200, 200, 403, 403),
    R("followup.commitment_new", "POST", "/hq/commitments/new",       302, 422, 422, 422, 403, 403),
    R("followup.commitment",   "GET",  "/hq/commitments/{commitment_a}",
                                                                      302, 200, 404, 200, 200, 200),
    R("followup.commitment",   "POST", "/hq/commitments/{commitment_a}",
                                                                      302, 422, 404, 422, 403, 403),
    R("followup.commitment_status", "POST",
      "/hq/commitments/{commitment_a}/status",                        302, 302, 404, 422, 403, 403,
      data={"status-status": "in_progress", "status-progress": "40",
            "status-reason": "Budget voté"}),  # HQ repeats the same status: nothing changes
    R("followup.commitment_milestone", "POST",
      "/hq/commitments/{commitment_a}/milestones",                    302, 302, 404, 302, 403, 403,
      data={"milestone-due": "2026-06-01", "milestone-label_fr": "Formation",
            "milestone-label_ar": "التكوين"}),
    R("followup.commitments_import", "GET", "/hq/commitments/import", 302, 200, 200, 200, 403, 403),
    R("followup.commitments_import", "POST", "/hq/commitments/import",
                                                                      302, 422, 422, 422, 403, 403),
    R("followup.commitments_import_confirm", "POST",
      "/hq/commitments/import/confirm",                               302, 302, 302, 302, 403, 403),
    R("followup.commitment_milestone_done", "POST",
      "/hq/commitments/{commitment_a}/milestones/{milestone_a}",      302, 302, 404, 302, 403, 403,
      data={"done": "y"}),
    R("followup.commitment_milestone_edit", "POST",
      "/hq/commitments/{commitment_a}/milestones/{milestone_a}/edit", 302, 302, 404, 302, 403, 403,
      data={"milestone-{milestone_a}-due": "2027-03-01",
            "milestone-{milestone_a}-label_fr": "Formation des guides",
            "milestone-{milestone_a}-label_ar": "تكوين المرشدين"}),
    R("followup.commitment_milestone_remove", "POST",  # HQ comes after: already removed
      "/hq/commitments/{commitment_a}/milestones/{milestone_a}/remove",
                                                                      302, 302, 404, 404, 403, 403),
]
# fmt: on

# Pages reached with a secret in the address show region A's data to whoever holds that secret:
# an open stop's form (its code is on the poster) and a set-password link (it names the account).
PUBLIC_ENDPOINTS = {
    "public.stop_form",
    "public.receipt",
    "public.tablet",
    "api.describe_stop",
    "api.create_submission",
    "public.index",
    "auth.set_password",
    "api.commitments",  # public, read-only: the follow-up pages as JSON
    "api.region_commitments",
    "followup.region",  # what a region's commitments say is public by design
    "followup.by_reference",  # the reference is the secret
    "followup.reference_lookup",
    "followup.shared_brief",  # the share link's token is the secret; reviewed data only
    "followup.shared_brief_pdf",
}
ROLES = ("anon", "obs", "nat", "other", "own", "hq")
SIGNED_IN = ROLES[1:]


def _routes_of(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((rule.endpoint, method))
    return found


def test_every_route_is_in_the_matrix(app) -> None:
    routes = _routes_of(app)
    listed = {(row.endpoint, row.method) for row in MATRIX}
    missing = sorted(routes - listed)
    stale = sorted(listed - routes)
    assert not missing, f"routes missing from MATRIX (add one line each): {missing}"
    assert not stale, f"MATRIX rows for routes that no longer exist: {stale}"


def _expected(value: int | tuple[int, ...]) -> tuple[int, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.mark.parametrize("row", MATRIX, ids=[f"{r.method} {r.endpoint} {r.path}" for r in MATRIX])
def test_route_answers_each_role(app, session, world: World, row: R) -> None:
    clients = {"anon": app.test_client()}
    for role in SIGNED_IN:
        clients[role] = session_for(app, session, world.emails[role])
    path = row.path.format(job="no-such-export-job-000", **world.ids)
    failures = []
    for role in ROLES:
        client = clients[role]
        if row.method == "GET":
            response = client.get(path)
        elif row.json is not None:
            response = client.post(path, json=row.json)
        else:
            data = {
                k.format(**world.ids): v.format(visitor=role, **world.ids)
                if isinstance(v, str)
                else v
                for k, v in row.data.items()
            }  # "{submission_a}" and the like, in names too (a form prefixed by a record's id)
            response = client.post(path, data={**data, "csrf_token": csrf_for(app, client)})
        expected = _expected(getattr(row, role))
        if response.status_code not in expected:
            failures.append(f"{role}: got {response.status_code}, expected {expected}")
        if role == "other" and row.endpoint not in PUBLIC_ENDPOINTS:
            body = response.get_data().decode("utf-8", "replace")  # the favicon is a PNG
            leaked = [s for s in world.secrets_a if s in body]
            if leaked:
                failures.append(f"region A data shown to region B's delegate: {leaked}")
    assert not failures, f"{row.method} {path}: " + "; ".join(failures)
