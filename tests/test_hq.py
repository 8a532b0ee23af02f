"""HQ management: stops, users, themes and the audit trail, as staff use them."""

from __future__ import annotations

import re

from sqlalchemy import select

from feedback_app.models import AuditEvent, FeedbackItem, StopStatus, Theme, TourStop, User
from feedback_app.services.tour import reference
from tests.staff import login, post


def _events(session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    )


def _row_of(html: str, code: str) -> str:
    match = re.search(rf"<tr>(?:(?!</tr>).)*{code}(?:(?!</tr>).)*</tr>", html, re.S)
    assert match, f"no row for {code}"
    return match.group(0)


# --- stops -----------------------------------------------------------------------------


def test_stop_list_counts_submissions_per_stop(app, session, world, hq) -> None:
    from tests.staff import submission_at

    submission_at(session, world.ids["code_a"], "Deuxième", "Encore une idée pour la région")
    html = hq.get("/hq/stops").get_data(as_text=True)
    row_a = _row_of(html, world.ids["code_a"])
    assert re.findall(r'<td class="num">(\d+)</td>', row_a) == ["2", "2"]
    row_b = _row_of(html, world.ids["code_b"])
    assert re.findall(r'<td class="num">(\d+)</td>', row_b) == ["1", "1"]


def test_delegate_sees_only_their_regions_stops(world, own, other) -> None:
    html_a = own.get("/hq/stops").get_data(as_text=True)
    assert world.ids["code_a"] in html_a and world.ids["code_b"] not in html_a
    html_b = other.get("/hq/stops").get_data(as_text=True)
    assert world.ids["code_b"] in html_b and world.ids["code_a"] not in html_b
    # Asking for region A by filter changes nothing for region B's delegate.
    filtered = other.get("/hq/stops?region=marrakech-safi").get_data(as_text=True)
    assert world.ids["code_a"] not in filtered
    assert "Nouvelle étape" not in html_a  # creating is HQ's


def test_hq_creates_a_stop(app, session, hq) -> None:
    response = post(
        app,
        hq,
        "/hq/stops/new",
        {
            "region": "fes-meknes",
            "city": "Ifrane",
            "venue": "Hôtel du lac",
            "date": "2025-05-04",
            "grace_hours": "12",
        },
    )
    assert response.status_code == 302
    stop = session.scalar(select(TourStop).where(TourStop.city == "Ifrane"))
    assert stop is not None and stop.status is StopStatus.PLANNED and stop.grace_hours == 12
    assert stop.code in hq.get("/hq/stops").get_data(as_text=True)
    created = _events(session, "stop.create")
    assert created[-1].target_id == stop.id and created[-1].after["city"] == "Ifrane"


def test_stop_form_errors_keep_what_was_typed(app, hq) -> None:
    response = post(app, hq, "/hq/stops/new", {"region": "", "city": "Tétouan", "date": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="Tétouan"' in html
    assert "Choisissez une région." in html and "Indiquez la date" in html


def test_hq_edits_a_stop_and_the_change_is_audited(app, session, world, hq) -> None:
    stop_id = world.ids["stop_a"]
    response = post(
        app,
        hq,
        f"/hq/stops/{stop_id}/edit",
        {
            "region": "marrakech-safi",
            "city": "Essaouira",
            "venue": "",
            "date": "2025-03-02",
            "grace_hours": "24",
        },
    )
    assert response.status_code == 302
    event = _events(session, "stop.update")[-1]
    assert event.before["city"] == "Ville-Secrete-A" and event.after["city"] == "Essaouira"
    assert "region" not in event.after  # only what changed


def test_stop_with_submissions_cannot_move_region(app, world, hq) -> None:
    response = post(
        app,
        hq,
        f"/hq/stops/{world.ids['stop_a']}/edit",
        {"region": "souss-massa", "city": "X", "date": "2025-03-02", "grace_hours": "24"},
    )
    assert response.status_code == 422
    assert "sa région ne peut plus changer" in response.get_data(as_text=True)


def test_delegate_closes_and_reopens_their_own_stop(app, session, world, own) -> None:
    stop_id = world.ids["stop_a"]
    list_page = own.get("/hq/stops").get_data(as_text=True)
    assert f'href="/hq/stops/{stop_id}/close"' in list_page  # a link to a confirmation, no form
    asked = own.get(f"/hq/stops/{stop_id}/close")
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Clôturer l'étape de" in page and 'name="confirmed" value="yes"' in page
    assert "n'acceptera plus de nouvelles contributions" in page
    unconfirmed = post(app, own, f"/hq/stops/{stop_id}/close")  # e.g. an old one-click form
    assert unconfirmed.status_code == 200 and "Oui, clôturer" in unconfirmed.get_data(as_text=True)
    session.rollback()
    assert session.get(TourStop, stop_id).status is StopStatus.OPEN
    assert post(app, own, f"/hq/stops/{stop_id}/close", {"confirmed": "yes"}).status_code == 302
    session.rollback()
    stop = session.get(TourStop, stop_id)
    assert stop.status is StopStatus.CLOSED and stop.closed_at is not None
    assert _events(session, "stop.close")[-1].after["status"] == "closed"
    assert "Oui, ouvrir" in own.get(f"/hq/stops/{stop_id}/open").get_data(as_text=True)
    assert post(app, own, f"/hq/stops/{stop_id}/open", {"confirmed": "yes"}).status_code == 302
    session.rollback()
    stop = session.get(TourStop, stop_id)
    assert stop.status is StopStatus.OPEN and stop.closed_at is None


def test_delegate_cannot_touch_another_regions_stop(app, session, world, other) -> None:
    stop_id = world.ids["stop_a"]
    assert post(app, other, f"/hq/stops/{stop_id}/close", {"confirmed": "yes"}).status_code == 404
    assert other.get(f"/hq/stops/{stop_id}/close").status_code == 404
    assert other.get(f"/hq/stops/{stop_id}/poster").status_code == 404
    assert (
        post(app, other, "/hq/stops/999999/close", {"confirmed": "yes"}).status_code == 404
    )  # same as missing
    session.rollback()
    assert session.get(TourStop, stop_id).status is StopStatus.OPEN
    assert other.get(f"/hq/stops/{stop_id}/edit").status_code == 403


def test_poster_has_two_qr_codes_the_link_and_the_code(app, world, own) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://tournee.example.ma"
    response = own.get(f"/hq/stops/{world.ids['stop_a']}/poster")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    code = world.ids["code_a"]
    assert html.count("<svg") == 2 and 'class="qr"' in html
    assert f"https://tournee.example.ma/f/{code}?lang=ar" in html
    assert f"tournee.example.ma/f/{code}" in html
    assert code in html
    assert "Marrakech-Safi" in html and "Ville-Secrete-A" in html
    assert "1 mars 2025" in html


def test_poster_qr_encodes_the_public_link(app, world, own) -> None:
    import segno

    app.config["PUBLIC_BASE_URL"] = "https://tournee.example.ma"
    html = own.get(f"/hq/stops/{world.ids['stop_a']}/poster").get_data(as_text=True)
    expected = segno.make(f"https://tournee.example.ma/f/{world.ids['code_a']}", error="m")
    svg = expected.svg_inline(scale=4, border=2, omitsize=True)
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    assert path in html


def test_print_css_sets_an_a4_page(app, client) -> None:
    css = client.get("/static/css/staff.css").get_data(as_text=True)
    assert "@media print" in css and "size: A4" in css


# --- users -----------------------------------------------------------------------------


def test_hq_creates_a_delegate_who_sets_their_own_password(app, session, hq) -> None:
    form = hq.get("/hq/users/new").get_data(as_text=True)
    assert 'type="password"' not in form  # HQ never chooses a password
    response = post(
        app,
        hq,
        "/hq/users/new",
        {
            "email": "Nadia@Example.ma",
            "name": "Nadia",
            "role": "delegate",
            "regions": ["fes-meknes", "oriental"],
        },
    )
    assert response.status_code == 200
    link = re.search(r"https?://[^<\s]+/set-password/[\w-]+", response.get_data(as_text=True))
    assert link, "the hand-over page shows the link"
    user = session.scalar(select(User).where(User.email == "nadia@example.ma"))
    assert user.password_hash is None
    assert sorted(r.slug for r in user.regions) == ["fes-meknes", "oriental"]
    assert _events(session, "user.create")[-1].after["regions"] == ["fes-meknes", "oriental"]

    newcomer = app.test_client()
    path = link.group(0).split("localhost", 1)[-1]
    assert (
        post(
            app, newcomer, path, {"password": "la phrase de Nadia", "confirm": "la phrase de Nadia"}
        ).status_code
        == 302
    )
    assert newcomer.get("/hq/stops").status_code == 200
    assert newcomer.get("/hq/users").status_code == 403


def test_user_form_errors(app, world, hq) -> None:
    response = post(app, hq, "/hq/users/new", {"email": world.emails["own"], "role": "delegate"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Un compte existe déjà" in html and "au moins une région" in html


def test_hq_changes_a_delegates_regions(app, session, world, hq) -> None:
    user_id = world.ids["delegate_b"]
    response = post(
        app,
        hq,
        f"/hq/users/{user_id}/edit",
        {
            "email": world.emails["other"],
            "name": "B",
            "role": "delegate",
            "regions": ["souss-massa", "marrakech-safi"],
        },
    )
    assert response.status_code == 302
    event = _events(session, "user.update")[-1]
    assert event.before["regions"] == ["souss-massa"]
    assert event.after["regions"] == ["marrakech-safi", "souss-massa"]


def test_hq_cannot_lock_themselves_out(app, session, world, hq) -> None:
    me = world.ids["hq"]
    response = post(app, hq, f"/hq/users/{me}/deactivate")
    assert response.status_code == 302
    refused = "Vous ne pouvez pas désactiver votre propre compte."
    assert refused in hq.get(response.location).get_data(as_text=True)
    session.rollback()
    assert session.get(User, me).active
    response = post(
        app,
        hq,
        f"/hq/users/{me}/edit",
        {"email": world.emails["hq"], "role": "delegate", "regions": ["souss-massa"]},
    )
    assert response.status_code == 422


def test_reset_link_replaces_the_previous_one(app, world, hq) -> None:
    old_token = world.ids["token"]
    response = post(app, hq, f"/hq/users/{world.ids['user_a']}/link")
    assert response.status_code == 200
    assert "/set-password/" in response.get_data(as_text=True)
    assert app.test_client().get(f"/set-password/{old_token}").status_code == 410


def test_a_deactivated_account_gets_no_link(app, world, hq) -> None:
    user_a = world.ids["user_a"]
    post(app, hq, f"/hq/users/{user_a}/deactivate")
    response = post(app, hq, f"/hq/users/{user_a}/link")
    assert response.status_code == 302
    assert "Réactivez d&#39;abord ce compte." in hq.get(response.location).get_data(as_text=True)


def test_users_page_is_hq_only(world, own, hq) -> None:
    assert own.get("/hq/users").status_code == 403
    html = hq.get("/hq/users").get_data(as_text=True)
    assert (
        world.emails["own"] in html
        and "En attente du mot de passe" not in html.split(world.emails["own"])[1].split("</tr>")[0]
    )


# --- themes ----------------------------------------------------------------------------


def test_theme_add_rename_retire_restore(app, session, world, hq) -> None:
    assert (
        post(
            app,
            hq,
            "/hq/themes",
            {"name_fr": "Artisanat", "name_ar": "الصناعة التقليدية", "name_en": "Crafts"},
        ).status_code
        == 302
    )
    theme = session.scalar(select(Theme).where(Theme.name_fr == "Artisanat"))
    assert theme.code == "artisanat" and not theme.retired
    assert "artisanat" in [c.code for c in reference.active_themes(session, "fr")]

    assert (
        post(
            app,
            hq,
            f"/hq/themes/{theme.id}/edit",
            {
                "name_fr": "Artisanat et terroir",
                "name_ar": "الصناعة التقليدية",
                "name_en": "Crafts",
            },
        ).status_code
        == 302
    )
    event = _events(session, "theme.rename")[-1]
    assert event.before == {"name_fr": "Artisanat"}
    assert event.after == {"name_fr": "Artisanat et terroir"}

    used = world.ids["theme"]
    assert post(app, hq, f"/hq/themes/{used}/retire").status_code == 302
    session.rollback()
    codes = [c.code for c in reference.active_themes(session, "fr")]
    assert "digitalisation" not in codes
    item = session.get(FeedbackItem, world.ids["item_a"])
    assert item.theme_id == used  # old items keep it
    public_form = app.test_client().get(f"/f/{world.ids['code_b']}").get_data(as_text=True)
    assert 'value="digitalisation"' not in public_form
    assert post(app, hq, f"/hq/themes/{used}/restore").status_code == 302
    assert "digitalisation" in [c.code for c in reference.active_themes(session, "fr")]


def test_theme_needs_a_unique_french_name(app, hq) -> None:
    response = post(app, hq, "/hq/themes", {"name_fr": "  ", "name_ar": "x"})
    assert response.status_code == 422
    assert "Indiquez le nom en français." in response.get_data(as_text=True)
    duplicate = post(app, hq, "/hq/themes", {"name_fr": "DIGITALISATION"})
    assert duplicate.status_code == 422
    assert "Un thème porte déjà ce nom." in duplicate.get_data(as_text=True)


def test_themes_page_shows_item_counts(world, hq) -> None:
    html = hq.get("/hq/themes").get_data(as_text=True)
    row = re.search(
        r"<tr[^>]*>(?:(?!</tr>).)*Digitalisation(?:(?!</tr>).)*</tr>", html, re.S | re.I
    )
    assert row and '<td class="num">2</td>' in row.group(0)


# --- audit -----------------------------------------------------------------------------


def test_audit_page_newest_first_filtered_and_paginated(app, session, world, hq) -> None:
    assert login(app, app.test_client(), world.emails["own"]).status_code == 302
    for n in range(3):
        post(
            app,
            hq,
            f"/hq/themes/{world.ids['theme']}/edit",
            {"name_fr": f"Digital {n}", "name_ar": "", "name_en": ""},
        )
    html = hq.get("/hq/audit?action=theme.rename").get_data(as_text=True)
    events = html.split('<li class="audit-event">')[1:]
    assert len(events) == 3
    assert "Digital 2" in events[0] and "Digitalisation" in events[2]  # newest first
    assert "s'est connecté" not in html.split('<ol class="audit-list">')[1]
    by_user = hq.get(f"/hq/audit?user={world.ids['delegate_a']}").get_data(as_text=True)
    listed = by_user.split('<ol class="audit-list">')[1]
    assert "s'est connecté(e)" in listed and "a renommé le thème" not in listed
    from feedback_app.services.audit import list_events

    page = list_events(session, per_page=2, page=2)
    assert page.page == 2 and len(page.events) == 2 and page.total > 4


def test_sign_ins_are_in_the_trail(app, session, world) -> None:
    login(app, app.test_client(), world.emails["own"], "not the password")
    failed = _events(session, "auth.login_failed")[-1]
    assert failed.target_id == world.ids["delegate_a"] and failed.after["reason"] == "password"
    assert "password" not in str(failed.after.get("email"))


def test_staff_fields_of_invisible_characters_are_refused(app, session, hq) -> None:
    """Hangul fillers are letters by category, the braille blank a symbol: both show nothing."""
    theme = post(app, hq, "/hq/themes", {"name_fr": "\u3164", "name_ar": "\u115f\u1160"})
    assert theme.status_code == 422
    assert theme.get_data(as_text=True).count("Ce texte ne contient aucun caractère visible.") == 2
    stop = post(
        app,
        hq,
        "/hq/stops/new",
        {"region": "souss-massa", "city": "\u2800", "venue": "\uffa0", "date": "2026-12-20"},
    )
    assert stop.status_code == 422
    assert stop.get_data(as_text=True).count("Ce texte ne contient aucun caractère visible.") == 2
    assert session.scalar(select(Theme).where(Theme.name_fr == "\u3164")) is None
