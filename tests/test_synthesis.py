"""The synthesis service: figures per region, by category and theme, filters, scope, rows."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, select, update

from feedback_app.database import write_transaction
from feedback_app.exports.data import Synthesis
from feedback_app.extensions import db
from feedback_app.models import FeedbackItem, Region, ReviewStatus, Submission, Theme
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.errors import NotFound
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.synthesis.rows import estimate_items, fingerprint, stream_items
from tests.export_world import ARABIC_TEXT, INJECTIONS, add_submission, build_tour, mark_spam


def _region_ids(session, *slugs: str) -> frozenset[int]:
    return frozenset(session.scalars(select(Region.id).where(Region.slug.in_(slugs))))


def _figures(session, scope=EVERYTHING, **filters):
    sel = resolve(session, scope, SynthesisFilters(**filters))
    syn = synthesis(session, sel)
    return sel, syn, {r.slug: r for r in syn.regions}


def test_figures_per_region_match_the_tour(session) -> None:
    build_tour(session)
    _sel, syn, by_slug = _figures(session)

    assert [r.slug for r in syn.regions][:3] == [
        "tanger-tetouan-al-hoceima",
        "oriental",
        "fes-meknes",
    ]  # the official order
    assert len(syn.regions) == 12
    m, s, d = by_slug["marrakech-safi"], by_slug["souss-massa"], by_slug["draa-tafilalet"]
    assert (
        m.stops_held,
        m.submissions,
        *m.by_kind.values(),
        m.shortlisted,
    ) == (2, 2, 2, 1, 1, 2, 1)  # the spam submission is not counted
    kinds = s.by_kind
    assert (
        s.stops_held,
        s.submissions,
        kinds["need"],
        kinds["challenge"],
        kinds["proposal"],
        s.shortlisted,
    ) == (
        1,
        2,
        1,
        len(INJECTIONS),
        1,
        1,
    )
    assert (d.stops_held, d.submissions, d.items) == (0, 0, 0)  # a planned stop was not held
    totals = syn.totals
    assert (totals.submissions, totals.items, totals.shortlisted) == (4, 6 + 2 + len(INJECTIONS), 2)


def test_totals_agree_with_a_plain_count_of_the_database(session) -> None:
    build_tour(session)
    _sel, syn, _ = _figures(session)
    counted = [
        s for s in session.scalars(select(Submission)).all() if s.status is not ReviewStatus.SPAM
    ]
    items = [i for s in counted for i in s.items]
    assert syn.totals.submissions == len(counted)
    assert syn.totals.items == len(items)
    assert syn.totals.by_kind["proposal"] == sum(i.kind.value == "proposal" for i in items)


def test_category_split_and_top_themes(session) -> None:
    build_tour(session)
    _sel, syn, _ = _figures(session)
    assert syn.by_category["marrakech-safi"] == {"hebergement": 1, "agence_voyages": 1}
    assert syn.by_category["souss-massa"] == {"restauration": 1, "autre": 1}
    assert syn.by_category["oriental"] == {}
    assert syn.categories[0][0] == "hebergement"
    needs = syn.top_themes["need"]
    assert (needs[0].code, needs[0].count, needs[0].label) == (
        "formation-rh",
        3,
        "Formation et ressources humaines",
    )
    assert [t.code for t in syn.top_themes["opportunity"]] == ["digitalisation"]
    assert syn.top_themes["challenge"] == ()


def test_labels_follow_the_language(session) -> None:
    build_tour(session)
    sel = resolve(session, EVERYTHING, SynthesisFilters(), language="ar")
    syn = synthesis(session, sel)
    first = session.scalar(select(Region).order_by(Region.position))
    assert syn.regions[0].name == first.name_ar != first.name_fr
    assert syn.top_themes["need"][0].label == "التكوين والموارد البشرية"


def test_synthesis_counts_in_sql_with_a_fixed_number_of_queries(app, session) -> None:
    build_tour(session)
    for _ in range(5):
        add_submission(session, session.scalar(select(Submission.stop_id)))

    def selects(filters: SynthesisFilters) -> tuple[list[str], Synthesis]:
        sel = resolve(session, EVERYTHING, filters)
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            syn = synthesis(session, sel)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return [s for s in statements if s.lstrip().upper().startswith("SELECT")], syn

    # All time: the stops' running counts, then the stops held (GROUP BY each).
    tallied, from_counts = selects(SynthesisFilters())
    assert len(tallied) == 2 and "stop_tallies" in tallied[0]
    assert all("GROUP BY" in s.upper() for s in tallied)
    # A period: submissions, kinds, categories, themes, stops: GROUP BY each over the rows.
    counted, from_rows = selects(
        SynthesisFilters(since=dt.date(2000, 1, 1), until=dt.date(2100, 1, 1))
    )
    assert len(counted) == 5
    assert all("GROUP BY" in s.upper() for s in counted)
    assert from_counts == from_rows  # every figure the same, whichever way it was counted


def test_a_delegate_sees_only_their_regions(session) -> None:
    tour = build_tour(session)
    scope = Scope(user_id=7, region_ids=_region_ids(session, "souss-massa"))
    sel, syn, by_slug = _figures(session, scope)
    assert list(by_slug) == ["souss-massa"]
    assert syn.totals.submissions == 2
    rows = list(stream_items(session, sel))
    assert {r.region for r in rows} == {"souss-massa"}
    with pytest.raises(NotFound):
        resolve(session, scope, SynthesisFilters(region_slugs=("marrakech-safi",)))
    with pytest.raises(NotFound):  # another region's stop is as unknown as a missing one
        resolve(session, scope, SynthesisFilters(stop_ids=(tour.stops["marrakech"],)))
    with pytest.raises(NotFound):
        resolve(session, EVERYTHING, SynthesisFilters(region_slugs=("atlantide",)))


def test_filters_on_regions_stops_dates_and_status(session) -> None:
    tour = build_tour(session)
    _sel, syn, by_slug = _figures(session, region_slugs=("souss-massa", "marrakech-safi"))
    assert list(by_slug) == ["marrakech-safi", "souss-massa"]  # official order, not asked order

    _sel, syn, by_slug = _figures(session, stop_ids=(tour.stops["essaouira"],))
    assert list(by_slug) == ["marrakech-safi"]  # the stop's region only
    assert (by_slug["marrakech-safi"].submissions, by_slug["marrakech-safi"].stops_held) == (1, 1)

    _sel, syn, _ = _figures(session, since=dt.date(2025, 1, 11), until=dt.date(2025, 1, 12))
    assert syn.totals.submissions == 1  # Essaouira's, on the 12th
    assert syn.totals.stops_held == 1

    _sel, syn, _ = _figures(session, statuses=("new",))
    assert syn.totals.submissions == 2  # m1 and the formula-looking one; never spam
    _sel, syn, _ = _figures(session, statuses=("spam",))  # asking for spam gives the default
    assert syn.totals.submissions == 4


def test_dates_are_local_days(session) -> None:
    tour = build_tour(session)
    # 23:30 UTC on 9 January is already 10 January in Morocco (UTC+1).
    add_submission(
        session, tour.stops["marrakech"], created_at=dt.datetime(2025, 1, 9, 23, 30, tzinfo=dt.UTC)
    )
    _sel, syn, _ = _figures(session, since=dt.date(2025, 1, 10), until=dt.date(2025, 1, 10))
    assert syn.totals.submissions == 2
    sel = resolve(
        session,
        EVERYTHING,
        SynthesisFilters(since=dt.date(2025, 1, 10), until=dt.date(2025, 1, 10)),
    )
    assert {r.date for r in stream_items(session, sel)} == {dt.date(2025, 1, 10)}


def test_rows_come_in_region_order_without_spam_and_with_consented_contacts(session) -> None:
    build_tour(session)
    sel = resolve(session, EVERYTHING, SynthesisFilters())
    rows = list(stream_items(session, sel, chunk=3))
    assert len(rows) == estimate_items(session, sel) == 19
    assert [r.region for r in rows] == sorted(
        (r.region for r in rows), key=["marrakech-safi", "souss-massa"].index
    )
    assert not any("SPAM" in r.text or "SPAM" in r.organisation for r in rows)
    by_org = {r.organisation: r for r in rows}
    assert by_org["Riad Dar Atlas"].person_name == "Fatima Consentante"
    assert by_org["Mogador Voyages"].person_name is None  # no consent, no contact
    assert by_org["Mogador Voyages"].email is None
    assert ARABIC_TEXT in {r.text for r in rows}
    hidden = list(stream_items(session, sel, include_contacts=False))
    assert all(r.person_name is None and r.email is None for r in hidden)


def test_fingerprint_moves_with_every_review_change(session) -> None:
    tour = build_tour(session)
    sel = resolve(session, EVERYTHING, SynthesisFilters())
    first = fingerprint(session, sel)
    assert fingerprint(session, sel) == first  # nothing changed, nothing moves

    mark_spam(session, tour.submissions["m2"])
    second = fingerprint(session, sel)
    assert second != first

    # A shortlist or theme change made without touching the submission still shows.
    with write_transaction(session):
        session.execute(
            update(FeedbackItem)
            .where(
                FeedbackItem.submission_id == tour.submissions["s1"], FeedbackItem.kind == "need"
            )
            .values(shortlisted=True)
        )
    third = fingerprint(session, sel)
    assert third != second
    with write_transaction(session):
        theme = session.scalar(select(Theme).where(Theme.code == "durabilite"))
        theme.name_fr = "Tourisme durable"
    assert fingerprint(session, sel) != third  # a renamed theme changes the workbook too
