"""The JSON API of SPEC.md: status codes, JSON errors for every failure, no HTML under /api/."""

from __future__ import annotations

import json
import threading
import uuid

from sqlalchemy import func, select

from feedback_app.models import FeedbackItem, StopStatus, Submission, SubmissionSource
from tests.conftest import valid_payload


def url(code: str) -> str:
    return f"/api/v1/stops/{code}/submissions"


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Submission)),
        session.scalar(select(func.count()).select_from(FeedbackItem)),
    )


def json_answer(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/json", response.content_type
    body = response.get_json()
    assert isinstance(body, dict)
    return body


def test_created_then_replayed(client, open_stop, session) -> None:
    payload = valid_payload(
        items=[
            {"kind": "need", "text": "Des vols directs."},
            {
                "kind": "proposal",
                "text": "Un éductour.",
                "theme": "promotion-marketing",
                "priority": "medium",
            },
        ]
    )
    created = json_answer(client.post(url(open_stop.code), json=payload), 201)
    assert set(created) == {"id", "reference"}
    assert isinstance(created["id"], int) and created["reference"].startswith("MS-")

    replayed = json_answer(client.post(url(open_stop.code), json=payload), 200)
    assert replayed == created
    assert counts(session) == (1, 2)
    submission = session.scalars(select(Submission)).one()
    assert submission.source is SubmissionSource.API
    assert submission.reference == created["reference"]


def test_invalid_input_answers_422_with_errors_by_field(client, open_stop, session) -> None:
    payload = valid_payload(
        organisation=" ",
        consent_contact=True,
        email="nope",
        items=[{"kind": "need", "text": "ok", "theme": "inconnu"}],
    )
    body = json_answer(client.post(url(open_stop.code), json=payload), 422)
    assert set(body["errors"]) == {"organisation", "email", "items.0.theme"}
    for messages in body["errors"].values():
        assert messages and all(isinstance(m, str) and m.strip() for m in messages)
    assert counts(session) == (0, 0)


def test_wrong_types_answer_422(client, open_stop, session, subtests) -> None:
    cases = [
        ({"organisation": 42}, "organisation"),
        ({"organisation": None}, "organisation"),
        ({"category": ["hebergement"]}, "category"),
        ({"items": "Former le personnel"}, "items"),
        ({"items": [["need", "Former le personnel"]]}, "items.0"),
        ({"items": [{"kind": "need", "text": {"fr": "x"}}]}, "items.0.text"),
        ({"items": [{"kind": 1, "text": "x"}]}, "items.0.kind"),
        ({"consent_contact": "yes"}, "consent_contact"),
        ({"client_id": "not-a-uuid"}, "client_id"),
        ({"client_id": 7}, "client_id"),
        ({"language": 1.5}, "language"),
    ]
    for overrides, field in cases:
        with subtests.test(field=field, overrides=repr(overrides)):
            body = json_answer(
                client.post(url(open_stop.code), json=valid_payload(**overrides)), 422
            )
            assert list(body["errors"]) == [field]
    for document in ([valid_payload()], "texte", 42, True):
        with subtests.test(document=repr(document)[:40]):
            body = json_answer(client.post(url(open_stop.code), json=document), 422)
            assert list(body["errors"]) == ["_body"]
    assert counts(session) == (0, 0)


def test_malformed_json_answers_400(client, open_stop, session, subtests) -> None:
    bodies = {
        "truncated": b'{"organisation": "Riad"',
        "empty": b"",
        "single quotes": b"{'organisation': 'Riad'}",
        "trailing comma": b'{"organisation": "Riad",}',
        "not utf-8": b'{"organisation": "Riad \xff\xfe"}',
        "deeply nested": b"[" * 100_000 + b"]" * 100_000,
        "deeply nested object": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    }
    for name, body in bodies.items():
        with subtests.test(name):
            response = client.post(url(open_stop.code), data=body, content_type="application/json")
            assert json_answer(response, 400)["error"]
    assert counts(session) == (0, 0)


def test_non_json_content_type_answers_415(client, open_stop, session, subtests) -> None:
    payload = json.dumps(valid_payload())
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "text/html", None):
        with subtests.test(content_type=content_type):
            response = client.post(url(open_stop.code), data=payload, content_type=content_type)
            assert json_answer(response, 415)["error"]
    with subtests.test("form fields"):
        response = client.post(url(open_stop.code), data=valid_payload(items="x"))
        json_answer(response, 415)
    assert counts(session) == (0, 0)


def test_unknown_code_and_unknown_urls_answer_404_json(client, open_stop) -> None:
    assert json_answer(client.post(url("zzzzzzzz"), json=valid_payload()), 404)["error"]
    assert json_answer(client.get("/api/v1/stops/zzzzzzzz"), 404)["error"]
    for path in ("/api/v1/nothing", "/api/v2/stops", "/api/", f"/api/v1/stops/{open_stop.code}/x"):
        assert json_answer(client.get(path), 404)["error"], path


def test_wrong_method_answers_405_json(client, open_stop) -> None:
    for method, path in (
        ("post", f"/api/v1/stops/{open_stop.code}"),
        ("get", url(open_stop.code)),
        ("delete", url(open_stop.code)),
        ("put", f"/api/v1/stops/{open_stop.code}"),
    ):
        response = getattr(client, method)(path)
        assert json_answer(response, 405)["error"]
        assert response.headers.get("Allow"), (method, path)


def test_a_stop_that_is_not_open_answers_409(client, make_stop, session) -> None:
    for status in (StopStatus.PLANNED, StopStatus.CLOSED):
        stop = make_stop(status=status)
        body = json_answer(client.post(url(stop.code), json=valid_payload()), 409)
        assert body["error"] and body["status"] == status.value
        body = json_answer(client.get(f"/api/v1/stops/{stop.code}"), 409)
        assert body["status"] == status.value
    assert counts(session) == (0, 0)


def test_a_huge_body_answers_413_json(client, open_stop, session) -> None:
    payload = valid_payload(items=[{"kind": "need", "text": "x" * (1024 * 1024)}])
    assert json_answer(client.post(url(open_stop.code), json=payload), 413)["error"]
    assert counts(session) == (0, 0)


def test_the_stop_description(client, make_stop, session) -> None:
    stop = make_stop(region="souss-massa", city="Agadir")
    stop.city_ar = "أكادير"
    session.commit()
    body = json_answer(client.get(f"/api/v1/stops/{stop.code.upper()}"), 200)
    assert body["code"] == stop.code
    assert body["region"]["slug"] == "souss-massa"
    assert body["region"]["name_fr"] == "Souss-Massa" and body["region"]["name_ar"] == "سوس ماسة"
    # one name per language of the app (locales.LANGUAGES), English included
    assert set(body["region"]) == {"slug", "name", "name_fr", "name_ar", "name_en"}
    assert body["city"] == "Agadir"
    assert body["date"] == "2025-01-10"
    assert [c["code"] for c in body["categories"]][:2] == ["hebergement", "agence_voyages"]
    assert len(body["categories"]) == 9
    assert len(body["themes"]) == 11 and body["themes"][0] == {
        "code": "promotion-marketing",
        "label": "Promotion et marketing",
    }
    assert [k["code"] for k in body["kinds"]] == ["need", "opportunity", "challenge", "proposal"]
    assert body["kinds"][0]["label"] == "Besoin"

    arabic = json_answer(client.get(f"/api/v1/stops/{stop.code}?lang=ar"), 200)
    assert arabic["region"]["name"] == "سوس ماسة"
    # The city in the reader's language; the venue has no Arabic name, so it stays French.
    assert (arabic["city"], arabic["venue"]) == ("أكادير", "Salle A")
    assert arabic["categories"][0]["label"] == "الإيواء"


def test_the_description_lets_a_cached_form_post(client, open_stop, session) -> None:
    body = json_answer(client.get(f"/api/v1/stops/{open_stop.code}"), 200)
    payload = {
        "client_id": str(uuid.uuid4()),
        "organisation": "Atlas Discovery",
        "category": body["categories"][1]["code"],
        "language": "ar",
        "items": [
            {
                "kind": kind["code"],
                "text": f"Texte {kind['label']}",
                "theme": body["themes"][i]["code"],
            }
            for i, kind in enumerate(body["kinds"])
        ],
    }
    json_answer(client.post(url(open_stop.code), json=payload), 201)
    assert counts(session) == (1, 4)


def test_simultaneous_retries_store_one_submission(app, open_stop, session) -> None:
    # A phone on a bad network fires the same request several times at once.
    payload, target = valid_payload(), url(open_stop.code)
    start = threading.Barrier(6)
    answers: list[tuple[int, dict]] = []

    errors: list[BaseException] = []

    def post() -> None:
        try:
            with app.app_context():  # each thread its own context, hence its own DB session
                client = app.test_client()
                start.wait()
                response = client.post(target, json=payload)
                answers.append((response.status_code, response.get_json()))
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(status for status, _ in answers) == [200, 200, 200, 200, 200, 201]
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    session.rollback()  # end this thread's read snapshot (SQLite WAL) to see the others' writes
    assert counts(session) == (1, 1)
