"""The idea groups' counts per region (idea_group_tallies) say what the memberships say.

The dashboard, the ideas page and the briefs rank the recurring ideas from these rows; every
writer of memberships or of a spam status recounts the groups it touched in its transaction.
Here each page-level answer read from them is compared with the same answer counted from the
memberships (the path kept for scopes of several regions).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import numpy as np
import pytest
from sqlalchemy import event, func, select

from feedback_app.database import write_transaction
from feedback_app.exports.data import IdeaTitles
from feedback_app.extensions import db
from feedback_app.models import (
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    IdeaGroupStop,
    IdeaGroupTally,
    ItemKind,
    ReviewStatus,
    Submission,
    TourStop,
)
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.capture import tally
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries, tallies
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.tallies import centre_of
from feedback_app.services.ideas.text import TITLE_CANDIDATES
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.synthesis import idea_map as idea_map_module
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve
from tests.export_world import add_submission
from tests.staff import add_stop
from tests.test_idea_groups import ARABIC, GUIDES, SIGNS, world  # noqa: F401 - the fixture


def _scopes(world) -> list[Scope]:  # noqa: F811
    return [
        EVERYTHING,
        Scope(user_id=None, region_ids=frozenset({world["a"]})),
        Scope(user_id=None, region_ids=frozenset({world["b"]})),
    ]


def _agree(session, world) -> None:  # noqa: F811
    """Every scope's ranking from the tallies equals the ranking counted from the rows, and so
    do its automatic titles and quotes."""
    every_group = session.scalars(select(IdeaGroup.id)).all()
    for scope in _scopes(world):
        counted, _regions = queries._counted_summaries(session, scope)
        untitled = [
            replace(s, title="", title_locked=False, titles=IdeaTitles())
            for s in queries._summaries(session, scope)
        ]
        assert untitled == counted
        assert_same_words(session, scope, every_group)
    assert_stops_agree(session)


def assert_stops_agree(session) -> None:
    """The groups' items per stop (which signed stops a group draws on) are those counted
    from the memberships, spam left out."""
    stored = session.execute(
        select(IdeaGroupStop.group_id, IdeaGroupStop.stop_id, IdeaGroupStop.items).order_by(
            IdeaGroupStop.group_id, IdeaGroupStop.stop_id
        )
    ).all()
    counted = session.execute(
        select(IdeaGroupMember.group_id, Submission.stop_id, func.count())
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(IdeaGroupMember.group_id.is_not(None), Submission.status != ReviewStatus.SPAM)
        .group_by(IdeaGroupMember.group_id, Submission.stop_id)
        .order_by(IdeaGroupMember.group_id, Submission.stop_id)
    ).all()
    assert [tuple(r) for r in stored] == [tuple(r) for r in counted]


def assert_same_words(session, scope: Scope, group_ids) -> None:
    """The titles and quotes a reader of `scope` gets from the tallies are those counted from
    the rows (the groups without any visible item give no title either way)."""
    stored = queries.automatic_titles(session, scope, group_ids)
    counted = queries.counted_automatic_titles(session, scope, group_ids)
    assert stored == counted
    assert queries.group_quotes(session, scope, group_ids) == queries.counted_group_quotes(
        session, scope, group_ids
    )


def _submission_of(session, text: str) -> int:
    return session.scalar(select(Submission.id).join(FeedbackItem).where(FeedbackItem.text == text))


def test_the_counts_follow_regrouping_spam_and_curation(session, world) -> None:  # noqa: F811
    regroup(session)
    _agree(session, world)
    guides = queries.top_groups(session, EVERYTHING, "need")[0]
    assert (guides.items, guides.organisations, guides.regions) == (3, 3, 2)

    # Spam leaves the counts at once, before any regrouping; taking it back restores them.
    spam = _submission_of(session, SIGNS[1])
    review_actions.set_status(session, EVERYTHING, spam, "spam", actor_id=None)
    _agree(session, world)
    region_a = _scopes(world)[1]
    assert SIGNS[0] not in {g.title for g in queries.top_groups(session, region_a)}
    review_actions.set_status(session, EVERYTHING, spam, "new", actor_id=None)
    _agree(session, world)
    assert len(queries.top_groups(session, region_a, "need")) == 2

    # The same through the bulk action, for two submissions at once.
    both = [_submission_of(session, text) for text in GUIDES[:2]]
    review_bulk.bulk_set_status(session, EVERYTHING, both, "spam", actor_id=None)
    _agree(session, world)
    assert queries.top_groups(session, region_a, "need")[0].title in SIGNS
    review_bulk.bulk_set_status(session, EVERYTHING, both, "new", actor_id=None)
    _agree(session, world)

    # A merge and a split move the counts of the groups they change.
    guides_id = guides.id
    signs_id = next(
        g.id for g in queries.top_groups(session, EVERYTHING, "need") if g.id != guides_id
    )
    idea_curation.merge_groups(session, EVERYTHING, guides_id, [signs_id], actor_id=None)
    _agree(session, world)
    merged = queries.group_summary(session, EVERYTHING, guides_id)
    assert merged.items == 5
    taken = [
        session.scalar(select(FeedbackItem.id).where(FeedbackItem.text == text)) for text in SIGNS
    ]
    new_id = idea_curation.split_group(session, EVERYTHING, guides_id, taken, actor_id=None)
    _agree(session, world)
    assert new_id is not None
    assert queries.group_summary(session, EVERYTHING, new_id).items == 2
    assert queries.group_summary(session, EVERYTHING, guides_id).items == 3


def test_a_region_reads_its_own_items_title_and_counts(session, world) -> None:  # noqa: F811
    regroup(session)
    guides = queries.top_groups(session, EVERYTHING, "need")[0]
    region_a, region_b = _scopes(world)[1:]
    in_a = {g.id: g for g in queries.top_groups(session, region_a, "need")}
    # Region A sees its two guides items, titled by one of them, counted within A only.
    assert (in_a[guides.id].items, in_a[guides.id].regions) == (2, 1)
    assert in_a[guides.id].title in GUIDES[:2]
    # Region B holds one item of that group: no group there, nothing of A shows through.
    in_b = queries.top_groups(session, region_b, "need")
    assert guides.id not in {g.id for g in in_b}
    assert all(g.items >= 2 and g.regions == 1 for g in in_b)


def test_quotes_follow_reviews_at_once(session, world) -> None:  # noqa: F811
    """Quotes are of reviewed entries: marking a submission reviewed quotes it on the brief
    before any regrouping, and taking the review back (or marking it spam) unquotes it."""
    regroup(session)
    guides = queries.top_groups(session, EVERYTHING, "need")[0]
    assert queries.group_quotes(session, EVERYTHING, [guides.id]) == {}
    first = _submission_of(session, GUIDES[0])
    review_actions.set_status(session, EVERYTHING, first, "reviewed", actor_id=None)
    _agree(session, world)
    quoted = queries.group_quotes(session, EVERYTHING, [guides.id])[guides.id]
    assert [q.text for q in quoted] == [GUIDES[0]]
    region_a, region_b = _scopes(world)[1:]
    assert [q.text for q in queries.group_quotes(session, region_a, [guides.id])[guides.id]] == [
        GUIDES[0]
    ]
    # Region B's reader never reads region A's entry.
    assert queries.group_quotes(session, region_b, [guides.id]) == {}

    others = [_submission_of(session, text) for text in GUIDES[1:]]
    review_bulk.bulk_set_status(session, EVERYTHING, others, "reviewed", actor_id=None)
    _agree(session, world)
    assert len(queries.group_quotes(session, EVERYTHING, [guides.id])[guides.id]) == 3
    review_actions.set_status(session, EVERYTHING, first, "new", actor_id=None)
    _agree(session, world)
    quoted = queries.group_quotes(session, EVERYTHING, [guides.id])[guides.id]
    assert GUIDES[0] not in [q.text for q in quoted]
    review_bulk.bulk_set_status(session, EVERYTHING, others, "spam", actor_id=None)
    _agree(session, world)
    assert queries.group_quotes(session, EVERYTHING, [guides.id]) == {}


# What people write, with the copies a group gathers: the same words from several
# organisations, spacing that differs, personal data (never a title nor a quote), two scripts.
_SAID = [
    *GUIDES,
    *SIGNS,
    *ARABIC,
    GUIDES[0],
    "  " + GUIDES[1].upper(),
    f"{GUIDES[2]} : écrivez à guides@example.ma",
    f"{SIGNS[0]} - appelez le 0612345678",
    f"{ARABIC[0]} 0612345678",
]
_ORGANISATIONS = ["Riad Atlas", "RIAD  atlas", "Hôtel Sud", "Agence Nord", "فندق الأطلس", "Dar X"]


def _random_tour(
    session,
    rng: random.Random,
    places: tuple[tuple[str, str], ...],
    *,
    submissions: int,
    kinds: tuple[str, ...] = ("need",),
    said: list[str] | None = None,
    most_items: int = 2,
) -> list[int]:
    """Submissions at random stops of `places` (city, region), organisations spelled several
    ways, every status, 1 to `most_items` entries each of `kinds`; their ids."""
    stops = [add_stop(session, city, region, venue="Salle").id for city, region in places]
    ids = [
        add_submission(
            session,
            rng.choice(stops),
            organisation=rng.choice(_ORGANISATIONS),
            status=rng.choice(list(ReviewStatus)),
            items=[
                {"kind": rng.choice(kinds), "text": rng.choice(said or _SAID)}
                for _ in range(rng.randint(1, most_items))
            ],
            recount=False,
        )
        for _ in range(submissions)
    ]
    with write_transaction(session):  # the stops' counts once, not once per submission
        tally.recount(session, stops)
    return ids


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stored_titles_and_quotes_equal_those_counted_on_random_tours(session, seed) -> None:
    """On random tours of three regions, after a regrouping and after each review (reviewed,
    new, spam, one or in bulk), every reader of one region and HQ get from the tallies the
    titles and quotes counted from the rows."""
    rng = random.Random(seed)
    places = (("Marrakech", "marrakech-safi"), ("Agadir", "souss-massa"), ("Fès", "fes-meknes"))
    ids = _random_tour(session, rng, places, submissions=36)
    regroup(session)
    regions = sorted({s.region_id for s in session.scalars(select(Submission))})
    scopes = [EVERYTHING, *(Scope(user_id=None, region_ids=frozenset({r})) for r in regions)]

    def agree() -> None:
        groups = session.scalars(select(IdeaGroup.id)).all()
        for scope in scopes:
            assert_same_words(session, scope, groups)
        assert_stops_agree(session)

    agree()
    assert any(queries.group_quotes(session, EVERYTHING, session.scalars(select(IdeaGroup.id))))
    for _ in range(6):
        status = rng.choice(["new", "reviewed", "spam"])
        if rng.random() < 0.5:
            review_actions.set_status(session, EVERYTHING, rng.choice(ids), status, actor_id=None)
        else:
            review_bulk.bulk_set_status(
                session, EVERYTHING, rng.sample(ids, 4), status, actor_id=None
            )
        agree()


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_the_map_from_the_tallies_equals_the_map_counted(session, seed) -> None:
    """On random tours of three regions (texts of two kinds, organisations spelled several
    ways, every status), after a regrouping and after reviews into and out of spam: the
    national map and each region's map, complete or cut, read from the kept counts equal the
    maps counted from the rows; a period or a choice of stops is counted."""
    rng = random.Random(seed)
    places = (
        ("Marrakech", "marrakech-safi"),
        ("Essaouira", "marrakech-safi"),
        ("Agadir", "souss-massa"),
        ("Fès", "fes-meknes"),
    )
    ids = _random_tour(
        session, rng, places, submissions=48, kinds=("need", "proposal"), most_items=3
    )
    regroup(session)
    regions = sorted({s.region_id for s in session.scalars(select(Submission))})
    scopes = [EVERYTHING, *(Scope(user_id=None, region_ids=frozenset({r})) for r in regions)]

    def agree() -> None:
        for scope in scopes:
            sel = resolve(session, scope, SynthesisFilters())
            assert idea_map_module.tallied_region(session, sel) is not None
            for limit in (None, 2):
                stored = idea_map_module.idea_map(session, sel, limit=limit)
                counted = idea_map_module.counted_idea_map(session, sel, limit=limit)
                assert stored == counted
        assert idea_map_module.idea_map(session, resolve(session, EVERYTHING, SynthesisFilters()))

    agree()
    for _ in range(4):
        status = rng.choice(["new", "reviewed", "spam"])
        review_bulk.bulk_set_status(session, EVERYTHING, rng.sample(ids, 6), status, actor_id=None)
        agree()

    # What the kept counts cannot say goes through the rows.
    for filters in (
        SynthesisFilters(since=dt.date.today()),
        SynthesisFilters(statuses=("reviewed",)),
        SynthesisFilters(stop_ids=(session.scalar(select(func.min(TourStop.id))),)),
    ):
        sel = resolve(session, EVERYTHING, filters)
        assert idea_map_module.tallied_region(session, sel) is None


def test_hqs_map_reads_no_membership(app, session, world) -> None:  # noqa: F811
    """The national map is read from the kept counts: not one statement over the memberships
    or the items, whatever their number."""
    regroup(session)
    sel = resolve(session, EVERYTHING, SynthesisFilters())
    read: list[str] = []

    def note(_conn, _cursor, statement, _params, _context, _many) -> None:
        read.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        found = idea_map_module.idea_map(session, sel)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert found.rows
    assert read and not [s for s in read if "idea_group_members" in s or "feedback_items" in s]


@contextmanager
def _statements(session) -> Iterator[list[str]]:
    """The SQL sent inside the block, one line each, lower case."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()).lower())

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _stored_rows(session) -> list[tuple]:
    """Every tally row as stored; of the quote candidates only the quotes chosen from them
    (a review adds its entries to them without dropping those they now rule out); the texts
    counted unless unknown (a row once past QUOTE_TEXTS texts stays so until recounted)."""
    columns = [
        c.key
        for c in IdeaGroupTally.__table__.columns
        if c.key not in ("quote_candidates", "quote_texts", "centre")
    ]
    return sorted(
        # The centres moved by difference add the same float32 vectors in another order.
        (*(getattr(row, key) for key in columns), _rounded(row.centre), row.quote_texts)
        for row in session.scalars(select(IdeaGroupTally).execution_options(populate_existing=True))
    )


def _equal_to_a_recount(session, stored: list[tuple]) -> None:
    """The rows `stored` (`_stored_rows`) are those a recount writes, texts unknown aside."""
    tallies.refresh(session)
    recount = _stored_rows(session)
    assert [row[:-1] for row in stored] == [row[:-1] for row in recount]
    for row, counted in zip(stored, recount, strict=True):
        assert row[-1] is None or row[-1] == counted[-1]


def _rounded(centre: bytes | None) -> tuple[float, ...] | None:
    return None if centre is None else tuple(np.round(centre_of(centre), 4).tolist())


@pytest.mark.parametrize("seed", [4, 5, 6, 7])
def test_spam_and_back_leave_the_tallies_a_recount_would_write(session, seed) -> None:
    """Marking spam and taking it back move the tallies by difference, one submission or in
    bulk: after each, every row (items, organisations compared folded, regions, typical item,
    titles, quotes) is what recounting the groups from the rows writes. Groups larger than the
    titles' candidates, organisations spelled two ways and in several regions."""
    _spam_tour(session, seed)


@pytest.mark.parametrize("seed", [4, 9, 10])
def test_quote_candidates_chosen_again_by_pages_equal_a_recount(session, monkeypatch, seed) -> None:
    """When a submission whose entries were kept quote candidates leaves (spam, or its review
    taken back), its groups' members are walked again by pages, the read ending as soon as
    the candidates kept before and the texts counted tell what is left (a group of 200,000
    entries is walked by pages of 200 members, then four times more; here of one member):
    the tallies stay those a recount writes, through reviews joining in between, Arabic and
    French entries, organisations spelled two ways."""
    monkeypatch.setattr(tallies, "_QUOTE_PAGE", 1)
    _spam_tour(session, seed, moves=("new", "reviewed", "spam"))


def _spam_tour(session, seed: int, moves: tuple[str, ...] = ("spam",)) -> None:
    """Random submissions in and out of spam (or to one of `moves`), one or in bulk; after
    each, the tallies equal a recount."""
    rng = random.Random(seed)
    places = (("Marrakech", "marrakech-safi"), ("Agadir", "souss-massa"))
    said = [*_SAID, *_SAID[-3:]]  # the entries carrying contact details more often
    ids = _random_tour(session, rng, places, submissions=90, said=said, most_items=3)
    regroup(session)
    assert session.scalar(select(func.max(IdeaGroupTally.items))) > TITLE_CANDIDATES
    for _ in range(16):
        statuses = dict(session.execute(select(Submission.id, Submission.status)).all())
        spam = [i for i in ids if statuses[i] is ReviewStatus.SPAM]
        counted = [i for i in ids if statuses[i] is not ReviewStatus.SPAM]
        back = bool(spam) and rng.random() < 0.5
        chosen = spam if back else counted
        if back:
            status = rng.choice(["new", "reviewed"])
        else:
            status = rng.choice(moves) if len(moves) > 1 else moves[0]
        if rng.random() < 0.6:
            review_actions.set_status(
                session, EVERYTHING, rng.choice(chosen), status, actor_id=None
            )
        else:
            picked = rng.sample(chosen, min(4, len(chosen)))
            review_bulk.bulk_set_status(session, EVERYTHING, picked, status, actor_id=None)
        _equal_to_a_recount(session, _stored_rows(session))
        session.rollback()


@pytest.mark.parametrize("status", ["spam", "back"])
def test_marking_spam_reads_no_group_whole(session, status) -> None:
    """Marking spam, or taking it back, reads of the groups' memberships only the submission's
    own entries and bounded reads (LIMIT): the heaviest groups hold 170,000 entries at a
    million submissions, which a recount read in 12.6-16.2 s per click."""
    rng = random.Random(8)
    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    ids = [
        add_submission(
            session,
            stop,
            organisation=rng.choice(_ORGANISATIONS),
            status=ReviewStatus.REVIEWED,
            items=[{"kind": "need", "text": rng.choice(_SAID)}],
        )
        for _ in range(30)
    ]
    regroup(session)
    target = ids[7]
    if status == "back":
        review_actions.set_status(session, EVERYTHING, target, "spam", actor_id=None)
    with _statements(session) as statements:
        review_actions.set_status(
            session, EVERYTHING, target, "spam" if status == "spam" else "reviewed", actor_id=None
        )
    members = [s for s in statements if "idea_group_members" in s]
    assert members
    for statement in members:
        assert " limit " in statement or "feedback_items.submission_id =" in statement, statement
    _equal_to_a_recount(session, _stored_rows(session))


def test_a_quoted_entry_leaving_reads_only_what_can_change_the_quotes(session, monkeypatch) -> None:
    """A group of French entries from many organisations and Arabic ones from one organisation
    (spelled two ways). Its most central Arabic entry leaves (spam): the group stays quoted in
    Arabic, by that organisation's next Arabic entry, far down the group, found among that
    organisation's own entries; the group's members are read no further than the first pages.
    Then another organisation's Arabic entry is reviewed (what the kept candidates told of
    the Arabic entries no longer holds) and the first one leaves again, its review taken back:
    the group is read on. After each step the tallies equal a recount."""
    monkeypatch.setattr(tallies, "_QUOTE_PAGE", 1)  # pages of 1, then 10, then 100 members
    monkeypatch.setattr(tallies, "_QUOTE_GROW", 10)
    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    reviewed = ReviewStatus.REVIEWED
    french = [
        "Former les guides",
        "Plus de guides",
        "Des guides polyglottes",
        "Des cours de langues",
        "Former les guides aux langues",
        "Des guides pour chaque site",
    ]
    placed: list[tuple[int, float]] = []  # (submission, closeness of its entry)
    leaving = add_submission(
        session,
        stop,
        organisation="Riad Atlas",
        status=reviewed,
        items=[{"kind": "need", "text": "تكوين المرشدين"}],
    )
    placed.append((leaving, 0.99))
    for n in range(12):
        sid = add_submission(
            session,
            stop,
            organisation=f"Hôtel {n % 6}",
            status=reviewed,
            items=[{"kind": "need", "text": french[(n + n // 6) % 6]}],
        )
        placed.append((sid, 0.9 - n / 100))
    far = "مرشدون يتقنون اللغات"
    same_organisation = add_submission(
        session,
        stop,
        organisation="RIAD  atlas",
        status=reviewed,
        items=[{"kind": "need", "text": far}],
    )
    placed.append((same_organisation, 0.1))
    late = add_submission(
        session, stop, organisation="Agence Nord", items=[{"kind": "need", "text": "دروس اللغات"}]
    )
    placed.append((late, 0.5))
    with write_transaction(session):
        group = IdeaGroup(kind=ItemKind.NEED, title="Guides")
        session.add(group)
        session.flush()
        for sid, closeness in placed:
            item = session.scalar(select(FeedbackItem.id).where(FeedbackItem.submission_id == sid))
            session.add(IdeaGroupMember(item_id=item, group_id=group.id, closeness=closeness))
        session.flush()
        tallies.refresh(session)

    def quoted() -> list[str]:
        return [q.text for q in queries.group_quotes(session, EVERYTHING, [group.id])[group.id]]

    def equals_a_recount() -> None:
        _equal_to_a_recount(session, _stored_rows(session))
        session.rollback()

    assert "تكوين المرشدين" in quoted()
    with _statements(session) as statements:
        review_actions.set_status(session, EVERYTHING, leaving, "spam", actor_id=None)
    assert far in quoted()
    pages = [s for s in statements if "idea_group_members" in s and "submissions.status =" in s]
    # Region and national rows: the first page and the next (11 members of 15), never the
    # third (the group's end).
    assert pages and all(" limit " in s for s in pages)
    assert len([s for s in pages if "closeness <" in s]) == 2
    equals_a_recount()

    review_actions.set_status(session, EVERYTHING, leaving, "reviewed", actor_id=None)
    equals_a_recount()
    review_actions.set_status(session, EVERYTHING, late, "reviewed", actor_id=None)
    equals_a_recount()
    review_actions.set_status(session, EVERYTHING, leaving, "new", actor_id=None)
    equals_a_recount()
    assert "دروس اللغات" in quoted()  # the Arabic entry now most central
    review_actions.set_status(session, EVERYTHING, late, "spam", actor_id=None)
    equals_a_recount()
    assert far in quoted()
