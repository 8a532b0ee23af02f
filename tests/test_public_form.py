"""The public pages through the test client: stop list, code lookup, the form and its receipt."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from sqlalchemy import func, select, update

from feedback_app.database import write_transaction
from feedback_app.models import FeedbackItem, StopStatus, Submission, SubmissionSource, TourStop
from tests.conftest import csrf_token, hidden_value

KINDS = ("need", "opportunity", "challenge", "proposal")


class Page(HTMLParser):
    """Just enough of the DOM for the assertions: elements by id, labels, field values."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.textareas: dict[str, str] = {}
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {"tag": tag, **dict(attrs)}
        if "id" in attributes:
            self.by_id[attributes["id"] or ""] = attributes
        if tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"] or "")
        if tag in ("input", "select", "textarea"):
            self.controls.append(attributes)
        if tag == "textarea":
            self._textarea = attributes.get("name")
            self.textareas[self._textarea or ""] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None:
            # Browsers drop the line break that directly follows <textarea>.
            text = self.textareas[self._textarea]
            self.textareas[self._textarea] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.textareas[self._textarea] += data

    def value(self, element_id: str) -> str | None:
        return self.by_id[element_id].get("value")


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def form_data(html: str, **fields: str) -> dict[str, str]:
    """What a browser posts from the rendered form, with `fields` typed in."""
    data = {
        "csrf_token": csrf_token(html),
        "client_id": hidden_value(html, "client_id"),
        "organisation": "",
        "category": "",
        "job_title": "",
        "name": "",
        "email": "",
        "phone": "",
    }
    for kind in KINDS:
        data.update({f"{kind}-0-text": "", f"{kind}-0-theme": "", f"{kind}-0-priority": ""})
    data.update(fields)
    return data


def typed(html: str, **extra: str) -> dict[str, str]:
    fields = {
        "organisation": "Riad Dar L'Atlas & fils",
        "category": "hebergement",
        "need-0-text": "Former nos réceptionnistes <en anglais>.",
        "proposal-0-text": "اقتراح إنشاء منصة رقمية جهوية.",
        "proposal-0-theme": "digitalisation",
    }
    return form_data(html, **{**fields, **extra})


def test_index_lists_open_stops_by_region(client, make_stop) -> None:
    make_stop(region="souss-massa", city="Agadir")
    make_stop(region="marrakech-safi", city="Safi")
    make_stop(region="oriental", city="Oujda", status=StopStatus.PLANNED)
    make_stop(region="fes-meknes", city="Meknès", status=StopStatus.CLOSED)

    html = client.get("/").get_data(as_text=True)
    assert "Agadir" in html and "Safi" in html
    assert "Oujda" not in html and "Meknès" not in html
    # Grouped under each region's heading, in the official order (Marrakech-Safi before Souss).
    marrakech, souss = html.index("<h3>Marrakech-Safi</h3>"), html.index("<h3>Souss-Massa</h3>")
    assert marrakech < html.index("Safi</strong>") < souss < html.index("Agadir</strong>")
    assert "L&#39;Oriental" not in html and "Fès-Meknès" not in html


def test_index_without_open_stops_says_so(client, make_stop) -> None:
    make_stop(status=StopStatus.PLANNED)
    response = client.get("/")
    assert response.status_code == 200
    assert "Aucune étape n'est ouverte" in unescape(response.get_data(as_text=True))


def test_typed_code_leads_to_the_form(client, open_stop, subtests) -> None:
    code = open_stop.code
    for typed_code in (
        code,
        code.upper(),
        f" {code[:4]}-{code[4:]} ",
        f"{code[:4]} {code[4:]}",
        f"https://tournee.example.ma/f/{code}?lang=ar",
    ):
        with subtests.test(typed=typed_code):
            response = client.get("/", query_string={"code": typed_code})
            assert response.status_code == 302
            assert response.headers["Location"].endswith(f"/f/{code}")


def test_unknown_code_shows_an_error_next_to_the_field(client, open_stop) -> None:
    response = client.get("/", query_string={"code": "ZZZZ-9999"})
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    field = page.by_id["code"]
    assert field["value"] == "ZZZZ-9999"
    assert field["aria-invalid"] == "true" and field["aria-describedby"] == "code-error"
    assert page.by_id["code-error"]["role"] == "alert"
    assert "Aucune étape ne porte ce code" in response.get_data(as_text=True)


def test_a_stop_that_is_not_open_shows_a_polite_page(client, make_stop) -> None:
    planned = make_stop(city="Ouarzazate", status=StopStatus.PLANNED)
    closed = make_stop(city="Essaouira", status=StopStatus.CLOSED)
    for stop, wording in ((planned, "aura lieu le 10 janvier 2025"), (closed, "est terminée")):
        response = client.get(f"/f/{stop.code}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert wording in html and stop.city in html
        assert 'method="post"' not in html and "organisation" not in html

    response = client.get("/f/zzzzzzzz")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_the_form_labels_every_field(client, open_stop) -> None:
    response = client.get(f"/f/{open_stop.code}")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    visible = [c for c in page.controls if c.get("type") not in ("hidden", "submit")]
    names = {c["name"] for c in visible}
    assert {
        "organisation",
        "category",
        "job_title",
        "consent_contact",
        "name",
        "email",
        "phone",
    } <= names
    assert {f"{kind}-0-{part}" for kind in KINDS for part in ("text", "theme", "priority")} <= names
    unlabelled = [c["name"] for c in visible if c.get("id") not in page.label_for]
    assert unlabelled == []
    assert "required" in page.by_id["organisation"]
    assert page.by_id["organisation"]["aria-required"] == "true"
    # The stop's region and city are shown, never asked.
    assert "region" not in names and "stop" not in names
    assert "Marrakech-Safi" in response.get_data(as_text=True)


def test_a_valid_post_redirects_to_the_receipt(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    response = client.post(f"/f/{open_stop.code}", data=typed(html))
    assert response.status_code == 302

    submission = session.scalars(select(Submission)).one()
    assert response.headers["Location"].endswith(
        f"/f/{open_stop.code}/receipt/{submission.reference}"
    )
    assert submission.source is SubmissionSource.FORM
    assert submission.organisation == "Riad Dar L'Atlas & fils"
    assert submission.region.slug == "marrakech-safi" and submission.stop_id == open_stop.id
    assert [(i.kind.value, i.text) for i in submission.items] == [
        ("need", "Former nos réceptionnistes <en anglais>."),
        ("proposal", "اقتراح إنشاء منصة رقمية جهوية."),
    ]
    assert submission.items[1].theme.code == "digitalisation"

    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert submission.reference in receipt.get_data(as_text=True)
    assert "Merci" in receipt.get_data(as_text=True)


def test_the_receipt_page_shows_only_this_stops_references(client, make_stop, session) -> None:
    stop, other = make_stop(), make_stop(region="oriental", city="Oujda")
    html = client.get(f"/f/{stop.code}").get_data(as_text=True)
    location = client.post(f"/f/{stop.code}", data=typed(html)).headers["Location"]
    reference = session.scalar(select(Submission.reference))

    assert client.get(location.replace(reference, reference.lower())).status_code == 200
    for url in (
        f"/f/{other.code}/receipt/{reference}",
        f"/f/{stop.code}/receipt/MS-0000-0000",
        f"/f/{stop.code}/receipt/MS-%00",
        f"/f/zzzzzzzz/receipt/{reference}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Merci" not in response.get_data(as_text=True)


def test_a_double_post_stores_once_and_shows_the_same_receipt(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = typed(html)
    first = client.post(f"/f/{open_stop.code}", data=data)
    second = client.post(f"/f/{open_stop.code}", data=data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert count(session, Submission) == 1 and count(session, FeedbackItem) == 2

    # Reloading the form gives a new client_id: a second contribution is a new submission.
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    assert hidden_value(html, "client_id") != data["client_id"]
    third = client.post(f"/f/{open_stop.code}", data=typed(html))
    assert third.headers["Location"] != first.headers["Location"]
    assert count(session, Submission) == 2


def test_a_validation_error_keeps_everything_typed(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = typed(
        html,
        organisation="   ",
        consent_contact="y",
        name="Salma Tazi",
        email="salma@",
        phone="06 12 34 56 78",
        job_title="Gérante",
        **{"challenge-0-text": "x" * 4001, "need-0-priority": "high"},
    )
    response = client.post(f"/f/{open_stop.code}", data=data)

    assert response.status_code == 422
    assert count(session, Submission) == 0
    page = Page(response.get_data(as_text=True))
    for field in ("organisation", "email"):
        assert page.by_id[field]["aria-invalid"] == "true"
        assert field + "-error" in (page.by_id[field]["aria-describedby"] or "")
        assert page.by_id[field + "-error"]["tag"] == "p"
    assert page.by_id["challenge-0-text"]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.by_id["name"]
    assert page.by_id["error-summary"]["role"] == "alert"
    # What was typed is all there, the same client_id included.
    assert page.value("client_id") == data["client_id"]
    assert page.value("email") == "salma@"
    assert page.value("name") == "Salma Tazi" and page.value("job_title") == "Gérante"
    assert page.value("phone") == "06 12 34 56 78"
    assert "checked" in page.by_id["consent_contact"]
    assert page.textareas["need-0-text"] == data["need-0-text"]
    assert page.textareas["proposal-0-text"] == data["proposal-0-text"]
    assert page.textareas["challenge-0-text"] == "x" * 4001
    assert re.search(r'<option selected value="hebergement">', response.get_data(as_text=True))
    assert re.search(r'<option selected value="high">', response.get_data(as_text=True))

    # Corrected and sent again with the same page, it is stored once.
    corrected = {
        **data,
        "organisation": "Riad Dar Atlas",
        "email": "salma@example.ma",
        "challenge-0-text": "La saisonnalité.",
        "csrf_token": page.value("csrf_token") or "",
    }
    assert client.post(f"/f/{open_stop.code}", data=corrected).status_code == 302
    assert client.post(f"/f/{open_stop.code}", data=corrected).status_code == 302
    assert count(session, Submission) == 1
    assert session.scalar(select(Submission.email)) == "salma@example.ma"


def test_an_empty_form_asks_for_at_least_one_entry(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    response = client.post(
        f"/f/{open_stop.code}", data=form_data(html, organisation="Riad", category="guide")
    )
    assert response.status_code == 422
    assert "Écrivez au moins un besoin" in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_a_stale_csrf_token_re_renders_the_form_with_the_text_kept(
    client, app, open_stop, session
) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = typed(html, csrf_token="IjBkZWFk.expired.token")
    response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code == 422
    page = Page(response.get_data(as_text=True))
    assert page.value("organisation") == "Riad Dar L'Atlas & fils"
    assert page.textareas["need-0-text"] == data["need-0-text"]
    assert page.value("client_id") == data["client_id"]
    assert "rien n'est perdu" in unescape(response.get_data(as_text=True))
    assert count(session, Submission) == 0

    # The re-rendered page carries a working token: sending again stores the submission.
    again = {**data, "csrf_token": page.value("csrf_token") or ""}
    assert client.post(f"/f/{open_stop.code}", data=again).status_code == 302

    # A browser whose session cookie is gone (phone restarted) is not shown a bare 400 either.
    stranger = app.test_client()
    response = stranger.post(f"/f/{open_stop.code}", data=typed(html))
    assert response.status_code == 422
    assert Page(response.get_data(as_text=True)).value("organisation") == "Riad Dar L'Atlas & fils"
    assert count(session, Submission) == 1


def test_add_another_entry_without_javascript(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = typed(html, add="need")
    response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code == 200
    assert count(session, Submission) == 0
    page = Page(response.get_data(as_text=True))
    assert page.textareas["need-0-text"] == data["need-0-text"]
    assert page.textareas["need-1-text"] == ""
    assert "need-1-text" in page.label_for
    assert "opportunity-1-text" not in page.textareas
    assert page.value("organisation") == "Riad Dar L'Atlas & fils"
    assert page.value("client_id") == data["client_id"]

    # The second box is posted and stored after the first.
    data = form_data(
        response.get_data(as_text=True),
        organisation="Riad",
        category="guide",
        **{
            "need-0-text": "Premier besoin",
            "need-1-text": "Second besoin",
            "need-1-theme": "",
            "need-1-priority": "",
        },
    )
    assert client.post(f"/f/{open_stop.code}", data=data).status_code == 302
    texts = session.scalars(select(FeedbackItem.text).order_by(FeedbackItem.position)).all()
    assert texts == ["Premier besoin", "Second besoin"]


def test_posting_after_the_stop_closed_keeps_the_text(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    with write_transaction(session):
        session.execute(
            update(TourStop).where(TourStop.id == open_stop.id).values(status=StopStatus.CLOSED)
        )
    response = client.post(f"/f/{open_stop.code}", data=typed(html))
    assert response.status_code in (409, 422)
    page = Page(response.get_data(as_text=True))
    assert page.textareas["need-0-text"] == "Former nos réceptionnistes <en anglais>."
    assert count(session, Submission) == 0


def test_a_body_over_the_cap_is_refused_with_413(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    response = client.post(
        f"/f/{open_stop.code}", data=typed(html, **{"need-0-text": "x" * (1024 * 1024 + 1)})
    )
    assert response.status_code == 413
    assert "text/html" in response.content_type
    assert count(session, Submission) == 0


def test_entries_are_singular_and_the_page_returns_to_the_new_one(client, open_stop) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    assert ">Besoin 1</label>" in html and "Besoins 1" not in html
    assert "<legend>Besoins</legend>" in html
    # Without JavaScript the page comes back at the box just added, its cursor in it.
    add = re.search(r'<button[^>]*name="add" value="need"[^>]*>', html).group(0)
    assert f'formaction="/f/{open_stop.code}#need-1-entry"' in add
    response = client.post(f"/f/{open_stop.code}", data=typed(html, add="need"))
    page = Page(response.get_data(as_text=True))
    assert page.by_id["need-1-entry"]["tag"] == "div"
    assert "autofocus" in page.by_id["need-1-text"]
    assert "autofocus" not in page.by_id["need-0-text"]


def test_an_added_entry_can_be_removed_without_javascript(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    # a single box cannot be removed
    assert re.search(r'<button[^>]*value="need-0"[^>]*hidden', html)
    html = client.post(f"/f/{open_stop.code}", data=typed(html, add="need")).get_data(as_text=True)
    html = client.post(
        f"/f/{open_stop.code}",
        data=form_data(
            html,
            organisation="Riad",
            category="guide",
            add="need",
            **{"need-0-text": "Premier", "need-1-text": "Second"},
        ),
    ).get_data(as_text=True)
    data = form_data(
        html,
        organisation="Riad",
        category="guide",
        remove="need-1",
        **{
            "need-0-text": "Premier",
            "need-1-text": "Second",
            "need-2-text": "Troisième",
            "need-2-priority": "high",
        },
    )
    response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code == 200 and count(session, Submission) == 0
    page = Page(response.get_data(as_text=True))
    # the second is gone, the third moved up with its priority, the page returns to its kind
    assert page.textareas["need-0-text"] == "Premier"
    assert page.textareas["need-1-text"] == "Troisième"
    assert "need-2-text" not in page.textareas
    assert re.search(
        r'<select id="need-1-priority"[^>]*>.*?<option selected value="high">',
        response.get_data(as_text=True),
        re.S,
    )
    remove = re.search(r'<button[^>]*value="need-1"[^>]*>', response.get_data(as_text=True))
    assert f'formaction="/f/{open_stop.code}#kind-need"' in remove.group(0)
    data = form_data(
        response.get_data(as_text=True),
        organisation="Riad",
        category="guide",
        **{"need-0-text": "Premier", "need-1-text": "Troisième"},
    )
    assert client.post(f"/f/{open_stop.code}", data=data).status_code == 302
    texts = session.scalars(select(FeedbackItem.text).order_by(FeedbackItem.position)).all()
    assert texts == ["Premier", "Troisième"]


def test_contact_typed_without_consent_asks_to_tick_or_clear(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    assert 'id="contact-notice"' in html  # the live notice form.js shows
    data = typed(html, name="Samira Alaoui", email="samira@example.ma")
    response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code == 422 and count(session, Submission) == 0
    text = unescape(response.get_data(as_text=True))
    assert "cochez-la pour être recontacté(e), ou effacez-les" in text
    page = Page(response.get_data(as_text=True))
    assert page.by_id["consent_contact"]["aria-invalid"] == "true"
    assert page.value("name") == "Samira Alaoui"  # kept, to be ticked or cleared
    # cleared: sent, and nothing about the person is stored
    cleared = {
        **data,
        "name": "",
        "email": "",
        "client_id": data["client_id"],
        "csrf_token": csrf_token(response.get_data(as_text=True)),
    }
    assert client.post(f"/f/{open_stop.code}", data=cleared).status_code == 302
    stored = session.scalars(select(Submission)).one()
    assert (stored.person_name, stored.email, stored.consent_contact) == (None, None, False)


def test_a_bad_email_is_refused_with_or_without_consent(client, open_stop, session) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    for consent in ({"consent_contact": "y"}, {}):
        data = typed(html, email="samira@@example", phone="123", **consent)
        response = client.post(f"/f/{open_stop.code}", data=data)
        assert response.status_code == 422
        page = Page(response.get_data(as_text=True))
        assert page.by_id["email"]["aria-invalid"] == "true"
        assert page.by_id["phone"]["aria-invalid"] == "true"
        assert "Adresse e-mail non valide." in response.get_data(as_text=True)
    assert count(session, Submission) == 0


def test_the_receipt_hint_is_on_both_receipts(client, open_stop) -> None:
    hint = "Notez-la ou faites une capture d'écran"
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    done = unescape(html[html.index('id="done"') : html.index('id="outbox"')])
    assert hint in done  # the JavaScript receipt, shown with the reference
    response = client.post(f"/f/{open_stop.code}", data=typed(html))
    assert hint in unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def test_favicon_and_manifest_are_served(client) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/png"
    assert icon.data.startswith(b"\x89PNG")
    html = client.get("/").get_data(as_text=True)
    link = re.search(r'<link rel="manifest" href="([^"]+)"', html).group(1)
    manifest = client.get(link)
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["start_url"] == "/" and body["display"] == "standalone"
    for icon in body["icons"]:
        fetched = client.get(icon["src"])
        assert fetched.status_code == 200, icon["src"]
        if icon["type"] == "image/png":
            width = int.from_bytes(fetched.data[16:20], "big")
            assert icon["sizes"] == f"{width}x{width}"
    arabic = client.get(link, headers={"Accept-Language": "ar"}).get_json(force=True)
    assert arabic["lang"] == "ar" and arabic["dir"] == "rtl"


def test_consent_and_bad_contact_details_are_reported_in_one_round(
    client, open_stop, session
) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    data = typed(html, name="Samira", email="samira@@example", phone="06 12")  # box unticked
    response = client.post(f"/f/{open_stop.code}", data=data)
    assert response.status_code == 422 and count(session, Submission) == 0
    page = Page(response.get_data(as_text=True))
    for control in ("consent_contact", "email", "phone"):
        assert page.by_id[control]["aria-invalid"] == "true", control
    text = unescape(response.get_data(as_text=True))
    contact = text[text.index('class="card contact"') : text.index('<div class="hp"')]
    # One message about the box: its error (no static hint, the live notice hidden), and one
    # that does not promise to "not keep" what is not even sent.
    assert contact.count('class="error"') == 3
    assert "effacez-les pour envoyer sans elles." in contact
    assert "conserv" not in contact.replace("conservées au plus tard", "")
    assert '<p class="notice warn" id="contact-notice" role="status" hidden>' in contact


def test_the_form_says_it_is_anonymous_and_the_name_is_optional(client, open_stop) -> None:
    html = unescape(client.get(f"/f/{open_stop.code}").get_data(as_text=True))
    assert "Le formulaire est anonyme" in html
    assert '<label for="name">Nom et prénom (facultatif)</label>' in html
    arabic = unescape(client.get(f"/f/{open_stop.code}?lang=ar").get_data(as_text=True))
    assert "Le formulaire est anonyme" not in arabic and "(facultatif)" not in arabic


def test_the_phone_example_never_wraps_and_reads_left_to_right(client, open_stop) -> None:
    html = client.get(f"/f/{open_stop.code}?lang=ar").get_data(as_text=True)
    response = client.post(f"/f/{open_stop.code}", data=typed(html, phone="12"))
    error = re.search(r'id="phone-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    assert error
    # Isolated left to right (what <bdi dir="ltr"> does) with no-break spaces (nowrap):
    # "78)." cannot be left alone on a line, and the number keeps its order in Arabic.
    assert "\u206606\u00a012\u00a034\u00a056\u00a078\u2069)" in unescape(error.group(1))
    assert "مثال" in error.group(1)


def test_another_contribution_keeps_organisation_and_category(client, open_stop) -> None:
    html = client.get(f"/f/{open_stop.code}").get_data(as_text=True)
    response = client.post(f"/f/{open_stop.code}", data=typed(html))
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    again = re.search(r'href="([^"]*again=1[^"]*)">Envoyer une autre contribution', receipt)
    assert again
    page = Page(client.get(unescape(again.group(1))).get_data(as_text=True))
    assert page.value("organisation") == "Riad Dar L'Atlas & fils"
    assert page.by_id["category"] is not None
    form = client.get(unescape(again.group(1))).get_data(as_text=True)
    assert re.search(r'<option selected value="hebergement">|value="hebergement" selected', form)
    assert page.textareas["need-0-text"] == ""
    # A plain visit of the form (someone else, another day) starts blank.
    assert Page(client.get(f"/f/{open_stop.code}").get_data(as_text=True)).value(
        "organisation"
    ) in (None, "")
