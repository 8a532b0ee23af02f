"""Submissions under attack: replays across stops, odd identifiers, oversized and expanding
bodies, invisible text, and a job title given without consent."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from feedback_app.models import FeedbackItem, Role, Submission, SubmissionSource
from feedback_app.models.types import utcnow
from feedback_app.services.capture.submissions import submit
from feedback_app.services.privacy.personal_data import erase_contacts, purge_expired_contacts
from tests.conftest import post_public_form, valid_payload
from tests.staff import make_user


def _url(code: str) -> str:
    return f"/api/v1/stops/{code}/submissions"


def test_a_client_id_stored_at_one_stop_is_refused_at_another(client, make_stop, session) -> None:
    first, second = make_stop(), make_stop(city="Agadir")
    payload = valid_payload()
    stored = client.post(_url(first.code), json=payload)
    assert stored.status_code == 201
    other = client.post(_url(second.code), json=payload)
    assert other.status_code == 409
    assert stored.get_json()["reference"] not in other.get_data(as_text=True)
    # At its own stop it is still the replay it always was.
    assert client.post(_url(first.code), json=payload).get_json() == stored.get_json()


def test_the_nil_uuid_is_not_a_client_id(client, open_stop, session) -> None:
    response = client.post(
        _url(open_stop.code), json=valid_payload(client_id="00000000-0000-0000-0000-000000000000")
    )
    assert response.status_code == 422
    assert "client_id" in response.get_json()["errors"]
    assert session.scalar(select(Submission.id)) is None


def _chunked(client, path: str, body: bytes, content_type: str):
    # What gunicorn hands over for "Transfer-Encoding: chunked": no Content-Length, and a
    # stream the server itself terminates.
    return client.post(
        path,
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked", "Content-Type": content_type},
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_over_the_limit_answers_413(client, open_stop, session) -> None:
    big = 2 * 1024 * 1024
    payload = json.dumps(valid_payload(organisation="x" * big)).encode()
    api = _chunked(client, _url(open_stop.code), payload, "application/json")
    assert api.status_code == 413 and api.get_json()["error"]
    form = _chunked(
        client,
        f"/f/{open_stop.code}",
        b"organisation=" + b"x" * big,
        "application/x-www-form-urlencoded",
    )
    assert form.status_code == 413
    assert session.scalar(select(Submission.id)) is None


def test_a_chunked_body_within_the_limit_is_stored(client, open_stop, session) -> None:
    payload = json.dumps(valid_payload()).encode()
    response = _chunked(client, _url(open_stop.code), payload, "application/json")
    assert response.status_code == 201


@pytest.mark.parametrize(
    "organisation",
    [
        "\u202e\u200f",
        "\u200b\u200d\ufeff",
        "\u0301\u064b",
        "\u3164",
        "\u115f\u1160",
        "\u2800",
        "\uffa0",
    ],
)
def test_an_organisation_of_invisible_characters_is_refused(
    client, open_stop, session, organisation: str
) -> None:
    response = client.post(_url(open_stop.code), json=valid_payload(organisation=organisation))
    assert response.status_code == 422
    assert response.get_json()["errors"]["organisation"] == [
        "Ce texte ne contient aucun caractère visible."
    ]
    form = post_public_form(client, open_stop.code, organisation=organisation)
    assert form.status_code == 422
    assert "aucun caractère visible" in form.get_data(as_text=True)


# The characters whose folded (NFKD) form is the longest: U+FDFA is 18 letters, U+FDFB 8,
# U+3300 a katakana word with its sound marks, U+FB4F and U+2474 a few more.
EXPANDING = "\ufdfa\ufdfb\u3300\ufb4f\u2474"


def _stored_bytes(session, submission_id: int) -> int:
    submission = session.get(Submission, submission_id)
    texts = [
        submission.organisation,
        submission.reference,
        submission.search_text,
        submission.person_name,
        submission.job_title,
        submission.email,
        submission.phone,
    ]
    texts += list(
        session.scalars(
            select(FeedbackItem.text).where(FeedbackItem.submission_id == submission_id)
        )
    )
    return sum(len(t.encode()) for t in texts if t)


def test_stored_size_stays_within_three_times_the_input(client, open_stop, session) -> None:
    text = (EXPANDING * 1000)[:4000]
    payload = valid_payload(
        organisation=EXPANDING * 40, items=[{"kind": "need", "text": text}] * 40
    )
    body = json.dumps(payload, ensure_ascii=False).encode()
    response = client.post(_url(open_stop.code), data=body, content_type="application/json")
    assert response.status_code == 201
    assert _stored_bytes(session, response.get_json()["id"]) <= 3 * len(body)


def test_capped_search_text_still_finds_ordinary_words(client, open_stop, session) -> None:
    response = client.post(
        _url(open_stop.code),
        json=valid_payload(
            organisation="Straße Œuvre ﬁnance", items=[{"kind": "need", "text": "Hôtel ÉTÉ"}]
        ),
    )
    submission = session.get(Submission, response.get_json()["id"])
    assert "strasse oeuvre finance" in submission.search_text
    assert "hotel ete" in submission.search_text


CONTACT = {
    "name": "Fatima Zahra Benali",
    "job_title": "Directrice du Riad Dar Atlas",
    "email": "fatima.benali@riad-atlas.ma",
    "phone": "06 12 34 56 78",
}


def test_a_job_title_without_consent_is_not_kept(client, open_stop, session) -> None:
    response = client.post(
        _url(open_stop.code), json=valid_payload(consent_contact=False, **CONTACT)
    )
    submission = session.get(Submission, response.get_json()["id"])
    assert submission.job_title is None and submission.person_name is None
    # The stop form asks to tick the consent or clear the job title rather than drop it unsaid.
    form = post_public_form(client, open_stop.code, job_title=CONTACT["job_title"])
    assert form.status_code == 422
    assert "Vous avez saisi des coordonnées sans cocher cette case" in form.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(Submission.job_title)).all() == [None]


def test_purge_and_erasure_clear_the_job_title(session, open_stop) -> None:
    def stored() -> int:
        receipt = submit(
            session,
            open_stop.code,
            valid_payload(consent_contact=True, **CONTACT),
            source=SubmissionSource.API,
            received_at=utcnow().replace(year=utcnow().year - 2),
        )
        return receipt.id

    hq = make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    old, asked = stored(), stored()
    assert session.get(Submission, old).job_title == CONTACT["job_title"]
    assert erase_contacts(session, submission_ids=[asked], actor_id=hq.id) == 1
    assert purge_expired_contacts(session, retention_days=365) == 1
    session.expire_all()
    assert session.get(Submission, old).job_title is None
    assert session.get(Submission, asked).job_title is None
