"""Cross-feature invariants, checked after every step of random interleavings (issue 20).

A Hypothesis rule-based state machine drives the services the pages and the API call: form,
API and tablet posts, imports (confirmed or left pending, by a delegate or HQ), review changes
(status, kind, theme) by the region's delegate, sign-off and reopening, regrouping, erasure on
request. After every step it checks:

- counts: per stop and kind, the dashboard (services/synthesis/figures.py), the live screen's
  tallies (services/capture/tally.py), the workbook's "Synthèse" sheet and a count of the rows
  agree, and `tally check` finds nothing;
- sign-off: a signed stop's submissions and items do not change, and anything new there is
  flagged "after sign-off";
- erasure: an erased e-mail is nowhere: submissions, pending previews, stored workbooks, audit.

Bounded for the normal run (a few seconds per database); INVARIANT_EXAMPLES=200 (and optionally
INVARIANT_STEPS) for a long one. To add rules (curation: split, merge, rename...), subclass
`TourMachine` or add `@rule` methods; `World` holds the fixtures, `check_*` the invariants.
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
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import func, select

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
)
from feedback_app.services.access import EVERYTHING, Scope, scope_for
from feedback_app.services.capture import tally
from feedback_app.services.capture.submissions import submit
from feedback_app.services.errors import SignedOff
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.ideas.groups import regroup, regroup_if_stale
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.privacy import personal_data
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import signoff
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.tour import stop_lock
from tests.intake_files import HEADER_FR, csv_bytes
from tests.staff import add_stop, make_user

EXAMPLES = int(os.environ.get("INVARIANT_EXAMPLES", "2"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "8"))

KINDS = ("need", "opportunity", "challenge", "proposal")
# Few texts, so that the regrouper finds groups among them.
TEXTS = (
    "Former le personnel d'accueil aux langues étrangères.",
    "Former les guides aux langues étrangères.",
    "Améliorer la signalisation touristique en ville.",
    "Plus de vols directs vers l'aéroport régional.",
    "Développer l'écotourisme dans les oasis.",
)
# Each region holds one stop, so that the workbook's per-region figures are per-stop figures.
REGIONS = ("marrakech-safi", "souss-massa", "draa-tafilalet")
# What the steps write, cleared between examples so that each one replays alike.
STEP_TABLES = {
    "idea_grouping_state",
    "idea_groups",
    "idea_group_members",
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
    session: object
    stops: list = field(default_factory=list)  # one per region of REGIONS
    delegates: list = field(default_factory=list)  # the delegate of each stop's region
    hq: object = None
    themes: list[int] = field(default_factory=list)

    @classmethod
    def build(cls, session) -> World:
        world = cls(session)
        for n, region in enumerate(REGIONS):
            world.stops.append(add_stop(session, f"Ville {n}", region))
            world.delegates.append(make_user(session, f"delegue{n}@example.ma", regions=(region,)))
        world.hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
        world.themes = list(session.scalars(select(Theme.id).where(Theme.retired.is_(False))))[:3]
        return world

    def clear(self) -> None:
        """Remove what the steps wrote (the stops, accounts and themes stay)."""
        with write_transaction(self.session):
            for table in reversed(Model.metadata.sorted_tables):
                if table.name in STEP_TABLES:
                    self.session.execute(table.delete())

    def delegate_scope(self, stop: int) -> Scope:
        return scope_for(self.delegates[stop])


_counter = itertools.count()


def _email() -> str:
    return f"personne{next(_counter)}-{uuid.uuid4().hex[:6]}@example.ma"


entries = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(TEXTS)), min_size=1, max_size=3
)
stop_index = st.integers(min_value=0, max_value=len(REGIONS) - 1)


class TourMachine(RuleBasedStateMachine):
    world: World  # set by the test (a subclass per run)

    def __init__(self) -> None:
        super().__init__()
        self.session = self.world.session
        self.world.clear()  # every example starts from the same empty tour
        self.emails: list[str] = []
        self.erased: set[str] = set()
        self.signed_rows: dict[int, dict] = {}

    # --- steps --------------------------------------------------------------------------------

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
        rows=st.lists(st.sampled_from(TEXTS), min_size=1, max_size=4),
        by_hq=st.booleans(),
        confirm=st.booleans(),
    )
    def import_file(self, stop, rows, by_hq, confirm) -> None:
        lines = []
        for text in rows:
            email = _email()
            self.emails.append(email)
            lines.append(
                [
                    f"Papier {next(_counter)}",
                    "hebergement",
                    "need",
                    text,
                    "",
                    "",
                    "Ali Idrissi",
                    "Gérant",
                    email,
                    "",
                    "oui",
                ]
            )
        stop_row = self.world.stops[stop]
        preview = build_preview(self.session, stop_row, csv_bytes([HEADER_FR, *lines]), "p.csv")
        batch_id = save_preview(self.session, preview, user_id=None)
        if not confirm:
            return  # left pending: its contact details wait in import_batches.rows
        scope = EVERYTHING if by_hq else self.world.delegate_scope(stop)
        signed = stop_lock.is_signed(self.session, stop_row.id)
        try:
            commit_batch(self.session, scope, batch_id, actor_id=None)
        except SignedOff:
            assert signed and not by_hq, "an import refused outside a signed stop"
        else:
            assert by_hq or not signed, "a delegate imported into a signed stop"

    def _pick_submission(self, stop: int, n: int) -> Submission | None:
        ids = self.session.scalars(
            select(Submission.id)
            .where(Submission.stop_id == self.world.stops[stop].id)
            .order_by(Submission.id)
        ).all()
        return self.session.get(Submission, ids[n % len(ids)]) if ids else None

    def _as_delegate(self, stop: int, change) -> None:
        """A review change by the stop's delegate: refused exactly when the stop is signed."""
        signed = stop_lock.is_signed(self.session, self.world.stops[stop].id)
        try:
            change(self.world.delegate_scope(stop))
        except SignedOff:
            assert signed, "a review change refused outside a signed stop"
        else:
            assert not signed, "a delegate changed a signed stop"

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

    @rule(stop=stop_index)
    def sign(self, stop) -> None:
        if not stop_lock.is_signed(self.session, self.world.stops[stop].id):
            delegate = self.world.delegates[stop]
            signoff.sign_off(
                self.session,
                scope_for(delegate),
                self.world.stops[stop].id,
                "Bilan.",
                actor_id=delegate.id,
            )

    @rule(stop=stop_index)
    def reopen(self, stop) -> None:
        if stop_lock.is_signed(self.session, self.world.stops[stop].id):
            signoff.reopen(
                self.session,
                EVERYTHING,
                self.world.stops[stop].id,
                "Oubli.",
                actor_id=self.world.hq.id,
            )

    @rule()
    def regroup_ideas(self) -> None:
        regroup(self.session)

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
        counted = (Submission.stop_id == stop_id, Submission.status != ReviewStatus.SPAM)
        subs = self.session.scalar(select(func.count()).select_from(Submission).where(*counted))
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
        return subs, kinds

    def workbook_counts(self) -> dict[str, tuple[int, Counter]]:
        """Per region name: (contributions, items by kind) from the "Synthèse" sheet."""
        regroup_if_stale(self.session)  # as the worker does before a build
        stored = export_workbook(
            self.session,
            EVERYTHING,
            ExportRequest(filters=SynthesisFilters(region_slugs=REGIONS)),
            actor_id=None,
            generated_by="Invariants",
        )
        content = self.session.get_one(ExportArtifact, stored.id).content
        self.session.rollback()
        rows = list(
            openpyxl.load_workbook(io.BytesIO(content), read_only=True)["Synthèse"].iter_rows(
                values_only=True
            )
        )
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
            live = tally.read_counts(self.session, stop.id)
            screen = (live.submissions, Counter({k: v for k, v in live.by_kind.items() if v}))
            sel = resolve(self.session, EVERYTHING, SynthesisFilters(stop_ids=(stop.id,)))
            (board,) = synthesis(self.session, sel).regions
            dashboard = (board.submissions, Counter({k: v for k, v in board.by_kind.items() if v}))
            sheet = book.get(board.name, (0, Counter()))
            assert dashboard == screen == sheet == rows, (stop.city, dashboard, screen, sheet, rows)
        assert tally.differences(self.session) == []
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


def test_the_numbers_locks_and_erasures_agree_across_features(session) -> None:
    world = World.build(session)
    machine = type("Machine", (TourMachine,), {"world": world})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        ),
    )


@pytest.mark.parametrize("rows", [3])
def test_a_paper_import_keeps_dashboard_live_screen_and_workbook_equal(session, rows) -> None:
    """The defect that started it all, as one fixed sequence of the machine's steps."""
    world = World.build(session)
    machine = type("Machine", (TourMachine,), {"world": world})()
    machine.post(0, [("need", TEXTS[0])], False, SubmissionSource.FORM)
    machine.import_file(0, list(TEXTS[:rows]), by_hq=False, confirm=True)
    machine.check_counts()
    machine.teardown()
