"""Every page a person sees, at every screen width, in French and Arabic: the one list.

The pages come from the access matrix (tests/test_access_matrix.py): each GET route that answers
200 to someone is a page, visited as the first visitor it answers (anonymous, then HQ, then the
region's delegate). A new route therefore joins the layout test and the screenshot gallery by
getting its line in the matrix. Routes that are not screens (files, JSON, probes) are in
NOT_SCREENS.

Used by tests/e2e/test_layout.py and scripts/screenshots.py.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from feedback_app.models import ReviewStatus, User
from tests.export_world import add_submission
from tests.staff import REGION_A, REGION_B, World, add_stop, build_world
from tests.test_access_matrix import MATRIX

WIDTHS = (360, 768, 1280, 1366, 1920)
HEIGHT = {360: 740, 768: 1024, 1280: 800, 1366: 768, 1920: 1080}
LANGUAGES = ("fr", "ar")

# Routes that answer a file, JSON or a probe rather than a screen (by address, so that a renamed
# endpoint keeps its place).
NOT_SCREENS = re.compile(
    r"^/(static|api)/|^/(healthz|readyz|sw\.js)$|\.\w+$|/(status|file)$|^/suivi/ref\b"
)
# Delegates see the same screens with fewer controls; these are the ones they work from.
DELEGATE_TOO = {"/hq/", "/hq/stops", "/review/", "/review/ideas"}


@dataclass(frozen=True)
class Page:
    role: str  # "anon", "hq" or "own" (region A's delegate)
    endpoint: str
    path: str

    @property
    def name(self) -> str:
        return f"{self.role}-{self.endpoint}-{zlib.crc32(self.path.encode()) % 10000:04d}"


def screens(ids: dict[str, object]) -> list[Page]:
    found: list[Page] = []
    seen: set[tuple[str, str]] = set()
    for row in MATRIX:
        path = row.path.format(**{"job": "none", **ids})
        if row.method != "GET" or NOT_SCREENS.search(path.split("?")[0]):
            continue
        roles = [r for r in ("anon", "hq", "own") if row.__dict__[r] == 200][:1]
        if path in DELEGATE_TOO and row.own == 200 and "own" not in roles:
            roles.append("own")
        for role in roles:
            if (role, path) not in seen:
                seen.add((role, path))
                found.append(Page(role, row.endpoint, path))
    # Screens the matrix reaches only with data it does not make (its rows answer 404 there):
    # an export job of HQ's, an unsubscribe link's page. `seed` makes them.
    if "job" in ids:
        found.append(Page("hq", "hq.export_job", f"/hq/exports/jobs/{ids['job']}"))
    if "unsubscribe" in ids:
        found.append(
            Page("anon", "followup.unsubscribe_page", f"/suivi/desabonnement/{ids['unsubscribe']}")
        )
    return found


def seed(session: Session) -> World:
    """The access matrix's two regions, plus enough stops for the lists to look lived in, an
    export job of HQ's (queued, contacts included, one region) and an unsubscribe link."""
    from feedback_app.followup.public import unsubscribe_token
    from feedback_app.services.access import scope_for
    from feedback_app.services.export.jobs import start_job
    from feedback_app.services.export.plan import ExportRequest
    from feedback_app.services.synthesis.figures import SynthesisFilters

    world = build_world(session)
    for day, city in enumerate(("Essaouira", "El Kelaâ des Sraghna", "Ben Guerir"), start=10):
        add_stop(session, city, REGION_A, dt.date(2025, 3, day), venue="Palais des congrès")
    # One idea said in both regions and one in Arabic only: the map of ideas has rows, two
    # region columns and a title missing in one language.
    stops = {REGION_A: world.ids["stop_a"], REGION_B: world.ids["stop_b"]}
    said = [
        (REGION_A, "Pour nous, il faut former les guides touristiques aux langues étrangères."),
        (REGION_A, "Former les guides touristiques aux langues étrangères et à l'accueil"),
        (REGION_B, "Des formations en langues étrangères pour les guides touristiques"),
        (REGION_B, "يجب تكوين المرشدين السياحيين في اللغات الأجنبية"),
        (REGION_B, "تكوين المرشدين السياحيين في اللغات الأجنبية ضروري"),
    ]
    for n, (region, text) in enumerate(said):
        add_submission(
            session,
            int(stops[region]),
            organisation=f"Hôtel {n}",
            status=ReviewStatus.REVIEWED,
            items=[{"kind": "need", "text": text}],
        )
    hq = session.get(User, world.ids["hq"])
    assert hq is not None
    world.ids["job"] = start_job(
        session,
        scope_for(hq),
        ExportRequest(SynthesisFilters(region_slugs=(REGION_A,)), include_contacts=True),
        owner_id=hq.id,
        generated_by=hq.name,
        tz="Africa/Casablanca",
        total=1,
        limit=5,
        enqueue=lambda job_id: "not-sent",  # a queued job: its page waits and polls
        is_pending=lambda message_id: True,
    )
    world.ids["unsubscribe"] = unsubscribe_token("autre.a@example.ma")
    return world


# What the layout test checks on each page, measured in the browser in one round trip.
MEASURE = """() => {
  const width = window.innerWidth, height = window.innerHeight;
  const shown = (el) => {
    if (el.closest(".hp, .skip-link, [hidden], .visually-hidden, .sr-only")) return null;
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (r.width < 2 || r.height < 2 || style.visibility === "hidden") return null;
    return r;
  };
  const label = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "")
      .replace(/\\s+/g, " ").trim();
    return `${el.tagName.toLowerCase()} "${text.slice(0, 40)}"`;
  };
  const offscreen = [], broken = [], covered = [];
  for (const el of document.querySelectorAll("a[href], button, input[type=submit]")) {
    const r = shown(el);
    if (!r) continue;
    if (r.left < -1 || r.right > width + 1)
      offscreen.push(`${label(el)} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
  }
  // A button's word split over two lines ("Recherche / r"): each word's box is one line.
  for (const el of document.querySelectorAll("button, .button, input[type=submit]")) {
    if (!shown(el)) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const re = /\\S+/g;
      for (let m = re.exec(node.data); m; m = re.exec(node.data)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((b) => Math.round(b.top)));
        if (lines.size > 1) broken.push(`${label(el)}: "${m[0]}"`);
      }
    }
  }
  const sticky = [...document.querySelectorAll("body *")].filter((el) => {
    const p = getComputedStyle(el).position;
    return (p === "sticky" || p === "fixed") && shown(el);
  });
  const controls = "input:not([type=hidden]), select, textarea, button";
  for (const control of document.querySelectorAll(controls)) {
    const c = shown(control);
    if (!c || c.bottom <= 0 || c.top >= height) continue;
    for (const bar of sticky) {
      if (bar.contains(control)) continue;
      const b = bar.getBoundingClientRect();
      const x = Math.min(b.right, c.right) - Math.max(b.left, c.left);
      const y = Math.min(b.bottom, c.bottom) - Math.max(b.top, c.top);
      if (x > 1 && y > 1) covered.push(`${label(control)} under ${label(bar)}`);
    }
  }
  return {
    scrollWidth: document.documentElement.scrollWidth, innerWidth: width,
    scrollX: Math.round(window.scrollX), offscreen, broken, covered,
  };
}"""


def problems(measured: dict) -> list[str]:
    found = []
    if measured["scrollWidth"] > measured["innerWidth"]:
        found.append(f"document {measured['scrollWidth']} px wide")
    if measured["scrollX"]:
        found.append(f"opens scrolled {measured['scrollX']} px sideways")
    found += [f"off screen: {x}" for x in measured["offscreen"]]
    found += [f"word split: {x}" for x in measured["broken"]]
    found += [f"covered: {x}" for x in measured["covered"]]
    return found
