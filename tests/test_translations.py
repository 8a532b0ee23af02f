"""Three languages everywhere: complete catalogs, and every page rendered in fr, ar and en.

The catalog test extracts the messages of the code as it is now (babel.cfg) and fails on any
msgid missing, empty or fuzzy in a catalog, or whose translation would not format. To fix it:
`make translations-update`, translate the entries it lists, `make translations-check`.

The page test renders every route of the access matrix (tests/test_access_matrix.py) for each
kind of visitor in each language, with catalogs compiled from the .po files for this run (a
stale .mo cannot hide anything), and looks for French interface text left in the Arabic and
English pages.
"""

from __future__ import annotations

import contextlib
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

import pytest
from flask_babel import refresh
from sqlalchemy import select

from feedback_app import create_app
from feedback_app.extensions import babel
from feedback_app.extensions import db as _db
from feedback_app.locales import LANGUAGE_CODES, join_list
from feedback_app.models import Category, Region, StopStatus, Theme
from tests.catalogs import compile_catalogs, i18n_tool
from tests.conftest import csrf_token, valid_payload
from tests.staff import add_stop, csrf_for, make_user, session_for, signed_in
from tests.test_access_matrix import MATRIX

LANGUAGES = LANGUAGE_CODES


# --- catalogs -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def template():
    return i18n_tool.extract_current()


def test_extraction_finds_the_code_and_template_strings(template) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    assert "Envoyer ma contribution" in ids  # a template
    assert "Langue non prise en charge." in ids  # lazy_gettext in a service
    assert "Étape introuvable." in ids  # gettext in the API
    assert "%(num)d note" in ids  # ngettext in a template


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_translates_every_message(template, language: str) -> None:
    problems = i18n_tool.catalog_problems(language, template)
    shown = "\n".join(str(p) for p in problems[:40])
    assert not problems, (
        f"{len(problems)} message(s) not translated in {language} — run `make "
        f"translations-update`, translate, then `make translations-check`:\n{shown}"
    )


def test_arabic_catalog_has_the_six_cldr_plural_forms() -> None:
    catalog = i18n_tool.read_catalog(i18n_tool.po_path("ar"), "ar")
    assert catalog.num_plurals == 6
    assert catalog.plural_forms == i18n_tool.ARABIC_PLURAL_FORMS
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert plurals, "no ngettext message in the Arabic catalog"
    for message in plurals:
        assert len(message.string) == 6 and all(message.string), message.id


def test_catalog_checks_catch_a_broken_translation(template, tmp_path, monkeypatch) -> None:
    """The checker itself: an unknown placeholder, a fuzzy entry and a gap are all reported."""
    catalog = i18n_tool.read_catalog(i18n_tool.po_path("en"), "en")
    catalog.get("Rencontre de %(city)s").string = "%(town)s meeting"
    catalog.get("Langue non prise en charge.").flags.add("fuzzy")
    catalog.get("Étape introuvable.").string = ""
    fake = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    fake.parent.mkdir(parents=True)
    i18n_tool.write_catalog(fake, catalog)
    monkeypatch.setattr(i18n_tool, "po_path", lambda language: fake)
    reasons: dict[str, list[str]] = {}
    for problem in i18n_tool.catalog_problems("en", template):
        reasons.setdefault(problem.msgid, []).append(problem.reason)
    assert any("format" in r for r in reasons["Rencontre de %(city)s"])
    assert reasons["Langue non prise en charge."][0].startswith("fuzzy")
    assert reasons["Étape introuvable."] == ["untranslated"]


# --- compiled catalogs and the application --------------------------------------------------


@pytest.fixture(scope="session")
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed .po files compiled for this test run only."""
    return compile_catalogs(tmp_path_factory.mktemp("translations"))


@pytest.fixture
def app(database_url: str, tmp_path: Path, compiled_translations: Path):
    """conftest's app, reading the catalogs compiled above."""
    app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_TMP": str(tmp_path),
            "BABEL_TRANSLATION_DIRECTORIES": str(compiled_translations),
        }
    )
    with app.app_context():
        # Flask-Babel caches loaded catalogs process-wide, whatever their directory.
        babel.domain_instance.cache.clear()
        yield app
        babel.domain_instance.cache.clear()
        _db.session.remove()
        _db.engine.dispose()


@contextlib.contextmanager
def _request(app, path: str):
    # The app context outlives the request here: forget the previous request's locale.
    with app.test_request_context(path):
        refresh()
        yield


def test_arabic_plural_forms_at_run_time(app) -> None:
    from flask_babel import ngettext

    with _request(app, "/?lang=ar"):
        forms = [ngettext("%(num)d note", "%(num)d notes", n) for n in (0, 1, 2, 3, 11, 100)]
    assert forms == [
        "لا توجد أي ملاحظة",
        "ملاحظة واحدة",
        "ملاحظتان",
        "3 ملاحظات",
        "11 ملاحظة",
        "100 ملاحظة",
    ]
    with _request(app, "/?lang=fr"):
        assert ngettext("%(num)d note", "%(num)d notes", 0) == "0 note"  # French: 0 is singular
    with _request(app, "/?lang=en"):
        assert ngettext("%(num)d note", "%(num)d notes", 0) == "0 notes"


# --- what a page shows ----------------------------------------------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
_SKIPPED = {"script", "style", "code", "pre", "svg", "bdi"}
_TEXT_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}


class _VisibleText(HTMLParser):
    """Interface text of a page: element text and the attributes people see or hear.

    User text is left out (it carries dir="auto"), and so is text explicitly in another
    language (lang="fr" on the poster's French caption or the language switch), code and
    scripts.
    """

    def __init__(self, page_language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[bool] = []  # per open element: is its content left out?
        self.parts: list[str] = []
        self.html_attrs: dict[str, str | None] = {}

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.html_attrs = values
        lang = values.get("lang")
        skip = (
            tag in _SKIPPED
            or values.get("dir") == "auto"
            or (lang is not None and lang != self.page_language)
        )
        if not self._hidden() and not skip:
            for name, value in attrs:
                wanted = name in _TEXT_ATTRIBUTES or (
                    name.startswith("data-") and value and " " in value
                )
                if wanted and value:
                    self.parts.append(value)
            if tag == "input" and values.get("type") in {"submit", "button"}:
                self.parts.append(values.get("value") or "")
        if tag not in _VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden() and data.strip():
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible(html: str, language: str) -> tuple[str, dict[str, str | None]]:
    parser = _VisibleText(language)
    parser.feed(html)
    parser.close()
    return parser.text(), parser.html_attrs


class _Phrase(NamedTuple):
    msgid: str
    pattern: re.Pattern[str]
    # The pattern's longest literal piece: a page without it cannot match, and a substring
    # test rules out most of the 1,000-odd phrases per page far faster than the regex
    # (whose leading look-behind makes it scan the whole page).
    needle: str


def _phrase(msgid: str, source: str) -> _Phrase | None:
    text = " ".join(source.split())
    if not re.search(r"[A-Za-zÀ-ÿ]{2}", re.sub(r"%\(\w+\)[sdif]", "", text)):
        return None
    parts = re.split(r"%\(\w+\)[sdif]", text.replace("%%", "%"))
    body = r".+?".join(re.escape(part) for part in parts)
    pattern = re.compile(r"(?<![\w-])" + body + r"(?![\w-])")
    return _Phrase(msgid, pattern, max(parts, key=len))


def _french_leftovers(language: str) -> list[_Phrase]:
    """Each French string that this language translates differently."""
    catalog = i18n_tool.read_catalog(i18n_tool.po_path(language), language)
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        for msgid in ids:
            if msgid.strip() in {s.strip() for s in strings}:
                continue  # same word in both languages ("Code", "Date", "Total")
            phrase = _phrase(msgid, msgid.strip())
            if phrase is not None:
                found.append(phrase)
    # Longest first: report "Nouvelle étape" rather than the "Étape" inside it.
    return sorted(found, key=lambda phrase: -len(phrase.msgid))


def _wtforms_english() -> list[_Phrase]:
    """WTForms' built-in messages, in English: they must not show on French or Arabic pages."""
    from babel.messages.pofile import read_po
    from wtforms.i18n import messages_path

    with (Path(messages_path()) / "wtforms.pot").open("rb") as handle:
        catalog = read_po(handle)
    found = []
    for message in catalog:
        for msgid in message.id if isinstance(message.id, (list, tuple)) else (message.id,):
            phrase = _phrase(msgid, msgid) if msgid else None
            if phrase is not None:
                found.append(phrase)
    return found


def _reference_names(session, language: str) -> list[str]:
    """French names of regions, categories and themes that differ in this language."""
    names = []
    for model in (Region, Category, Theme):
        for row in session.scalars(select(model)):
            if row.name_fr and row.name_fr != row.name_for(language):
                names.append(row.name_fr)
    return names


def untranslated(text: str, leftovers: list[_Phrase], names: list[str]) -> list[str]:
    hits = []
    for msgid, pattern, needle in leftovers:
        if needle in text and pattern.search(text):
            hits.append(msgid)
            text = pattern.sub(" ", text)
    hits.extend(
        f"(reference data) {name}"
        for name in names
        if re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text)
    )
    return hits


class _Ids(dict):
    def __missing__(self, key: str) -> str:
        return f"no-such-{key}"


# POSTs that would end the session or build a workbook rather than show a page.
_NOT_PAGES = {("auth.logout", "POST"), ("hq.exports", "POST")}


def _requests(world, planned_code: str):
    """(role, method, path, data) of every page the matrix lists, and a few it cannot."""
    ids = _Ids(world.ids)
    for row in MATRIX:
        if row.json is not None or (row.endpoint, row.method) in _NOT_PAGES:
            continue
        for role in ("anon", "own", "other", "hq", "obs", "nat"):
            expected = getattr(row, role)
            expected = expected if isinstance(expected, tuple) else (expected,)
            if row.method == "POST" and not ({200, 422} & set(expected)):
                continue  # a POST that only redirects shows no page of its own
            data = {k: v.format_map(ids) if isinstance(v, str) else v for k, v in row.data.items()}
            yield role, row.method, row.path.format_map(ids), data
    # Field errors of WTForms' own validators (a date that is not one, a search too long).
    yield "own", "GET", "/review/?date_from=nope&q=" + "x" * 300, {}
    yield "hq", "POST", "/hq/stops/new", {"date": "nope", "grace_hours": "many", "city": "Fès"}
    for role in ("anon", "hq"):
        yield role, "GET", "/no-such-page", {}
        yield role, "GET", f"/f/{planned_code}", {}  # a stop that has not opened yet
        yield role, "POST", f"/f/{world.ids['code_a']}", {"organisation": ""}  # errors


def _switch_problems(app, html: str) -> list[str]:
    """Each link of the language switch must open a page (a GET route), in that language."""
    from urllib.parse import parse_qs, urlsplit

    from werkzeug.exceptions import HTTPException

    nav = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S)
    if nav is None:
        return ["no language switch"]
    adapter = app.url_map.bind("localhost")
    problems = []
    for href in re.findall(r'href="([^"]+)"', nav.group(0)):
        url = urlsplit(href.replace("&amp;", "&"))
        try:
            adapter.match(url.path, method="GET")
        except HTTPException as exc:
            problems.append(f"switch link {href} answers {exc.code}")
        if len(parse_qs(url.query).get("lang", [])) != 1:
            problems.append(f"switch link {href} has no single lang")
    if len(re.findall(r"href=", nav.group(0))) != 2:
        problems.append("the switch does not offer the two other languages")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_is_in_the_reader_language(
    app, session, world, make_stop, language: str
) -> None:
    planned = make_stop(city="Tiznit", status=StopStatus.PLANNED)
    clients = {"anon": app.test_client()}
    for role in ("other", "own", "hq", "obs", "nat"):
        clients[role] = signed_in(app, world.emails[role])
    for client in clients.values():
        client.set_cookie("lang", language)
    leftovers = _french_leftovers(language) if language != "fr" else []
    if language != "en":
        leftovers += _wtforms_english()
    names = _reference_names(session, language) if language != "fr" else []
    direction = "rtl" if language == "ar" else "ltr"
    failures, pages = [], 0
    for role, method, path, data in _requests(world, planned.code):
        client = clients[role]
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post(path, data={**data, "csrf_token": csrf_for(app, client)})
        if response.status_code in (301, 302, 303) or response.mimetype != "text/html":
            continue
        pages += 1
        body = response.get_data(as_text=True)
        text, html_attrs = visible(body, language)
        where = f"{role} {method} {path} ({response.status_code})"
        if html_attrs.get("lang") != language or html_attrs.get("dir") != direction:
            failures.append(
                f"{where}: <html lang={html_attrs.get('lang')!r} dir={html_attrs.get('dir')!r}>"
            )
        hits = untranslated(text, leftovers, names)
        failures.extend(f"{where}: {problem}" for problem in _switch_problems(app, body))
        if hits:
            failures.append(f"{where}: text not in {language}: {hits[:8]}")
    assert pages > 30, f"only {pages} HTML pages rendered"
    assert not failures, "\n".join(failures)


# --- choosing the language ------------------------------------------------------------------


def _html_lang(response) -> str | None:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', response.get_data(as_text=True))
    return match and f"{match.group(1)}/{match.group(2)}"


def test_language_from_url_then_cookie_then_browser_then_french(client) -> None:
    assert _html_lang(client.get("/")) == "fr/ltr"
    assert _html_lang(client.get("/", headers={"Accept-Language": "ar-MA,ar;q=0.9"})) == "ar/rtl"
    assert _html_lang(client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})) == "en/ltr"
    assert _html_lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "fr/ltr"

    chosen = client.get("/?lang=en", headers={"Accept-Language": "ar"})
    assert _html_lang(chosen) == "en/ltr"
    assert "lang=en" in chosen.headers.get("Set-Cookie", "")
    # The cookie now wins over the browser's preference, on any page.
    assert _html_lang(client.get("/login", headers={"Accept-Language": "ar"})) == "en/ltr"
    assert _html_lang(client.get("/?lang=xx")) == "en/ltr"  # unknown: ignored
    assert _html_lang(client.get("/?lang=ar")) == "ar/rtl"
    # A shared cache must not serve one reader's language to another.
    assert {"Accept-Language", "Cookie"} <= set(client.get("/").vary)
    assert "Accept-Language" in client.get("/api/v1/stops/NOPE").vary


def test_the_switch_links_keep_the_page_and_its_query(client) -> None:
    html = client.get("/?code=nope").get_data(as_text=True)
    switch = html[html.index('class="lang-switch"') :]
    switch = switch[: switch.index("</nav>")]
    links = re.findall(r'href="([^"]+)"', switch)
    assert sorted(links) == ["/?code=nope&amp;lang=ar", "/?code=nope&amp;lang=en"]
    assert 'aria-current="true" lang="fr"' in switch


def test_public_form_in_arabic_through_the_post_and_the_receipt(client, session, open_stop) -> None:
    from feedback_app.models import Submission

    page = client.get(f"/f/{open_stop.code}?lang=ar")
    html = page.get_data(as_text=True)
    assert _html_lang(page) == "ar/rtl"
    assert "إرسال مساهمتي" in html
    assert "10 يناير 2025" in html  # the stop's date, in Arabic with Western digits
    token = csrf_token(html)

    # A mistake: the errors come back in Arabic, next to the fields.
    refused = client.post(f"/f/{open_stop.code}", data={"csrf_token": token, "organisation": ""})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert _html_lang(refused) == "ar/rtl"
    assert "هذه الخانة إلزامية." in body
    assert "Ce champ est obligatoire." not in body

    payload = valid_payload()
    sent = client.post(
        f"/f/{open_stop.code}",
        data={
            "csrf_token": token,
            "client_id": payload["client_id"],
            "organisation": "فندق الأطلس",
            "category": "hebergement",
            "need-0-text": "تكوين المستقبلين في اللغات",
        },
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)[:500]
    receipt = client.get(sent.headers["Location"])
    assert _html_lang(receipt) == "ar/rtl"
    assert "شكرًا، تم تسجيل مساهمتكم." in receipt.get_data(as_text=True)
    stored = session.scalar(select(Submission).where(Submission.organisation == "فندق الأطلس"))
    assert stored is not None and stored.language == "ar"


def test_api_errors_follow_accept_language(client, open_stop) -> None:
    url = f"/api/v1/stops/{open_stop.code}/submissions"
    for language, missing_stop, required in (
        ("ar", "المحطة غير موجودة.", "هذه الخانة إلزامية."),
        ("en", "Stop not found.", "This field is required."),
        ("fr", "Étape introuvable.", "Ce champ est obligatoire."),
    ):
        headers = {"Accept-Language": language}
        unknown = client.post(
            "/api/v1/stops/NOPE/submissions", json=valid_payload(), headers=headers
        )
        assert unknown.status_code == 404
        assert unknown.get_json()["error"] == missing_stop
        invalid = client.post(url, json=valid_payload(organisation=""), headers=headers)
        assert invalid.status_code == 422
        assert required in invalid.get_json()["errors"]["organisation"]
        # Routing errors too, not werkzeug's English.
        wrong = client.get(url, headers=headers)
        assert wrong.status_code == 405
        assert wrong.get_json()["error"] != "The method is not allowed for the requested URL."
    english = client.get("/api/v1/no-such-endpoint", headers={"Accept-Language": "ar"})
    assert english.status_code == 404
    assert "The requested URL" not in english.get_json()["error"]


def test_api_describes_a_stop_in_the_reader_language(client, open_stop) -> None:
    body = client.get(
        f"/api/v1/stops/{open_stop.code}", headers={"Accept-Language": "ar"}
    ).get_json()
    assert body["region"]["name"] == body["region"]["name_ar"]
    assert {k["label"] for k in body["kinds"]} == {"حاجة", "فرصة", "تحدٍّ", "مقترح"}


def test_numbers_and_dates_follow_the_locale(app) -> None:
    import datetime as dt

    from flask_babel import format_date, format_datetime, format_decimal

    when = dt.datetime(2025, 6, 15, 13, 5, tzinfo=dt.UTC)  # UTC+1 in Casablanca
    with _request(app, "/?lang=ar"):
        # Morocco writes Arabic with Western digits and a 24-hour clock.
        assert format_decimal(1234567.5) == "1.234.567,5"
        assert format_date(dt.date(2025, 1, 10), "long") == "10 يناير 2025"
        assert "14:05" in format_datetime(when, "short")
    with _request(app, "/?lang=en"):
        assert format_date(dt.date(2025, 1, 10), "long") == "10 January 2025"
    with _request(app, "/"):
        assert format_date(dt.date(2025, 1, 10), "long") == "10 janvier 2025"


def test_page_check_sees_interface_french_but_not_user_text() -> None:
    leftovers = _french_leftovers("en")
    html = (
        '<html lang="en" dir="ltr"><body><h1>Contributions</h1>'
        '<p dir="auto">Proposition : former les guides</p>'
        '<button aria-label="Tout cocher">x</button>'
        '<nav><span lang="fr">Français</span></nav>'
        "<p>Page 2 sur 5</p><code>Besoin</code></body></html>"
    )
    text, attrs = visible(html, "en")
    assert attrs == {"lang": "en", "dir": "ltr"}
    assert "Proposition" not in text and "Français" not in text and "Besoin" not in text
    assert untranslated(text, leftovers, []) == ["Page %(page)d sur %(pages)d", "Tout cocher"]
    assert untranslated(text, leftovers, ["Souss-Massa"]) == untranslated(text, leftovers, [])
    assert untranslated("Région : Souss-Massa", [], ["Souss-Massa"]) == [
        "(reference data) Souss-Massa"
    ]


def test_wording_counts_elides_and_writes_arabic_lists_and_months(app, session, world) -> None:
    import datetime as dt

    oujda = add_stop(session, "Oujda", "oriental", dt.date(2025, 5, 12), venue="Salle B")
    hq = session_for(app, session, world.emails["hq"])
    group = f"/review/ideas/{world.ids['group_a']}"
    # Two items of one organisation in one region: singulars where there is one.
    assert "1 organisation · 1 région" in hq.get(group + "?lang=fr").get_data(as_text=True)
    # The section's heading is not a second "Titre" above the field's own label.
    assert hq.get(group + "?lang=fr").get_data(as_text=True).count(">Titre<") == 1
    # French elides "de" before a vowel, not before a consonant.
    assert "Ouvrir l'étape d'<bdi>Oujda" in hq.get(f"/hq/stops/{oujda.id}/open?lang=fr").get_data(
        as_text=True
    )
    marrakech = hq.get(f"/hq/stops/{world.ids['stop_a']}/close?lang=fr").get_data(as_text=True)
    assert "Clôturer l'étape de <bdi>" in marrakech
    # The poster's Arabic half writes May as the Moroccan form does.
    poster = hq.get(f"/hq/stops/{oujda.id}/poster").get_data(as_text=True)
    assert "12 ماي 2025" in poster and "مايو" not in poster
    # Lists of names: the Arabic comma alone in Arabic (CLDR's pattern would glue "و" onto the
    # next name), the language's pattern elsewhere.
    assert join_list(["الرباط", "فاس", "طنجة"], "ar") == "الرباط، فاس، طنجة"
    assert join_list(["Rabat", "Fès", "Tanger"], "fr") == "Rabat, Fès et Tanger"
    make_user(session, "deux@example.ma", regions=("souss-massa", "oriental"), name="Deux")
    users = hq.get("/hq/users?lang=ar").get_data(as_text=True)
    assert "سوس ماسة، الشرق" in users or "الشرق، سوس ماسة" in users
    assert not re.search(r"(سوس ماسة|الشرق)(,| و)", users)
    french = hq.get("/hq/users?lang=fr").get_data(as_text=True)
    assert re.search(r"Souss-Massa et L&#39;Oriental|L&#39;Oriental et Souss-Massa", french)
