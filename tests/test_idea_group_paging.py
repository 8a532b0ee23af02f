"""A group's own page lists its members a page at a time, most typical first: the heaviest
groups hold tens of thousands of entries. Counts come from the kept tallies, a delegate reads
their region's members only on every page, and the split form works from any page."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    IdeaGroupMember,
    Region,
    ReviewStatus,
    Submission,
    User,
)
from feedback_app.review import ideas as idea_pages
from feedback_app.services.access import EVERYTHING, scope_for
from feedback_app.services.ideas import tallies
from feedback_app.services.review import signoff
from feedback_app.services.review.actions import set_status
from tests.staff import add_stop, csrf_for, submission_at

PER_PAGE = 3
# (stop, organisation, closeness) of the entries added to region A's group: ties on closeness
# (ranked by item), organisations said twice, region B's entries in between.
ADDED = (
    ("a", "Riad Atlas", 0.9),
    ("a", "Riad Atlas", 0.9),
    ("a", "Agence Sud", 0.8),
    ("a", "Hôtel Oasis", 0.7),
    ("a", "Hôtel Oasis", 0.7),
    ("a", "Coopérative Argan", 0.5),
    ("a", "Riad Atlas", 0.3),
    ("b", "Organisation B-Marrakech", 0.95),
    ("b", "Organisation B-Essaouira", 0.85),
    ("b", "Organisation B-Marrakech", 0.6),
    ("b", "Organisation B-Tiznit", 0.2),
)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idea_pages, "MEMBERS_PER_PAGE", PER_PAGE)


def _add_members(session, group: int, code: str, added) -> list[int]:
    """Entries said at the stop `code` by (organisation, closeness), made members of the group."""
    items = []
    for organisation, closeness in added:
        said = submission_at(session, code, organisation, f"Guides {uuid.uuid4().hex[:6]}")
        item_id = said.items[0].id
        with write_transaction(session):
            session.add(IdeaGroupMember(item_id=item_id, group_id=group, closeness=closeness))
        items.append(item_id)
    with write_transaction(session):
        tallies.refresh(session, [group])
    return items


@pytest.fixture
def big_group(session, world) -> int:
    """Region A's group with 9 entries of region A and 4 of region B (13 in all)."""
    group = world.ids["group_a"]
    codes = {"a": world.ids["code_a"], "b": world.ids["code_b"]}
    for stop, organisation, closeness in ADDED:
        _add_members(session, group, codes[stop], [(organisation, closeness)])
    return group


def _expected(session, group: int, region: str | None) -> list[int]:
    """The group's members outside spam (of one region, or all), most central first."""
    query = (
        select(IdeaGroupMember.item_id)
        .join(FeedbackItem, FeedbackItem.id == IdeaGroupMember.item_id)
        .join(Submission, Submission.id == FeedbackItem.submission_id)
        .where(IdeaGroupMember.group_id == group, Submission.status != ReviewStatus.SPAM)
        .order_by(IdeaGroupMember.closeness.desc(), IdeaGroupMember.item_id)
    )
    if region is not None:
        query = query.join(Region, Region.id == Submission.region_id).where(Region.slug == region)
    return list(session.scalars(query))


def _members(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="items" value="(\d+)"', page)]


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return html.unescape(found.group(1)) if found else None


def _walk(client: FlaskClient, group: int) -> list[str]:
    """Every page from the first, through the "next page" links."""
    pages = [client.get(f"/review/ideas/{group}").get_data(as_text=True)]
    while (following := _link(pages[-1], "next")) is not None:
        response = client.get(following)
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    return pages


def test_pages_follow_the_readers_order_forth_and_back(session, world, hq, big_group) -> None:
    expected = _expected(session, big_group, None)
    assert len(expected) == 13
    pages = _walk(hq, big_group)
    assert [_members(p) for p in pages] == [
        expected[i : i + PER_PAGE] for i in range(0, 13, PER_PAGE)
    ]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} sur 5" in page
    assert _link(pages[0], "prev") is None and "Dernière page" in pages[0]
    assert _link(pages[-1], "next") is None and "Première page" in pages[-1]
    # The last page straight from the first: the same single entry, numbered 5.
    last = hq.get(f"/review/ideas/{big_group}?page=last").get_data(as_text=True)
    assert _members(last) == expected[12:] and "Page 5 sur 5" in last
    # Back from it through the "previous page" links: the same pages, the same numbers.
    back = [last]
    while (previous := _link(back[-1], "prev")) is not None:
        back.append(hq.get(previous).get_data(as_text=True))
    assert [_members(p) for p in reversed(back)] == [_members(p) for p in pages]
    assert "Page 1 sur 5" in back[-1] and _link(back[-1], "prev") is None


def test_a_delegate_reads_only_their_regions_members_on_every_page(
    session, world, own, big_group
) -> None:
    expected = _expected(session, big_group, world.ids["region_a"])
    assert len(expected) == 9
    pages = _walk(own, big_group)
    assert [_members(p) for p in pages] == [expected[0:3], expected[3:6], expected[6:9]]
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} sur 3" in page
        assert "Organisation B" not in page
    # A cursor made of another region's member leads to region A's members after it, no more.
    b_item = next(
        i for i in _expected(session, big_group, None) if i not in expected
    )  # closeness 0.95: after region A's two at 1.0
    first_b = session.get(IdeaGroupMember, b_item)
    page = own.get(
        f"/review/ideas/{big_group}?after={first_b.closeness!r}_{b_item}&page=2"
    ).get_data(as_text=True)
    assert _members(page) == expected[2:5] and "Organisation B" not in page


def test_counts_are_those_of_the_members_on_the_pages(session, world, hq, own, big_group) -> None:
    for client, region, regions in ((hq, None, 2), (own, world.ids["region_a"], 1)):
        pages = _walk(client, big_group)
        shown = [i for p in pages for i in _members(p)]
        organisations = set(
            session.scalars(
                select(Submission.organisation)
                .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
                .where(FeedbackItem.id.in_(shown))
            )
        )
        assert sorted(shown) == sorted(_expected(session, big_group, region))
        head = pages[0]
        assert f"{len(shown)} entrées" in head
        assert f"{len(organisations)} organisations" in head
        assert f"{regions} région" in head


def test_a_split_from_the_second_page(app, session, world, own, big_group) -> None:
    second = own.get(_link(_walk(own, big_group)[0], "next")).get_data(as_text=True)
    chosen = _members(second)[:2]
    action = html.unescape(re.search(r'<form method="post" action="([^"]+/split[^"]*)"', second)[1])
    assert "page=2" in action
    token = csrf_for(app, own)
    # Another region's member, or another group's entry, is refused as before: the same page
    # is shown again with the message next to the field.
    foreign = [i for i in _expected(session, big_group, None) if i not in _members(second)]
    b_item = next(
        i for i in foreign if i not in _expected(session, big_group, world.ids["region_a"])
    )
    other_group = session.scalar(
        select(FeedbackItem.id).where(FeedbackItem.submission_id == world.ids["submission_b"])
    )
    for refused_items in ([chosen[0], b_item], [other_group]):
        refused = own.post(action, data={"items": refused_items, "csrf_token": token})
        body = refused.get_data(as_text=True)
        assert refused.status_code == 422
        assert "Choisissez des entrées de ce groupe." in body and "Page 2 sur 3" in body
        assert _members(body) == _members(second)
    done = own.post(action, data={"items": chosen, "csrf_token": token})
    assert done.status_code == 302
    new_group = int(re.search(r"/review/ideas/(\d+)$", done.headers["Location"])[1])
    assert new_group != big_group
    session.expire_all()
    moved = session.scalars(
        select(IdeaGroupMember.item_id).where(IdeaGroupMember.group_id == new_group)
    )
    assert sorted(moved) == sorted(chosen)
    assert "7 entrées" in own.get(f"/review/ideas/{big_group}").get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-3",
        "page=99999999999999999999",
        "page=7",
        "after=garbage",
        "after=0.5_",
        "after=_12",
        "after=nan_3",
        "before=1e999_5",
        "after=0.5_99999999999",
        "after=" + "9" * 400 + "_3",
        "after=-5.0_1",  # past the last member: the first page
        "before=5.0_1&page=4",  # before the first member: the first page
        "after=0.5_1&before=x",
    ],
)
def test_a_bad_page_parameter_shows_a_page_never_an_error(
    session, world, own, big_group, query
) -> None:
    response = own.get(f"/review/ideas/{big_group}?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = _expected(session, big_group, world.ids["region_a"])
    shown = _members(page)
    assert shown and set(shown) <= set(expected)
    if "0.5_1" not in query:
        assert shown == expected[:PER_PAGE] and "Page 1 sur 3" in page


def test_signed_entries_are_marked_on_the_page_that_shows_them(
    session, world, own, big_group
) -> None:
    signed_stop = add_stop(session, "Safi", date=dt.date(2025, 1, 12))
    # Between region A's 0.8 and 0.7: the delegate's second page (0.9, 0.8, 0.75).
    signed = _add_members(session, big_group, signed_stop.code, [("Riad Safi", 0.75)])
    delegate = session.scalar(select(User).where(User.email == world.emails["own"]))
    signoff.sign_off(session, scope_for(delegate), signed_stop.id, "Signé.", actor_id=delegate.id)
    pages = _walk(own, big_group)
    assert [signed[0] in _members(p) for p in pages] == [False, True, False, False]
    for page in pages:
        boxes = re.findall(r'<input type="checkbox" name="items" value="(\d+)"([^>]*)>', page)
        marked = {int(i) for i, rest in boxes if 'aria-describedby="signed-lock"' in rest}
        assert marked == {i for i in signed if str(i) in {b for b, _r in boxes}}
        assert all("disabled" in rest for _i, rest in boxes)  # the whole group is locked


def test_a_small_group_is_one_page_without_paging(world, own) -> None:
    page = own.get(f"/review/ideas/{world.ids['group_a']}").get_data(as_text=True)
    assert len(_members(page)) == 2
    assert "Page 1 sur" not in page and "Page suivante" not in page
    assert "Pages des entrées" not in page


def test_spam_leaves_the_pages_and_the_counts(session, world, hq, big_group) -> None:
    spam = session.scalar(select(Submission).where(Submission.organisation == "Coopérative Argan"))
    set_status(session, EVERYTHING, spam.id, ReviewStatus.SPAM, actor_id=None)
    shown = [i for p in _walk(hq, big_group) for i in _members(p)]
    assert shown == _expected(session, big_group, None) and len(shown) == 12
    assert "12 entrées" in hq.get(f"/review/ideas/{big_group}").get_data(as_text=True)
