"""The synthesis of recurring ideas as an analyst would write it: titles without filler in the
reader's language, representative quotes, and the national map (issue 23, items 3, 4 and 6)."""

from __future__ import annotations

from collections import Counter

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from feedback_app.database import write_transaction
from feedback_app.exports.data import IdeaTitles
from feedback_app.models import (
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Region,
    ReviewStatus,
    Role,
)
from feedback_app.services.access import EVERYTHING, Scope
from feedback_app.services.ideas import curation as idea_curation
from feedback_app.services.ideas import queries
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.quotes import Candidate, QuoteCandidates, chosen_again, pick_quotes
from feedback_app.services.ideas.text import short_title, strip_filler
from feedback_app.services.synthesis import brief, live
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve
from feedback_app.services.synthesis.idea_map import idea_map, reach
from tests.export_world import add_submission
from tests.staff import add_stop, make_user, session_for
from tests.test_export import _export

# ---------------------------------------------------------------------------------------------
# Filler rules: what people write before and after the idea (table-driven).

FILLER = [
    # (typed, automatic title)
    ("Pour nous, Le manque de guides.", "Le manque de guides"),
    ("Il faut : Forte saisonnalité", "Forte saisonnalité"),
    ("À Fès, Des panneaux manquent !", "Des panneaux manquent"),
    ("A Marrakech, des vols directs", "Des vols directs"),
    ("À Béni Mellal : un office du tourisme", "Un office du tourisme"),
    ("Au Maroc, la promotion est faible", "La promotion est faible"),
    ("Pour nous, il faut former les guides...", "Former les guides"),
    ("Selon moi, la signalétique", "La signalétique"),
    ("À notre avis : plus de vols", "Plus de vols"),
    ("Nous avons besoin d'un aéroport", "Un aéroport"),
    ("Nous demandons des formations", "Des formations"),
    ("Nous pensons qu'il faut plus de vols", "Plus de vols"),
    ("Il faudrait que l'office aide les riads", "L'office aide les riads"),
    ("Il est nécessaire de former", "Former"),
    ("Besoin : des guides?", "Des guides"),
    ("Proposition : un salon régional;", "Un salon régional"),
    ("- Des guides formés", "Des guides formés"),
    ("1) Des guides formés", "Des guides formés"),
    ("   Des   guides\nformés  ", "Des guides formés"),
    ("Des guides formés…", "Des guides formés"),
    ("بالنسبة لنا، تكوين المرشدين.", "تكوين المرشدين"),
    ("بالنسبة لنا تكوين المرشدين", "تكوين المرشدين"),
    ("يجب تكوين المرشدين", "تكوين المرشدين"),
    ("يجب أن نكوّن المرشدين؟", "نكوّن المرشدين"),
    ("نحن نحتاج إلى طرق جيدة", "طرق جيدة"),
    ("نحن: طرق جيدة!", "طرق جيدة"),
    ("نطالب بتكوين المرشدين", "بتكوين المرشدين"),
    ("في رأينا، الترويج ضعيف", "الترويج ضعيف"),
    ("من الضروري تحسين الطرق", "تحسين الطرق"),
    ("في مدينة فاس، لوحات الإرشاد", "لوحات الإرشاد"),
    ("ينبغي تحسين الطرق؛", "تحسين الطرق"),
    # What is not filler stays.
    ("À court terme, former les guides", "À court terme, former les guides"),
    ("Aéroport de Fès trop petit", "Aéroport de Fès trop petit"),
    ("Il faut.", "Il faut"),  # nothing left after the filler: keep the words
    ("Former les guides (anglais, chinois)", "Former les guides (anglais, chinois)"),
    ("Les « petits taxis »", "Les « petits taxis »"),
    ("نحن", "نحن"),
    ("الترويج الرقمي ضعيف", "الترويج الرقمي ضعيف"),
]


@pytest.mark.parametrize(("typed", "title"), FILLER)
def test_filler_and_trailing_punctuation_are_removed(typed: str, title: str) -> None:
    assert strip_filler(typed) == title
    assert short_title(typed) == title


def test_a_long_title_is_cut_after_the_filler_is_gone() -> None:
    cut = short_title("Pour nous, " + "former les guides " * 20)
    assert cut.startswith("Former les guides") and cut.endswith("…") and len(cut) <= 120


# ---------------------------------------------------------------------------------------------
# A small world: one group said in French (Marrakech) and Arabic (Souss), one in French only.

FR_CENTRAL = "Pour nous, il faut renforcer la promotion digitale de la destination."
FR_OTHER = "La promotion en ligne de la région reste insuffisante"
AR_CENTRAL = "يجب تعزيز الترويج الرقمي للوجهة."
AR_OTHER = "الترويج الرقمي للجهة ضعيف"
FR_TITLE = "Renforcer la promotion digitale de la destination"
AR_TITLE = "تعزيز الترويج الرقمي للوجهة"
SIGNS = ("À Marrakech, installer des panneaux vers les sites", "Des panneaux vers les sites")


def _items(session, submission_id: int) -> list[int]:
    return list(
        session.scalars(select(FeedbackItem.id).where(FeedbackItem.submission_id == submission_id))
    )


def _replace_groups(
    session, groups: list[list[tuple[int, float]]], kind=ItemKind.NEED
) -> list[int]:
    """Regroup once (stamping the data as current), then put exactly these groups in place,
    pinned as a person's decisions are: what follows reads them as they are."""
    regroup(session)
    ids = []
    with write_transaction(session):
        session.execute(delete(IdeaGroupMember))
        session.execute(delete(IdeaGroup))
        for members in groups:
            group = IdeaGroup(kind=kind, title="automatic", confirmed=True)
            session.add(group)
            session.flush()
            ids.append(group.id)
            session.add_all(
                IdeaGroupMember(item_id=item, group_id=group.id, pinned=True, closeness=close)
                for item, close in members
            )
        idea_tallies.refresh(session, ids)  # as the curation that made them would
    return ids


@pytest.fixture
def bilingual(session):
    marrakech = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    agadir = add_stop(session, "Agadir", "souss-massa", venue="Salle").id
    reviewed = ReviewStatus.REVIEWED

    def said(stop: int, organisation: str, text: str, status=reviewed) -> int:
        sub = add_submission(
            session,
            stop,
            organisation=organisation,
            status=status,
            items=[{"kind": "need", "text": text}],
        )
        return _items(session, sub)[0]

    promo = [
        (said(marrakech, "Riad Atlas", FR_CENTRAL), 0.9),
        (said(marrakech, "riad  ATLAS", FR_OTHER), 0.85),  # the same organisation
        (said(agadir, "Hôtel Souss", AR_CENTRAL), 0.8),
        (said(agadir, "Agence Sud", AR_OTHER), 0.4),
        (said(marrakech, "Agence Nouvelle", FR_OTHER + " encore", ReviewStatus.NEW), 0.6),
        (said(agadir, "Spam SARL", AR_OTHER + " !!", ReviewStatus.SPAM), 0.99),
        (said(marrakech, "Riad Contact", "Appelez-moi au 0612345678 pour la promotion"), 0.97),
    ]
    signs = [(said(marrakech, f"Agence {n}", text), 0.9 - n / 10) for n, text in enumerate(SIGNS)]
    promo_id, signs_id = _replace_groups(session, [promo, signs])
    return {"promo": promo_id, "signs": signs_id, "marrakech": marrakech, "agadir": agadir}


def _region_scope(session, slug: str) -> Scope:
    region_id = session.scalar(select(Region.id).where(Region.slug == slug))
    return Scope(user_id=None, region_ids=frozenset({region_id}))


def test_each_reader_reads_the_title_in_their_language(session, bilingual) -> None:
    promo = bilingual["promo"]
    french = queries.group_summary(session, EVERYTHING, promo, language="fr")
    arabic = queries.group_summary(session, EVERYTHING, promo, language="ar")
    # The most central member of each language, without its filler; never the other language.
    assert french.title == FR_TITLE and arabic.title == AR_TITLE
    assert french.titles == arabic.titles == IdeaTitles(fr=FR_TITLE, ar=AR_TITLE)
    assert french.titles.other("fr") == AR_TITLE  # on hover
    # English readers read the French title (the source language).
    assert queries.group_summary(session, EVERYTHING, promo, language="en").title == FR_TITLE


def test_a_group_with_nothing_in_a_language_says_so(app, session, bilingual) -> None:
    signs = queries.group_summary(session, EVERYTHING, bilingual["signs"], language="ar")
    assert signs.titles.ar == "" and signs.titles.fr == "Installer des panneaux vers les sites"
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    hq = session_for(app, session, "siege@example.ma")
    page = hq.get(f"/review/ideas/{bilingual['signs']}?lang=ar").get_data(as_text=True)
    assert "لا توجد فكرة بالعربية" in page  # "no idea in Arabic", in the page's language
    french = hq.get(f"/review/ideas/{bilingual['promo']}?lang=fr").get_data(as_text=True)
    assert f'title="{AR_TITLE}">{FR_TITLE}</span>' in french  # the other language on hover


def test_titles_follow_the_language_everywhere_and_a_persons_title_wins(
    app, session, bilingual
) -> None:
    promo = bilingual["promo"]
    marrakech = _region_scope(session, "marrakech-safi")
    souss = _region_scope(session, "souss-massa")

    def brief_titles(scope: Scope, language: str) -> list[IdeaTitles]:
        ideas = brief.region_brief(session, scope, None, language=language).ideas["need"]
        return [i.titles for i in ideas]

    def workbook_titles(language: str, column: str, other: str) -> dict[str, str]:
        book = openpyxl.load_workbook(_export(app, session, EVERYTHING, language=language).path)
        sheet = book.worksheets[1]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        header = list(rows[0])
        return {r[header.index(column)]: r[header.index(other)] for r in rows[1:]}

    # HQ's French workbook and Marrakech's French brief: the French title, Arabic beside it.
    assert workbook_titles("fr", "Idée", "Idée (en arabe)")[FR_TITLE] == AR_TITLE
    assert brief_titles(marrakech, "fr")[0].shown("fr") == FR_TITLE
    # The Arabic workbook and Souss's Arabic brief: the Arabic title, French beside it.
    assert workbook_titles("ar", "الفكرة", "الفكرة (بالفرنسية)")[AR_TITLE] == FR_TITLE
    assert brief_titles(souss, "ar")[0].shown("ar") == AR_TITLE
    # Souss said it in Arabic only: its French brief says so rather than show Arabic silently.
    souss_fr = brief.region_brief(session, souss, None, language="fr")
    assert souss_fr.ideas["need"][0].titles.shown("fr") == ""
    # The live screen: each stop's own entries, each half in its language.
    assert [
        (i.fr, i.ar) for i in live.stop_ideas(session, bilingual["agadir"], unreviewed=True)
    ] == [("", AR_TITLE)]
    # A person's title wins over both automatic ones, for every reader.
    idea_curation.rename_group(session, EVERYTHING, promo, "Promotion numérique", actor_id=None)
    for language in ("fr", "ar"):
        assert queries.group_summary(session, EVERYTHING, promo, language=language).title == (
            "Promotion numérique"
        )
    assert "Promotion numérique" in workbook_titles("ar", "الفكرة", "الفكرة (بالفرنسية)")


# ---------------------------------------------------------------------------------------------
# Quotes: verbatim, distinct organisations, both languages, reviewed only, no contact details.


def test_quotes_are_picked_from_distinct_organisations_in_both_languages() -> None:
    candidates = [
        ("Former   les guides\n aux langues", "Riad Atlas"),
        ("Des guides qui parlent chinois", "RIAD  atlas"),  # same organisation
        ("Former les guides aux langues", "Hôtel Sud"),  # the same words as the first
        ("Plus de guides polyglottes", "Agence Nord"),
        ("Écrivez à guide@example.ma", "Agence Mail"),  # personal data: never quoted
        ("تكوين المرشدين في اللغات", "فندق الأطلس"),
    ]
    quotes = pick_quotes(candidates)
    assert [(q.text, q.language) for q in quotes] == [
        ("Former les guides aux langues", "fr"),  # spacing tidied, nothing else
        ("Plus de guides polyglottes", "fr"),
        ("تكوين المرشدين في اللغات", "ar"),  # the Arabic one although it is the least central
    ]
    assert len(pick_quotes(candidates, limit=1)) == 1
    assert pick_quotes([("Appelez le +212 6 12 34 56 78", "X")]) == ()


# Texts and organisations that collide the ways pick_quotes compares them: the same words
# spaced differently, organisations equal once folded, both languages, personal data, blanks.
QUOTE_TEXTS = [
    "Former les guides",
    "Former  les\nguides",
    "Plus de guides",
    "Des guides polyglottes",
    "Des cours de langues",
    "Former les guides aux langues",
    "تكوين المرشدين",
    "تكوين  المرشدين",
    "مرشدون يتقنون اللغات",
    "دروس اللغات للمرشدين",
    "Guides: تكوين المرشدين في اللغات",
    "Écrivez à guide@example.ma",
    "Appelez le 0612345678",
    "   ",
]
QUOTE_ORGANISATIONS = ["Riad Atlas", "RIAD  atlas", "Hôtel Sud", "Agence Nord", "فندق الأطلس", "X"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(QUOTE_TEXTS), st.sampled_from(QUOTE_ORGANISATIONS)),
        max_size=30,
    )
)
# The third quote is the third entry of words already quoted by two organisations' entries
# ("Plus de guides") or the third entry of an organisation whose other two were ruled out by
# their words ("Agence Nord").
@example(
    [
        ("Former les guides", "Riad Atlas"),
        ("تكوين المرشدين", "Hôtel Sud"),
        ("Plus de guides", "Riad Atlas"),
        ("Plus de guides", "Hôtel Sud"),
        ("Plus de guides", "Agence Nord"),
    ]
)
@example(
    [
        ("Former les guides", "Riad Atlas"),
        ("تكوين المرشدين", "فندق الأطلس"),
        ("Former les guides", "Agence Nord"),
        ("تكوين المرشدين", "Agence Nord"),
        ("Plus de guides", "Agence Nord"),
    ]
)
def test_the_few_kept_candidates_give_the_quotes_of_all(candidates) -> None:
    """What the tallies keep per group and region (QuoteCandidates) is quoted exactly as the
    whole list of candidates would be."""
    kept = QuoteCandidates()
    for text, organisation in candidates:
        kept.offer(text, organisation)
    assert kept.quotes() == pick_quotes(candidates)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),  # reviewed (joins the candidates) or taken back (leaves them)
            st.integers(0, 40),  # which entry: its rank by closeness
            st.sampled_from(QUOTE_TEXTS),
            st.sampled_from(QUOTE_ORGANISATIONS),
        ),
        max_size=40,
    )
)
def test_candidates_kept_through_reviews_give_the_quotes_of_all(reviews) -> None:
    """As services/ideas/tallies.review_changed keeps them: an entry reviewed joins the kept
    candidates without the others being read; one taken back changes nothing unless it was
    kept (then the group's candidates are chosen again from every entry)."""
    entries: dict[int, tuple[str, str]] = {}
    kept = QuoteCandidates()
    for joins, rank, text, organisation in reviews:
        where = (1.0 - rank / 100, rank)
        if joins and rank not in entries:
            entries[rank] = (text, organisation)
            kept.add(text, organisation, where)
        elif not joins and rank in entries:
            del entries[rank]
            if any(w == where for _t, _o, w in kept.kept):
                kept = QuoteCandidates()
                for r in sorted(entries):
                    kept.offer(*entries[r], (1.0 - r / 100, r))
        every = [entries[r] for r in sorted(entries)]
        assert kept.quotes() == pick_quotes(every)
        assert QuoteCandidates.of(kept.kept).quotes() == kept.quotes()  # as stored and read


def _central_first(where: tuple[float, int]) -> tuple[float, int]:
    return (-where[0], where[1])


# Enough organisations that the first entries read rule out every later one but the languages'.
LEAVING_ORGANISATIONS = [*QUOTE_ORGANISATIONS, "Dar Y", "Hôtel Nord", "Z"]


# French entries of six organisations: the first pages read close the matched clause.
_FRENCH_FIRST = [
    ("Hôtel Sud", [(2, "Plus de guides"), (3, "Des guides polyglottes")]),
    ("Agence Nord", [(4, "Des cours de langues")]),
    ("X", [(5, "Former les guides aux langues")]),
    ("Dar Y", [(6, "Des guides polyglottes")]),
    ("Z", [(7, "Former les guides")]),
    ("Hôtel Nord", [(8, "Plus de guides"), (9, "Des cours de langues")]),
]
_ALL_JOIN = [(True, s) for s in range(8)]


@settings(max_examples=600, deadline=None)
@given(
    st.lists(  # submissions: an organisation (spelled several ways), 1-3 entries (rank, text)
        st.tuples(
            st.sampled_from(LEAVING_ORGANISATIONS),
            st.lists(
                st.tuples(st.integers(0, 30), st.sampled_from(QUOTE_TEXTS)), min_size=1, max_size=3
            ),
        ),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.tuples(st.booleans(), st.integers(0, 19)), max_size=50),  # reviewed or left
    st.integers(1, 4),  # the first page read (then twice as many each page)
    st.booleans(),  # the entries' texts counted (a tally row keeps them while few)
)
@example(  # the only Arabic organisation leaves; its next Arabic entry, far, is looked up
    [
        ("Riad Atlas", [(0, "Former les guides"), (1, "تكوين المرشدين")]),
        ("RIAD  atlas", [(29, "مرشدون يتقنون اللغات")]),
        *_FRENCH_FIRST,
    ],
    [*_ALL_JOIN, (False, 0)],
    1,
    False,
)
@example(  # a first Arabic entry of two organisations leaves: the third is read, far
    [
        ("Riad Atlas", [(0, "تكوين المرشدين")]),
        ("فندق الأطلس", [(1, "دروس اللغات للمرشدين")]),
        *_FRENCH_FIRST,
        ("Hôtel Sud", [(29, "مرشدون يتقنون اللغات")]),
    ],
    [*_ALL_JOIN, (True, 8), (False, 0)],
    1,
    False,
)
@example(  # the first French entry leaves, the Arabic ones close the matched clause: read on
    [
        ("Riad Atlas", [(0, "Former les guides")]),
        ("فندق الأطلس", [(1, "تكوين المرشدين")]),
        ("Hôtel Sud", [(2, "مرشدون يتقنون اللغات")]),
        ("Agence Nord", [(3, "دروس اللغات للمرشدين")]),
        ("X", [(4, "Guides: تكوين المرشدين في اللغات")]),
        ("Dar Y", [(5, "توفير مرشدين في كل موقع")]),
        ("Z", [(6, "تكوين المرشدين"), (7, "دروس اللغات للمرشدين")]),
        ("Hôtel Nord", [(29, "Plus de guides")]),
    ],
    [*_ALL_JOIN, (False, 0)],
    1,
    False,
)
@example(  # one text said by eight organisations, another far: the texts counted end the read
    [
        *((name, [(n, "تكوين المرشدين")]) for n, name in enumerate(LEAVING_ORGANISATIONS)),
        ("Dar Y", [(29, "دروس اللغات للمرشدين")]),
    ],
    [*((True, s) for s in range(10)), (False, 0), (False, 9), (True, 9), (False, 2)],
    1,
    True,
)
def test_candidates_chosen_again_when_a_submission_leaves_are_those_of_every_entry(
    submissions, steps, page, counted
) -> None:
    """As services/ideas/tallies chooses them again when a submission whose entries were kept
    leaves (spam, or its review taken back): read by pages, the read ending as soon as the kept
    candidates tell what is left (the first French entry, the first Arabic entries of two
    organisations, the leaving organisation's next Arabic entry looked up among its own; or,
    the texts counted, once every text left is ruled out). The candidates are exactly those a
    read of every entry keeps, through reviews joining at any rank in between (which may make
    what the kept ones told wrong), whatever the languages."""
    where = {}
    for s, (_organisation, texts) in enumerate(submissions):
        for n, (rank, _text) in enumerate(texts):
            where[s, n] = (1.0 - rank / 100, len(where) + 1)
    reviewed: set[int] = set()
    kept = QuoteCandidates()

    def every() -> list[Candidate]:
        return sorted(
            (
                (text, submissions[s][0], where[s, n])
                for s in reviewed
                for n, (_rank, text) in enumerate(submissions[s][1])
            ),
            key=lambda c: _central_first(c[2]),
        )

    for joins, index in steps:
        s = index % len(submissions)
        organisation, texts = submissions[s]
        own = [(text, organisation, where[s, n]) for n, (_rank, text) in enumerate(texts)]
        if joins and s not in reviewed:
            reviewed.add(s)
            for candidate in own:
                kept.add(*candidate)
        elif not joins and s in reviewed:
            reviewed.discard(s)
            items = {w[1] for _t, _o, w in own}
            if any(w[1] in items for _t, _o, w in kept.kept):
                left = every()
                rest = QuoteCandidates.of(kept.kept).left_by(items, organisation)
                if rest.ask is not None:
                    rest.next_of(left)  # the look-up filters the organisation folded

                def read(after, limit, left=left):  # type: ignore[no-untyped-def]
                    later = [
                        c
                        for c in left
                        if after is None or _central_first(c[2]) > _central_first(after)
                    ]
                    return later[:limit], later[limit - 1][2] if len(later) >= limit else None

                texts = Counter(text for text, _o, _w in left) if counted else None
                kept = chosen_again(read, rest, texts, page, grow=2)
                whole = QuoteCandidates()
                for candidate in left:
                    whole.offer(*candidate)
                assert kept.kept == whole.kept
        assert kept.quotes() == pick_quotes((t, o) for t, o, _w in every())


def test_quotes_on_the_group_page_the_brief_and_the_ideas_sheet(app, session, bilingual) -> None:
    detail = queries.group_detail(session, EVERYTHING, bilingual["promo"])
    texts = [q.text for q in detail.quotes]
    # Reviewed entries only (not the new one, not the spam, not the one with a phone number),
    # one per organisation ("riad  ATLAS" is Riad Atlas), both languages.
    assert texts == [FR_CENTRAL, AR_CENTRAL, AR_OTHER]
    souss = brief.region_brief(session, _region_scope(session, "souss-massa"), None, language="fr")
    assert [q.text for q in souss.ideas["need"][0].quotes] == [AR_CENTRAL, AR_OTHER]
    book = openpyxl.load_workbook(_export(app, session, EVERYTHING).path)
    rows = list(book["Idées récurrentes"].iter_rows(min_row=2, values_only=True))
    header = list(rows[0])
    promo = next(r for r in rows[1:] if r[header.index("N°")] == bilingual["promo"])
    assert [promo[header.index(f"Citation {n}")] for n in (1, 2, 3)] == texts
    sheet = [c for row in book["Bilan Souss-Massa"].iter_rows(values_only=True) for c in row if c]
    assert f"Citations : « {AR_CENTRAL} » · « {AR_OTHER} »" in sheet
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    page = session_for(app, session, "siege@example.ma").get(f"/review/ideas/{bilingual['promo']}")
    html = page.get_data(as_text=True)
    assert f'<q lang="ar" dir="auto">{AR_CENTRAL}</q>' in html
    assert "0612345678" not in html.split('class="quotes"')[1].split("</ul>")[0]


# ---------------------------------------------------------------------------------------------
# The map: regions, organisations, entries and lift on a world small enough to count by hand.


@pytest.fixture
def three_regions(session):
    stops = {
        slug: add_stop(session, city, slug, venue="Salle").id
        for slug, city in (
            ("marrakech-safi", "Marrakech"),
            ("souss-massa", "Agadir"),
            ("fes-meknes", "Fès"),
        )
    }
    counter = iter(range(1000))

    def needs(slug: str, organisation: str, count: int, text: str = "") -> list[int]:
        found = []
        for _n in range(count):
            n = next(counter)
            sub = add_submission(
                session,
                stops[slug],
                organisation=organisation,
                status=ReviewStatus.REVIEWED,
                items=[{"kind": "need", "text": text or f"Sujet {n} {'xyz' * (n % 7)} q{n * 37}"}],
            )
            found += _items(session, sub)
        return found

    national = (
        needs("marrakech-safi", "Riad A", 1, "Plus de vols directs")
        + needs("marrakech-safi", "Riad B", 1, "Plus de vols directs vers Marrakech")
        + needs("souss-massa", "Hôtel C", 1, "Des vols directs")
        + needs("souss-massa", "Hôtel D", 1, "Vols directs depuis l'Europe")
        + needs("fes-meknes", "Agence E", 1, "Des vols directs vers Fès")
        + needs("fes-meknes", "Agence F", 1, "Plus de vols")
    )
    regional = (
        needs("marrakech-safi", "Riad G", 2, "Désengorger la médina")
        + needs("marrakech-safi", "riad  g", 1, "Désengorger la médina")  # same organisation
        + needs("marrakech-safi", "Riad H", 1, "Moins de circulation dans la médina")
        + needs("fes-meknes", "Agence I", 1, "La médina est saturée")
    )
    alone = needs("souss-massa", "Camping J", 2, "Des douches au camping")
    # Everything else said, so that each region's share of the nation's needs is known:
    # Marrakech 10, Souss 10, Fès 20 (40 in all).
    needs("marrakech-safi", "Autre M", 10 - 2 - 4)
    needs("souss-massa", "Autre S", 10 - 2 - 2)
    needs("fes-meknes", "Autre F", 20 - 2 - 1)
    groups = _replace_groups(
        session, [[(i, 0.5) for i in ids] for ids in (national, regional, alone)]
    )
    return dict(zip(("national", "regional", "alone"), groups, strict=True))


def test_the_map_counts_regions_organisations_and_lift(session, three_regions) -> None:
    sel = resolve(session, EVERYTHING, SynthesisFilters(), language="fr")
    found = idea_map(session, sel)
    # The columns: the regions heard, in the official order.
    assert [slug for slug, _name in found.regions] == [
        "fes-meknes",
        "marrakech-safi",
        "souss-massa",
    ]
    rows = {r.number: r for r in found.rows}
    # Widest first, then heaviest.
    assert [r.number for r in found.rows] == [
        three_regions["national"],
        three_regions["regional"],
        three_regions["alone"],
    ]
    national = rows[three_regions["national"]]
    assert (national.breadth, national.items, national.organisations) == (3, 6, 6)
    assert national.reach == "national"
    # Marrakech: 2 of the group's 6 entries, 10 of the nation's 40: (2/6) / (10/40) = 1.33.
    marrakech = national.cells["marrakech-safi"]
    assert (marrakech.items, marrakech.organisations, marrakech.lift) == (2, 2, 1.33)
    assert national.cells["fes-meknes"].lift == 0.67 and not any(
        c.marked for c in national.cells.values()
    )
    regional = rows[three_regions["regional"]]
    medina = regional.cells["marrakech-safi"]
    # 4 of its 5 entries in Marrakech, from 2 organisations ("riad  g" is Riad G): lift 3.2.
    assert (medina.items, medina.organisations, medina.lift, medina.marked) == (4, 2, 3.2, True)
    assert regional.cells["fes-meknes"].lift == 0.4 and not regional.cells["fes-meknes"].marked
    alone = rows[three_regions["alone"]]
    # Said twice in one region by one organisation: that region's own, but no mark.
    assert alone.reach == "regional" and alone.breadth == 1
    assert alone.cells["souss-massa"].lift == 4.0 and not alone.cells["souss-massa"].marked


def test_reach_by_breadth() -> None:
    assert [reach(b, 12) for b in (1, 2, 5, 6, 12)] == [
        "regional",
        "several",
        "several",
        "national",
        "national",
    ]
    assert reach(2, 2) == "national" and reach(1, 1) == "regional"


def test_the_map_page_and_sheet(app, session, three_regions) -> None:
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    make_user(session, "obs@example.ma", role=Role.OBSERVER, regions=("souss-massa",))
    make_user(session, "delegue@example.ma", regions=("souss-massa",))
    hq = session_for(app, session, "siege@example.ma")
    page = hq.get("/hq/ideas/map?lang=ar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<html lang="ar" dir="rtl">' in html
    assert "مراكش آسفي" in html and "فاس مكناس" in html  # the columns, in Arabic
    assert html.count("▲</span>") == 1  # the medina, in Marrakech
    observer = session_for(app, session, "obs@example.ma").get("/hq/ideas/map")
    seen = observer.get_data(as_text=True)
    # A regional observer's map: their region's column only, and what was said twice there.
    assert observer.status_code == 200 and "Souss-Massa" in seen and "Marrakech-Safi" not in seen
    delegate = session_for(app, session, "delegue@example.ma")
    assert delegate.get("/hq/ideas/map").status_code == 403

    book = openpyxl.load_workbook(_export(app, session, EVERYTHING).path)
    sheet = book["Carte des idées"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    header = list(rows[0])
    assert header[:7] == [
        "N°",
        "Idée",
        "Idée (en arabe)",
        "Type",
        "Portée",
        "Régions (nombre)",
        "Organisations",
    ]
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert [r[0] for r in rows[1:]] == [
        three_regions["national"],
        three_regions["regional"],
        three_regions["alone"],
    ]
    medina = by_number[three_regions["regional"]]
    assert medina["Marrakech-Safi"] == 2 and medina["Fès-Meknès"] == 1
    assert medina["Souss-Massa"] is None and medina["Portée"] == "Nationale"
    assert by_number[three_regions["alone"]]["Portée"] == "Une région"
    # The mark is in the cell's number format: the value stays a number.
    marked = next(
        c
        for c in sheet[5]  # the header is row 3, then the national idea, then the medina
        if c.value == 2 and "▲" in (c.number_format or "")
    )
    assert marked.data_type == "n"
