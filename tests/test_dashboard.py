"""The dashboard at /hq/: the Synthèse figures per region, scoped, linked to the review list."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from markupsafe import escape
from sqlalchemy import select

from feedback_app.models import Region, Role, TourStop
from tests.export_world import build_tour
from tests.staff import make_user, signed_in


def _people(session) -> None:
    build_tour(session)
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    make_user(session, "delegue@example.ma", regions=("souss-massa",))


def _row(html: str, region: str) -> str:
    match = re.search(rf"<th scope=\"row\">{re.escape(region)}</th>(.*?)</tr>", html, re.S)
    assert match, f"no row for {region}"
    return match.group(1)


def _numbers(fragment: str) -> list[int]:
    cells = re.findall(r'<td class="num">(.*?)</td>', fragment, re.S)
    return [int(re.sub(r"<[^>]+>|\s", "", cell)) for cell in cells]


def test_headquarters_sees_every_region_with_the_synthesis_figures(app, session) -> None:
    _people(session)
    response = signed_in(app, "siege@example.ma").get("/hq/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for name in session.scalars(select(Region.name_fr)):
        assert f'<th scope="row">{escape(name)}</th>' in html
    # stops held, submissions, needs, opportunities, challenges, proposals, shortlisted
    assert _numbers(_row(html, "Marrakech-Safi"))[:7] == [2, 2, 2, 1, 1, 2, 1]
    assert _numbers(_row(html, "Souss-Massa"))[:7] == [1, 2, 1, 0, 11, 1, 1]
    assert _numbers(_row(html, "Drâa-Tafilalet"))[:7] == [0, 0, 0, 0, 0, 0, 0]
    total = html.split("<tfoot>")[1]
    assert _numbers(total)[:7] == [3, 4, 3, 1, 12, 3, 2]
    assert "SPAM" not in html
    assert html.count('<svg class="bar"') >= 12  # one bar per region, drawn without script
    # the charts need no script: none in the page's main content (the head may enhance tables)
    assert "<script" not in html.split("<main")[1].split("</main>")[0]
    assert "Formation et ressources humaines" in html  # most cited need theme


def test_every_figure_links_to_the_filtered_review_list(app, session) -> None:
    _people(session)
    html = signed_in(app, "siege@example.ma").get("/hq/").get_data(as_text=True)
    region_id = session.scalar(select(Region.id).where(Region.slug == "marrakech-safi"))
    links = [
        urlsplit(href.replace("&amp;", "&"))
        for href in re.findall(r'href="([^"]+)"', _row(html, "Marrakech-Safi"))
    ]
    review = [parse_qs(link.query) for link in links if link.path == "/review/"]
    assert {"region": [str(region_id)]} in review
    assert {"region": [str(region_id)], "kind": ["need"]} in review
    assert {"region": [str(region_id)], "shortlisted": ["1"]} in review  # any kind
    assert any(
        link.path == "/hq/stops" and parse_qs(link.query) == {"region": ["marrakech-safi"]}
        for link in links
    )
    categories = re.findall(r'href="(/review/\?[^"]*category=[^"]+)"', html)
    assert categories, "category figures link to the review list too"


def test_a_delegate_sees_only_their_region(app, session) -> None:
    _people(session)
    html = signed_in(app, "delegue@example.ma").get("/hq/").get_data(as_text=True)
    assert _numbers(_row(html, "Souss-Massa"))[:7] == [1, 2, 1, 0, 11, 1, 1]
    assert "Marrakech-Safi" not in html and "Drâa-Tafilalet" not in html
    assert _numbers(html.split("<tfoot>")[1])[:2] == [1, 2]


def test_the_period_filter_and_its_errors(app, session) -> None:
    _people(session)
    client = signed_in(app, "siege@example.ma")
    html = client.get("/hq/?since=2025-01-20&until=2025-01-31").get_data(as_text=True)
    assert _numbers(_row(html, "Marrakech-Safi"))[:2] == [0, 0]
    assert _numbers(_row(html, "Souss-Massa"))[:2] == [1, 2]
    assert "date_from=2025-01-20" in html  # the links keep the period
    wrong = client.get("/hq/?since=2025-02-01&until=2025-01-01")
    assert wrong.status_code == 200
    page = wrong.get_data(as_text=True)
    assert "Période non valide" in page
    assert _numbers(page.split("<tfoot>")[1])[:2] == [3, 4]  # invalid period: everything


def test_anonymous_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/hq/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_top_recurring_ideas_link_to_the_review_list_of_their_group(app, session) -> None:
    from feedback_app.services.ideas.groups import regroup
    from tests.export_world import add_submission

    _people(session)
    stop = session.scalar(select(TourStop.id).join(Region).where(Region.slug == "souss-massa"))
    for n, text in enumerate(
        (
            "Former les guides touristiques aux langues étrangères",
            "Des cours de langues étrangères pour les guides touristiques",
        )
    ):
        add_submission(
            session, stop, organisation=f"Agence {n}", items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    html = signed_in(app, "siege@example.ma").get("/hq/").get_data(as_text=True)
    ideas = html.split("Idées récurrentes")[1].split("Thèmes les plus cités")[0]
    assert "guides touristiques" in ideas and "2 organisations" in ideas
    guides = next(li for li in ideas.split("<li>") if "guides touristiques" in li)
    (href,) = re.findall(r'href="(/review/[^"]+)"', guides)
    assert list(parse_qs(urlsplit(href).query)) == ["group"]
    listing = signed_in(app, "siege@example.ma").get(href)
    assert "Agence 0" in listing.get_data(as_text=True)
