"""Stateful property test: a delegate's words never leave their regions.

Hypothesis interleaves posts in two regions, regroupings and curation (split, merge, rename by
either region's delegate and by HQ, HQ's switch for unreviewed text on the live screens), and
after every step reads everything each region's delegate can read - the idea list and every
idea page, the dashboard, the brief page, the live screen's JSON of each of their stops and
their workbook - checking that no title written by the other region's delegate shows. It also
checks that a delegate can always name a group they see, and then reads their own title.

A few examples in a normal run; `INVARIANT_EXAMPLES` (and `INVARIANT_STEPS`) for a long one.
"""

from __future__ import annotations

import os
from itertools import count

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
from sqlalchemy import delete, update

from feedback_app.database import write_transaction
from feedback_app.models import IdeaGroup, IdeaGroupingState, IdeaGroupMember, Submission, TourStop
from feedback_app.services.access import EVERYTHING, scope_for
from feedback_app.services.ideas import curation, queries
from feedback_app.services.ideas.groups import regroup, regroup_if_stale
from feedback_app.services.synthesis import live
from feedback_app.services.synthesis.figures import SynthesisFilters
from tests.review_world import store
from tests.staff import session_for
from tests.test_export import _export

EXAMPLES = int(os.environ.get("INVARIANT_EXAMPLES", "8"))
STEPS = int(os.environ.get("INVARIANT_STEPS", "12"))

# Paraphrase families: the regrouper puts each family in one group, whichever region says it.
SAYINGS = [
    [
        "Former les guides touristiques aux langues étrangères",
        "Des cours de langues étrangères pour les guides touristiques",
        "Nos guides doivent être formés aux langues des visiteurs étrangers",
    ],
    [
        "Améliorer la signalétique routière vers les sites touristiques",
        "Installer une signalétique touristique sur les routes d'accès",
        "Une meilleure signalétique sur les routes vers les sites",
    ],
]


def _forget_earlier_examples(session, desk) -> None:
    """Every example starts from the desk as built: Hypothesis replays examples to shrink them."""
    with write_transaction(session):
        session.execute(delete(IdeaGroup))
        session.execute(delete(IdeaGroupMember))
        session.execute(delete(Submission).where(Submission.organisation.like("Organisation %")))
        session.execute(update(IdeaGroupingState).values(fingerprint=""))
        session.execute(update(TourStop).values(live_shows_unreviewed=False))
    with live._IDEAS_LOCK:
        live._IDEAS_CACHE.clear()


class RegionWords(RuleBasedStateMachine):
    """The desk (tests/review_world.build_desk): stops A1, A2 in region A, B in region B."""

    def __init__(self, app, session, desk) -> None:
        super().__init__()
        self.app, self.session, self.desk = app, session, desk
        self.serial = count(1)
        _forget_earlier_examples(session, desk)
        self.scopes = {
            "a": scope_for(desk.delegate_a),
            "b": scope_for(desk.delegate_b),
            "hq": scope_for(desk.hq),
        }
        self.stops = {"a": [desk.stop_a1, desk.stop_a2], "b": [desk.stop_b]}
        self.clients = {
            region: session_for(app, session, getattr(desk, f"delegate_{region}").email)
            for region in ("a", "b")
        }
        # Every title a delegate wrote, by region: never to be seen in the other region.
        self.written: dict[str, set[str]] = {"a": set(), "b": set()}

    # --- steps -------------------------------------------------------------------------------

    @initialize()
    def each_region_says_something_twice(self) -> None:
        self.post("a", 0, 0, 2)
        self.post("b", 0, 1, 2)
        regroup(self.session)

    @rule(
        region=st.sampled_from(["a", "b"]),
        stop=st.integers(0, 1),
        family=st.integers(0, len(SAYINGS) - 1),
        times=st.integers(1, 3),
    )
    def post(self, region: str, stop: int, family: int, times: int) -> None:
        stops = self.stops[region]
        for variant in range(times):
            store(
                self.session,
                stops[stop % len(stops)],
                f"Organisation {next(self.serial)}",  # see _forget_earlier_examples
                minutes=next(self.serial) % 600,
                items=[{"kind": "need", "text": SAYINGS[family][variant]}],
            )

    @rule()
    def regrouping(self) -> None:
        regroup(self.session)

    def _pick_group(self, data: st.DataObject, who: str) -> int | None:
        groups = [g.id for g in queries.top_groups(self.session, self.scopes[who], limit=100)]
        return data.draw(st.sampled_from(groups)) if groups else None

    @rule(who=st.sampled_from(["a", "a", "b", "hq"]), data=st.data())
    def rename(self, who: str, data: st.DataObject) -> None:
        group = self._pick_group(data, who)
        if group is None:
            return
        title = f"Mots{who.upper()}{next(self.serial):05d}"
        curation.rename_group(self.session, self.scopes[who], group, title, actor_id=None)
        if who != "hq":
            self.written[who].add(title)
        # A delegate can always name the ideas of their region, and reads their own words.
        assert queries.group_summary(self.session, self.scopes[who], group).title == title

    @rule(who=st.sampled_from(["a", "b", "hq"]), data=st.data())
    def split(self, who: str, data: st.DataObject) -> None:
        group = self._pick_group(data, who)
        if group is None:
            return
        members = queries.group_detail(self.session, self.scopes[who], group).members
        chosen = data.draw(
            st.lists(
                st.sampled_from([m.item_id for m in members]),
                min_size=1,
                max_size=len(members) - 1,
                unique=True,
            )
        )
        curation.split_group(self.session, self.scopes[who], group, chosen, actor_id=None)

    @rule(who=st.sampled_from(["a", "b", "hq"]), data=st.data())
    def merge(self, who: str, data: st.DataObject) -> None:
        groups = [g.id for g in queries.top_groups(self.session, self.scopes[who], "need", 100)]
        if len(groups) < 2:
            return
        target, other = data.draw(
            st.lists(st.sampled_from(groups), min_size=2, max_size=2, unique=True)
        )
        curation.merge_groups(self.session, self.scopes[who], target, [other], actor_id=None)

    @rule(allowed=st.booleans(), stop=st.sampled_from(["a1", "b"]))
    def unreviewed_on_screen(self, allowed: bool, stop: str) -> None:
        stop_id = getattr(self.desk, f"stop_{stop}").id
        live.set_live_unreviewed(self.session, self.scopes["hq"], stop_id, allowed, actor_id=None)

    # --- what must hold after every step -----------------------------------------------------

    def _readable(self, region: str) -> str:
        """Everything the region's delegate can read that may hold a group title."""
        client, scope = self.clients[region], self.scopes[region]
        # The ideas page regroups when the data changed: do it first, so the group pages listed
        # below are those of the groups as they will be read.
        regroup_if_stale(self.session)
        pages = ["/review/ideas", "/hq/", "/review/brief"]
        pages += [
            f"/review/ideas/{g.id}" for g in queries.top_groups(self.session, scope, limit=100)
        ]
        pages += [f"/review/stops/{stop.id}/live.json" for stop in self.stops[region]]
        seen = []
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, page
            seen.append(response.get_data(as_text=True))
        book = openpyxl.load_workbook(
            _export(self.app, self.session, scope, filters=SynthesisFilters()).path
        )
        seen += [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
        self.session.rollback()
        return "\n".join(seen)

    @invariant()
    def a_delegates_words_stay_in_their_region(self) -> None:
        for region, other in (("a", "b"), ("b", "a")):
            if not self.written[other]:
                continue
            readable = self._readable(region)
            leaked = sorted(t for t in self.written[other] if t in readable)
            assert not leaked, f"region {region} reads region {other}'s titles {leaked}"

    @invariant()
    def hq_reads_the_national_or_automatic_title(self) -> None:
        delegates = self.written["a"] | self.written["b"]
        for group in queries.top_groups(self.session, EVERYTHING, limit=100):
            regions = queries.group_summary(self.session, EVERYTHING, group.id).regions
            if regions > 1:  # a title of one region's delegate never names a shared group
                assert group.title not in delegates


@pytest.mark.parametrize("unused", [None])
def test_a_delegates_words_never_reach_another_region(app, session, desk, unused) -> None:
    run_state_machine_as_test(
        lambda: RegionWords(app, session, desk),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
