"""One cross-feature invariant test (issue 20): every feature, interleaved, after every step.

One Hypothesis rule-based state machine drives the services the pages and the API call, in
two regions (one stop each) with their delegates and HQ:

- intake: form, API and tablet posts; imports (paper rows, several of one organisation, in one
  file or across files), confirmed or left pending, by the delegate or HQ;
- review: status (spam and back; one submission or several at once), kind, theme and
  shortlist changes by the stop's delegate;
- curation: split, merge, rename by either region's delegate and by HQ, HQ's switch showing
  unreviewed text on the live screens; automatic regrouping;
- sign-off (with a summary of the delegate's own words) and HQ's reopening;
- erasure of a person's contact details on request.

After every step it checks:

- counts: per stop and kind, the dashboard (services/synthesis/figures.py), the live screen's
  tallies (services/capture/tally.py), the workbook's "Synthèse" sheet and a count made here
  from the rows agree (contributions by the paper rule: models/contribution.py, recomputed here
  from the organisations), and `tally check` finds nothing; by review status, the stops list
  (contributions held, spam included, and submissions still new), the review desk's and the
  sign-off's counts of new submissions and the public follow-up page (reviewed contributions
  and entries by kind), all read from the running counts, equal a count made here;
- regions: no title or summary a delegate wrote shows on any page, JSON, brief or workbook of
  the other region's delegate (idea list and pages, dashboard, brief, live.json, workbook), and
  a shared group's title read by HQ is never a delegate's;
- sign-off: a signed stop's submissions and items change only by arrivals flagged "after
  sign-off"; what a delegate is refused (review, import, curation) is exactly what the pages
  disable beforehand (stop_lock, curation.locked_groups);
- erasure: an erased e-mail is nowhere: submissions, pending previews, stored workbooks, audit.

Bounded in `make test` (a few seconds per database); INVARIANT_EXAMPLES and INVARIANT_STEPS
raise the number of random runs and their length for a long run (README, "Tests").
"""

from __future__ import annotations

import io
import itertools
import json
import os
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import openpyxl
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select, update

from feedback_app.database import write_transaction
from feedback_app.extensions import Model
from feedback_app.models import (
    AuditEvent,
    ExportArtifact,
    FeedbackItem,
    ImportBatch,
    ReviewStatus,
    Role,
    StopSignOff,
    Submission,
    SubmissionSource,
    Theme,
    TourStop,
    fold,
)
from feedback_app.services.access import EVERYTHING, Scope, scope_for
from feedback_app.services.capture import tally
from feedback_app.services.capture.submissions import submit
from feedback_app.services.errors import SignedOff
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.followup import public as followup
from feedback_app.services.ideas import curation, queries
from feedback_app.services.ideas.groups import regroup, regroup_if_stale
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.privacy import personal_data
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.review import queries as review_queries
from feedback_app.services.review import signoff
from feedback_app.services.synthesis import live
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.tour import stop_lock
from feedback_app.services.tour.stop_admin import list_stops
from tests.intake_files import HEADER_FR, csv_bytes
from tests.staff import add_stop, make_user, session_for

EXAMPLES = int(os.environ.get("INVARIANT_EXAMPLES", "2"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "10"))

KINDS = ("need", "opportunity", "challenge", "proposal")
# Paraphrase families: the regrouper puts each family in one group, whichever region says it.
SAYINGS = (
    (
        "Former les guides touristiques aux langues étrangères",
        "Des cours de langues étrangères pour les guides touristiques",
        "Nos guides doivent être formés aux langues des visiteurs étrangers",
    ),
    (
        "Améliorer la signalétique routière vers les sites touristiques",
        "Installer une signalétique touristique sur les routes d'accès",
        "Une meilleure signalétique sur les routes vers les sites",
    ),
)
TEXTS = tuple(text for family in SAYINGS for text in family)
# Paper rows: spellings of one organisation (one contribution per stop) and another.
PAPER_ORGANISATIONS = ("Riad Dar Atlas", "riad  DAR atlas", "Riad Dâr Atlas", "Agence Sahara")
# One stop per region, so that the workbook's per-region figures are per-stop figures.
REGIONS = ("marrakech-safi", "souss-massa")
# What the steps write, cleared between examples so that each one replays alike.
STEP_TABLES = {
    "idea_grouping_state",
    "idea_groups",
    "idea_group_members",
    "idea_group_titles",
    "audit_events",
    "export_artifacts",
    "export_jobs",
    "import_batches",
    "stop_signoffs",
    "stop_tallies",
    "submissions",
    "feedback_items",
    "review_notes",
}
SYNTHESE_KINDS = {"need": 3, "opportunity": 4, "challenge": 5, "proposal": 6}  # columns


@dataclass
class World:
    app: object
    session: object
    stops: list = field(default_factory=list)  # one per region of REGIONS
    delegates: list = field(default_factory=list)  # the delegate of each stop's region
    clients: list = field(default_factory=list)  # each delegate, signed in
    hq: object = None
    themes: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, app, session) -> World:
        world = cls(app, session)
        for n, region in enumerate(REGIONS):
            world.stops.append(add_stop(session, f"Ville {n}", region))
            delegate = make_user(session, f"delegue{n}@example.ma", regions=(region,))
            world.delegates.append(delegate)
            world.clients.append(session_for(app, session, delegate.email))
        world.hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
        world.themes = list(session.scalars(select(Theme.id).where(Theme.retired.is_(False))))[:3]
        return world

    def clear(self) -> None:
        """Remove what the steps wrote (the stops, accounts and themes stay)."""
        with write_transaction(self.session):
            for table in reversed(Model.metadata.sorted_tables):
                if table.name in STEP_TABLES:
                    self.session.execute(table.delete())
            self.session.execute(update(TourStop).values(live_shows_unreviewed=False))
        with live._IDEAS_LOCK:
            live._IDEAS_CACHE.clear()
            live._WAITING_CACHE.clear()

    def scope(self, who: int | str) -> Scope:
        """A region's delegate (its index), or "hq"."""
        return EVERYTHING if who == "hq" else scope_for(self.delegates[int(who)])


_counter = itertools.count()


def _email() -> str:
    return f"personne{next(_counter)}-{uuid.uuid4().hex[:6]}@example.ma"


entries = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(TEXTS)), min_size=1, max_size=3
)
stop_index = st.integers(min_value=0, max_value=len(REGIONS) - 1)
curator = st.sampled_from([0, 0, 1, "hq"])


class TourMachine(RuleBasedStateMachine):
    world: World  # set by the test (a subclass per run)

    def __init__(self) -> None:
        super().__init__()
        self.session = self.world.session
        self.world.clear()  # every example starts from the same empty tour
        self.emails: list[str] = []
        self.erased: set[str] = set()
        self.signed_rows: dict[int, dict] = {}
        # Every title or summary a delegate wrote, by region: never to be read in the other.
        self.written: dict[int, set[str]] = {n: set() for n in range(len(REGIONS))}

    @initialize()
    def each_region_says_the_same_thing(self) -> None:
        """A group shared by both regions from the start, for the curation steps to work on,
        and two paper rows of one organisation (spelled two ways): one contribution."""
        for stop in range(len(REGIONS)):
            for text in SAYINGS[0][:2]:
                self.post(stop, [("need", text)], False, SubmissionSource.FORM)
        paper = [(PAPER_ORGANISATIONS[0], TEXTS[3]), (PAPER_ORGANISATIONS[1], TEXTS[4])]
        self.import_file(1, paper, by_hq=True, confirm=True)
        regroup(self.session)

    # --- intake -------------------------------------------------------------------------------

    def _payload(self, items, contact: bool) -> dict:
        payload = {
            "client_id": str(uuid.uuid4()),
            "organisation": f"Organisation {next(_counter)}",
            "category": "hebergement",
            "items": [{"kind": kind, "text": text} for kind, text in items],
        }
        if contact:
            email = _email()
            self.emails.append(email)
            payload.update(consent_contact=True, name="Nadia Tazi", email=email)
        return payload

    @rule(
        stop=stop_index,
        items=entries,
        contact=st.booleans(),
        source=st.sampled_from(
            [SubmissionSource.FORM, SubmissionSource.API, SubmissionSource.TABLET]
        ),
    )
    def post(self, stop, items, contact, source) -> None:
        code = self.world.stops[stop].code
        submit(self.session, code, self._payload(items, contact), source=source)

    @rule(
        stop=stop_index,
        rows=st.lists(
            st.tuples(st.sampled_from(PAPER_ORGANISATIONS), st.sampled_from(TEXTS)),
            min_size=1,
            max_size=4,
        ),
        by_hq=st.booleans(),
        confirm=st.booleans(),
    )
    def import_file(self, stop, rows, by_hq, confirm) -> None:
        lines = []
        for organisation, text in rows:
            email = _email()
            self.emails.append(email)
            contact = ["Ali Idrissi", "Gérant", email, "", "oui"]
            lines.append([organisation, "hebergement", "need", text, "", "", *contact])
        stop_row = self.world.stops[stop]
        preview = build_preview(self.session, stop_row, csv_bytes([HEADER_FR, *lines]), "p.csv")
        batch_id = save_preview(self.session, preview, user_id=None)
        if not confirm:
            return  # left pending: its contact details wait in import_batches.rows
        scope = self.world.scope("hq" if by_hq else stop)
        locked = stop_lock.locked_for(self.session, scope, stop_row.id)  # what the pages say
        try:
            commit_batch(self.session, scope, batch_id, actor_id=None)
        except SignedOff:
            assert locked, "an import refused although the stops list offered it"
        else:
            assert not locked, "an import into a stop the stops list shows locked"

    # --- review -------------------------------------------------------------------------------

    def _pick_submission(self, stop: int, n: int) -> Submission | None:
        ids = self.session.scalars(
            select(Submission.id)
            .where(Submission.stop_id == self.world.stops[stop].id)
            .order_by(Submission.id)
        ).all()
        return self.session.get(Submission, ids[n % len(ids)]) if ids else None

    def _as_delegate(self, stop: int, change) -> None:
        """A review change by the stop's delegate: refused exactly when the page disabled it."""
        scope = self.world.scope(stop)
        locked = stop_lock.locked_for(self.session, scope, self.world.stops[stop].id)
        try:
            change(scope)
        except SignedOff:
            assert locked, "a review change refused outside a signed stop"
        else:
            assert not locked, "a delegate changed a signed stop"

    @rule(stop=stop_index, n=st.integers(0, 50), status=st.sampled_from(list(ReviewStatus)))
    def set_status(self, stop, n, status) -> None:
        found = self._pick_submission(stop, n)
        if found is None:
            return
        self._as_delegate(
            stop,
            lambda scope: review_actions.set_status(
                self.session, scope, found.id, status, actor_id=None
            ),
        )

    @rule(
        stop=stop_index,
        picks=st.lists(st.integers(0, 50), min_size=1, max_size=4),
        status=st.sampled_from(list(ReviewStatus)),
    )
    def set_status_in_bulk(self, stop, picks, status) -> None:
        """The review list's bulk action: several rows of one stop at once (paper rows of one
        organisation among them move its contribution once)."""
        found = [self._pick_submission(stop, n) for n in picks]
        ids = [submission.id for submission in found if submission is not None]
        if not ids:
            return
        self._as_delegate(
            stop,
            lambda scope: review_bulk.bulk_set_status(
                self.session, scope, ids, status, actor_id=None
            ),
        )

    @rule(
        stop=stop_index, n=st.integers(0, 50), kind=st.sampled_from(KINDS), theme=st.integers(-1, 2)
    )
    def change_item(self, stop, n, kind, theme) -> None:
        found = self._pick_submission(stop, n)
        if found is None:
            return
        item = found.items[n % len(found.items)]
        theme_id = self.world.themes[theme] if theme >= 0 else None
        self._as_delegate(
            stop,
            lambda scope: review_actions.update_item(
                self.session,
                scope,
                found.id,
                item.id,
                kind=kind,
                theme_id=theme_id,
                shortlisted=bool(n % 2),
                actor_id=None,
            ),
        )

    # --- sign-off -----------------------------------------------------------------------------

    @rule(stop=stop_index)
    def sign(self, stop) -> None:
        if stop_lock.is_signed(self.session, self.world.stops[stop].id):
            return
        delegate = self.world.delegates[stop]
        summary = f"Bilan{stop}x{next(_counter):05d}"
        signoff.sign_off(
            self.session, scope_for(delegate), self.world.stops[stop].id, summary, actor_id=None
        )
        self.written[stop].add(summary)

    @rule(stop=stop_index)
    def reopen(self, stop) -> None:
        if stop_lock.is_signed(self.session, self.world.stops[stop].id):
            signoff.reopen(
                self.session, EVERYTHING, self.world.stops[stop].id, "Oubli.", actor_id=None
            )

    # --- ideas --------------------------------------------------------------------------------

    @rule()
    def regrouping(self) -> None:
        regroup(self.session)

    def _groups(self, who, kind: str | None = None) -> list[int]:
        scope = self.world.scope(who)
        return [g.id for g in queries.top_groups(self.session, scope, kind, 100)]

    def _curate(self, who, group_ids: list[int], decide) -> bool:
        """A curation, refused to a delegate exactly when the page disabled its controls."""
        scope = self.world.scope(who)
        locked = curation.locked_groups(self.session, scope, group_ids)
        try:
            decide(scope)
        except SignedOff:
            assert locked, "a curation refused although the page offered it"
            return False
        assert not locked, "a curation went through although the page disabled it"
        return True

    @rule(who=curator, data=st.data())
    def rename(self, who, data: st.DataObject) -> None:
        groups = self._groups(who)
        if not groups:
            return
        group = data.draw(st.sampled_from(groups))
        title = f"Mots{who}x{next(_counter):05d}"
        renamed = self._curate(
            who,
            [group],
            lambda scope: curation.rename_group(self.session, scope, group, title, actor_id=None),
        )
        if renamed and who != "hq":
            self.written[who].add(title)
        if renamed:  # anyone can name the ideas they see, and then reads their own words
            summary = queries.group_summary(self.session, self.world.scope(who), group)
            assert summary.title == title

    @rule(who=curator, data=st.data())
    def split(self, who, data: st.DataObject) -> None:
        groups = self._groups(who)
        if not groups:
            return
        group = data.draw(st.sampled_from(groups))
        members = queries.group_detail(self.session, self.world.scope(who), group).members
        if len(members) < 2:
            return
        chosen = data.draw(
            st.lists(
                st.sampled_from([m.item_id for m in members]),
                min_size=1,
                max_size=len(members) - 1,
                unique=True,
            )
        )
        self._curate(
            who,
            [group],
            lambda scope: curation.split_group(self.session, scope, group, chosen, actor_id=None),
        )

    @rule(who=curator, kind=st.sampled_from(KINDS), data=st.data())
    def merge(self, who, kind, data: st.DataObject) -> None:
        groups = self._groups(who, kind)
        if len(groups) < 2:
            return
        target, other = data.draw(
            st.lists(st.sampled_from(groups), min_size=2, max_size=2, unique=True)
        )
        self._curate(
            who,
            [target, other],
            lambda scope: curation.merge_groups(
                self.session, scope, target, [other], actor_id=None
            ),
        )

    @rule(allowed=st.booleans(), stop=stop_index)
    def unreviewed_on_screen(self, allowed: bool, stop: int) -> None:
        stop_id = self.world.stops[stop].id
        live.set_live_unreviewed(self.session, EVERYTHING, stop_id, allowed, actor_id=None)

    # --- privacy ------------------------------------------------------------------------------

    @rule(n=st.integers(0, 1000))
    def erase(self, n) -> None:
        if not self.emails:
            return
        email = self.emails[n % len(self.emails)]
        found = personal_data.find_contacts(self.session, email)
        if found:
            personal_data.erase_contacts(
                self.session,
                submission_ids=[m.submission_id for m in found],
                actor_id=self.world.hq.id,
            )
        pending = personal_data.find_preview_contacts(self.session, email)
        if pending:
            personal_data.erase_preview_contacts(
                self.session,
                rows=[(m.batch_id, m.row) for m in pending],
                actor_id=self.world.hq.id,
            )
        self.erased.add(email)

    # --- invariants ---------------------------------------------------------------------------

    def rows_count(self, stop_id: int) -> tuple[int, Counter]:
        """(contributions, entries by kind), counted here from the rows: a submission is a
        contribution, except that one organisation's paper rows at the stop are one."""
        counted = (Submission.stop_id == stop_id, Submission.status != ReviewStatus.SPAM)
        sources = self.session.execute(
            select(Submission.source, Submission.organisation).where(*counted)
        ).all()
        paper = {fold(org) for source, org in sources if source is SubmissionSource.IMPORT}
        online = sum(1 for source, _org in sources if source is not SubmissionSource.IMPORT)
        kinds = Counter(
            {
                kind.value: n
                for kind, n in self.session.execute(
                    select(FeedbackItem.kind, func.count())
                    .join(Submission, Submission.id == FeedbackItem.submission_id)
                    .where(*counted)
                    .group_by(FeedbackItem.kind)
                )
            }
        )
        return online + len(paper), kinds

    def status_rows_count(self, stop_id: int) -> tuple[int, int, int, Counter]:
        """(contributions held whatever their status, submissions still new, reviewed
        contributions, reviewed entries by kind), counted here from the rows by the paper rule."""
        rows = self.session.execute(
            select(
                Submission.source,
                Submission.category_code,
                Submission.organisation,
                Submission.status,
            ).where(Submission.stop_id == stop_id)
        ).all()

        def contributions(chosen) -> int:
            paper = {
                (c, fold(o)) for source, c, o, _s in chosen if source is SubmissionSource.IMPORT
            }
            return len(paper) + sum(1 for row in chosen if row[0] is not SubmissionSource.IMPORT)

        reviewed = [row for row in rows if row[3] is ReviewStatus.REVIEWED]
        entries = Counter(
            {
                kind.value: n
                for kind, n in self.session.execute(
                    select(FeedbackItem.kind, func.count())
                    .join(Submission, Submission.id == FeedbackItem.submission_id)
                    .where(
                        Submission.stop_id == stop_id, Submission.status == ReviewStatus.REVIEWED
                    )
                    .group_by(FeedbackItem.kind)
                )
            }
        )
        new = sum(1 for row in rows if row[3] is ReviewStatus.NEW)
        return contributions(rows), new, contributions(reviewed), entries

    def _workbook(self, scope: Scope, slugs: tuple[str, ...] = ()) -> bytes:
        regroup_if_stale(self.session)  # as the worker does before a build
        stored = export_workbook(
            self.session,
            scope,
            ExportRequest(filters=SynthesisFilters(region_slugs=slugs)),
            actor_id=None,
            generated_by="Invariants",
        )
        content = self.session.get_one(ExportArtifact, stored.id).content
        self.session.rollback()
        return content

    def workbook_counts(self) -> dict[str, tuple[int, Counter]]:
        """Per region name: (contributions, items by kind) from the "Synthèse" sheet."""
        # The tour's regions only: the other ten regions' empty sheets cost time, not checks.
        content = self._workbook(EVERYTHING, REGIONS)
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        rows = list(book["Synthèse"].iter_rows(values_only=True))
        header = next(
            i for i, r in enumerate(rows) if r[:3] == ("Région", "Étapes tenues", "Contributions")
        )
        figures = {}
        for r in rows[header + 1 :]:
            if not r[0]:
                break
            figures[r[0]] = (
                r[2] or 0,
                Counter({k: r[c] for k, c in SYNTHESE_KINDS.items() if r[c]}),
            )
        return figures

    @invariant()
    def check_counts(self) -> None:
        book = self.workbook_counts()
        for stop in self.world.stops:
            rows = self.rows_count(stop.id)
            counts = tally.read_counts(self.session, stop.id)
            screen = (counts.submissions, Counter({k: v for k, v in counts.by_kind.items() if v}))
            sel = resolve(self.session, EVERYTHING, SynthesisFilters(stop_ids=(stop.id,)))
            (board,) = [r for r in synthesis(self.session, sel).regions if r.slug in REGIONS]
            dashboard = (board.submissions, Counter({k: v for k, v in board.by_kind.items() if v}))
            sheet = book.get(board.name, (0, Counter()))
            assert dashboard == screen == sheet == rows, (stop.city, dashboard, screen, sheet, rows)
        # By review status: the stops list (held, still new), the review desk's count of new
        # submissions and the public follow-up page (reviewed) against the rows. One stop per
        # region, so a region's figures are its stop's.
        listed = {
            row.stop.id: (row.submissions, row.new) for row in list_stops(self.session, EVERYTHING)
        }
        waiting = {
            c.region.slug: c.count for c in review_queries.new_counts(self.session, EVERYTHING)
        }
        for region, stop in zip(REGIONS, self.world.stops, strict=True):
            held, new, reviewed, entries = self.status_rows_count(stop.id)
            page = followup.region_followup(self.session, region, "fr")
            public = (page.contributions, Counter({k: v for k, v in page.entries.items() if v}))
            assert listed[stop.id] == (held, new), (stop.city, listed[stop.id], held, new)
            assert waiting[region] == new, (region, waiting[region], new)
            assert signoff.before_signing(self.session, stop).new_submissions == new
            assert public == (reviewed, entries), (region, public, reviewed, entries)
        assert tally.differences(self.session) == []
        self.session.rollback()

    def _readable(self, region: int) -> str:
        """Everything the region's delegate can read that may hold a title or a summary."""
        client, scope = self.world.clients[region], self.world.scope(region)
        # What the background task does when the data changed (the pages read the groups as
        # they are): first, so that the group pages listed below are those of current groups.
        regroup_if_stale(self.session)
        pages = ["/review/ideas", "/hq/", "/review/brief"]
        pages += [f"/review/ideas/{g}" for g in self._groups(region)]
        pages.append(f"/review/stops/{self.world.stops[region].id}/live.json")
        seen = []
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            seen.append(response.get_data(as_text=True))
        book = openpyxl.load_workbook(io.BytesIO(self._workbook(scope)), read_only=True)
        seen += [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        self.session.rollback()
        return "\n".join(seen)

    @invariant()
    def check_a_delegates_words_stay_in_their_region(self) -> None:
        for region in range(len(REGIONS)):
            others = set().union(*(w for r, w in self.written.items() if r != region))
            if not others:
                continue
            readable = self._readable(region)
            leaked = sorted(t for t in others if t in readable)
            assert not leaked, f"region {region} reads another region's words {leaked}"
        delegates = set().union(*self.written.values())
        for group in queries.top_groups(self.session, EVERYTHING, limit=100):
            regions = queries.group_summary(self.session, EVERYTHING, group.id).regions
            if regions > 1:  # a title of one region's delegate never names a shared group
                assert group.title not in delegates
        self.session.rollback()

    def _signed_state(self) -> dict[int, dict]:
        signed = set(
            self.session.scalars(
                select(StopSignOff.stop_id).where(StopSignOff.signed_at.is_not(None))
            )
        )
        state: dict[int, dict] = {}
        for stop_id in signed:
            subs = self.session.execute(
                select(Submission.id, Submission.status, Submission.after_signoff).where(
                    Submission.stop_id == stop_id
                )
            ).all()
            items = self.session.execute(
                select(
                    FeedbackItem.id,
                    FeedbackItem.kind,
                    FeedbackItem.theme_id,
                    FeedbackItem.shortlisted,
                )
                .join(Submission, Submission.id == FeedbackItem.submission_id)
                .where(Submission.stop_id == stop_id)
            ).all()
            state[stop_id] = {
                "subs": {s.id: (s.status, s.after_signoff) for s in subs},
                "items": {i.id: tuple(i[1:]) for i in items},
            }
        return state

    @invariant()
    def check_signed_stops(self) -> None:
        now = self._signed_state()
        for stop_id, before in self.signed_rows.items():
            after = now.get(stop_id)
            if after is None:
                continue  # reopened
            for sub_id, value in before["subs"].items():
                assert after["subs"][sub_id] == value, "a signed stop's submission changed"
            for sub_id, (_status, flagged) in after["subs"].items():
                if sub_id not in before["subs"]:
                    assert flagged, "an arrival at a signed stop is not flagged after sign-off"
            for item_id, value in before["items"].items():
                assert after["items"][item_id] == value, "a signed stop's item changed"
        self.signed_rows = now
        self.session.rollback()

    @invariant()
    def check_erased_emails_are_gone(self) -> None:
        if not self.erased:
            return
        stored = set(
            self.session.scalars(select(Submission.email).where(Submission.email.is_not(None)))
        )
        previews = json.dumps([b for b in self.session.scalars(select(ImportBatch.rows))])
        audit = json.dumps(
            [[e.before, e.after] for e in self.session.scalars(select(AuditEvent))], default=str
        )
        workbooks = []
        for content in self.session.scalars(select(ExportArtifact.content)):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                workbooks.append(
                    "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
                )
        self.session.rollback()
        for email in self.erased:
            assert email not in stored, "an erased e-mail is still on a submission"
            assert email not in previews, "an erased e-mail is still in an import preview"
            assert email not in audit, "an erased e-mail is in the audit trail"
            assert not any(email in text for text in workbooks), "an erased e-mail in a workbook"


def _machine(app, session) -> type[TourMachine]:
    return type("Machine", (TourMachine,), {"world": World.build(app, session)})


@pytest.mark.slow
def test_numbers_words_locks_and_erasures_agree_across_features(app, session) -> None:
    run_state_machine_as_test(
        _machine(app, session),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )


# Fixed sequences of the machine's steps: the defects issue 20 started from, kept as examples.


def test_a_paper_import_keeps_dashboard_live_screen_and_workbook_equal(app, session) -> None:
    machine = _machine(app, session)()
    machine.post(0, [("need", TEXTS[0])], False, SubmissionSource.FORM)
    # Three rows of one organisation (spelled three ways) and one of another: 2 contributions.
    rows = list(zip(PAPER_ORGANISATIONS, TEXTS, strict=False))
    machine.import_file(0, rows, by_hq=False, confirm=True)
    assert machine.rows_count(machine.world.stops[0].id)[0] == 3
    machine.check_counts()
    machine.teardown()
