"""Stops in three languages, their confirmation pages, the poster and printed addresses."""

from __future__ import annotations

import re

from sqlalchemy import select

from feedback_app.models import AuditEvent, TourStop
from tests.staff import post

ARABIC = re.compile("[\u0600-\u06ff]")


def _edit(app, hq, world, **names: str):
    data = {
        "region": "marrakech-safi",
        "city": "Fès",
        "venue": "Palais des congrès",
        "date": "2025-03-01",
        "grace_hours": "24",
        **names,
    }
    return post(app, hq, f"/hq/stops/{world.ids['stop_a']}/edit", data)


def _half(html: str, language: str) -> str:
    match = re.search(
        rf'<div class="poster-foot-half" lang="{language}" dir="(\w+)">(.*?)</div>', html, re.S
    )
    assert match, f"no {language} half"
    return match.group(1) + "|" + match.group(2)


def test_hq_names_a_stop_in_three_languages(app, session, world, hq) -> None:
    form = hq.get(f"/hq/stops/{world.ids['stop_a']}/edit").get_data(as_text=True)
    assert 'name="city_ar"' in form and 'lang="ar"' in form and 'dir="rtl"' in form
    assert (
        _edit(
            app,
            hq,
            world,
            city_ar=" فاس ",
            city_en="Fez",
            venue_ar="قصر المؤتمرات",
            venue_en="Conference palace",
        ).status_code
        == 302
    )
    session.rollback()
    stop = session.get(TourStop, world.ids["stop_a"])
    assert (stop.city_ar, stop.city_en, stop.venue_ar) == ("فاس", "Fez", "قصر المؤتمرات")
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "stop.update").order_by(AuditEvent.id.desc())
    ).first()
    assert event.after["city_ar"] == "فاس" and event.before["city_ar"] is None

    arabic_form = app.test_client().get(f"/f/{world.ids['code_a']}?lang=ar")
    text = arabic_form.get_data(as_text=True)
    assert "فاس" in text and "قصر المؤتمرات" in text and "Palais des congrès" not in text
    english = app.test_client().get(f"/f/{world.ids['code_a']}?lang=en").get_data(as_text=True)
    assert "Fez" in english and "Conference palace" in english
    french = app.test_client().get(f"/f/{world.ids['code_a']}?lang=fr").get_data(as_text=True)
    assert "Fès" in french and "فاس" not in french


def test_a_name_too_long_is_refused_next_to_its_field_and_kept(app, session, world, hq) -> None:
    response = _edit(app, hq, world, city_ar="ف" * 121)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="city_ar-error">120 caractères au plus', html)
    assert "ف" * 121 in html
    session.rollback()
    assert session.get(TourStop, world.ids["stop_a"]).city_ar is None


def test_untranslated_names_fall_back_to_french_visibly_for_staff(app, world, hq) -> None:
    listing = hq.get("/hq/stops?lang=ar").get_data(as_text=True)
    assert "Ville-Secrete-A" in listing  # the French name, since no Arabic one exists
    assert "بالفرنسية" in listing  # ... marked as such in Arabic
    assert "Traduction manquante" in hq.get("/hq/stops?lang=fr").get_data(as_text=True)
    assert (
        _edit(
            app, hq, world, city_ar="فاس", city_en="Fez", venue_ar="قصر", venue_en="Palace"
        ).status_code
        == 302
    )
    row = re.search(
        r"<tr>(?:(?!</tr>).)*فاس(?:(?!</tr>).)*</tr>",
        hq.get("/hq/stops?lang=ar").get_data(as_text=True),
        re.S,
    )
    assert row and "بالفرنسية" not in row.group(0)


def test_poster_keeps_each_language_in_its_own_direction(app, world, hq) -> None:
    app.config["PUBLIC_BASE_URL"] = "https://avis.example.ma"
    _edit(app, hq, world, city_ar="فاس")
    html = hq.get(f"/hq/stops/{world.ids['stop_a']}/poster").get_data(as_text=True)
    french, arabic = _half(html, "fr"), _half(html, "ar")
    assert french.startswith("ltr|") and "Code de l&#39;étape :" in french
    assert not ARABIC.search(french)
    assert arabic.startswith("rtl|") and "رمز المحطة" in arabic
    assert "Code de" not in arabic
    assert 'lang="ar" dir="rtl"' in html and "فاس" in html
    assert "poster-warning" not in html
    assert html.count("<svg") == 2


def test_poster_is_refused_without_public_base_url_outside_development(app, world, own) -> None:
    app.config.update(PUBLIC_BASE_URL=None, REQUIRE_PUBLIC_BASE_URL=True)
    response = own.get(f"/hq/stops/{world.ids['stop_a']}/poster")
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "PUBLIC_BASE_URL" in html and "<svg" not in html


def test_poster_warns_loudly_without_public_base_url_in_development(app, world, own) -> None:
    app.config.update(PUBLIC_BASE_URL=None, REQUIRE_PUBLIC_BASE_URL=False)
    html = own.get(f"/hq/stops/{world.ids['stop_a']}/poster").get_data(as_text=True)
    warning = re.search(r'<p class="poster-warning" role="alert">(.*?)</p>', html, re.S)
    assert warning and "PUBLIC_BASE_URL" in warning.group(1) and "localhost" in warning.group(1)


def test_stops_create_prints_the_configured_address(app, session, monkeypatch) -> None:
    runner = app.test_cli_runner()
    args = ["stops", "create", "--region", "oriental", "--city", "Oujda", "--date", "2025-02-07"]
    app.config["PUBLIC_BASE_URL"] = "https://avis.example.ma/"
    result = runner.invoke(args=args)
    assert f"https://avis.example.ma/f/{result.stdout.strip()}" in result.stderr
    app.config["PUBLIC_BASE_URL"] = None
    monkeypatch.setenv("FLASK_RUN_PORT", "5101")
    result = runner.invoke(args=args)
    assert f"http://127.0.0.1:5101/f/{result.stdout.strip()}" in result.stderr
    assert "PUBLIC_BASE_URL is not set" in result.stderr and ":5000" not in result.stderr
