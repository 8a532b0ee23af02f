"""Themes ordered by HQ (the order of the form, the review desk and the exports), with a warning
where a translation is missing."""

from __future__ import annotations

import re

from sqlalchemy import select

from feedback_app.models import AuditEvent, Theme
from feedback_app.services.review.queries import themes as review_themes
from feedback_app.services.tour import reference
from tests.staff import post


def _codes(session) -> list[str]:
    session.rollback()
    return [choice.code for choice in reference.active_themes(session, "fr")]


def _id(session, code: str) -> int:
    return session.scalar(select(Theme.id).where(Theme.code == code))


def test_hq_moves_a_theme_up_down_and_to_a_typed_place(app, session, world, hq) -> None:
    start = _codes(session)
    second = start[1]
    assert (
        post(app, hq, f"/hq/themes/{_id(session, second)}/move", {"direction": "up"}).status_code
        == 302
    )
    assert _codes(session)[:2] == [second, start[0]]
    assert (
        post(app, hq, f"/hq/themes/{_id(session, second)}/move", {"direction": "down"}).status_code
        == 302
    )
    assert _codes(session) == start
    assert (
        post(app, hq, f"/hq/themes/{_id(session, start[0])}/move", {"position": "3"}).status_code
        == 302
    )
    moved = _codes(session)
    assert moved[2] == start[0] and moved[:2] == start[1:3]
    # the review desk and the exports' summary follow the same order
    assert [t.code for t in review_themes(session) if not t.retired] == moved
    arabic_page = app.test_client().get(f"/f/{world.ids['code_a']}?lang=ar").get_data(as_text=True)
    names = [reference.active_themes(session, "ar")[i].label for i in range(3)]
    assert arabic_page.index(names[0]) < arabic_page.index(names[1]) < arabic_page.index(names[2])
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "theme.move").order_by(AuditEvent.id.desc())
    ).first()
    assert (event.before, event.after) == ({"position": 1}, {"position": 3})


def test_a_bad_position_changes_nothing_and_says_so(app, session, hq) -> None:
    start = _codes(session)
    response = post(
        app,
        hq,
        f"/hq/themes/{_id(session, start[0])}/move",
        {"position": "zéro"},
        follow_redirects=True,
    )
    assert "Indiquez une position" in response.get_data(as_text=True)
    assert _codes(session) == start


def test_a_new_theme_comes_before_other_and_warns_when_untranslated(app, session, hq) -> None:
    response = post(app, hq, "/hq/themes", {"name_fr": "Artisanat"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "apparaît en français dans le formulaire arabe" in html
    assert "1 thème proposé n'a pas toutes ses traductions" in html
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Artisanat(?:(?!</tr>).)*</tr>", html, re.S)
    assert row and row.group(0).count("Traduction manquante") == 2
    assert _codes(session)[-2:] == ["artisanat", "autre"]  # "Other" stays the last choice

    post(
        app,
        hq,
        f"/hq/themes/{_id(session, 'artisanat')}/edit",
        {"name_fr": "Artisanat", "name_ar": "الصناعة التقليدية", "name_en": "Crafts"},
    )
    html = hq.get("/hq/themes").get_data(as_text=True)
    assert "toutes ses traductions" not in html and "Traduction manquante" not in html
