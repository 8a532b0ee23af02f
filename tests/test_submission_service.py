"""The submissions service without HTTP: validation, storage, idempotency, on both databases."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    ItemKind,
    Priority,
    Region,
    StopStatus,
    Submission,
    SubmissionSource,
    TourStop,
)
from feedback_app.services.capture.submissions import submit
from feedback_app.services.capture.validation import (
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_JOB_TITLE,
    MAX_NAME,
    MAX_ORGANISATION,
)
from feedback_app.services.errors import NotFound, StopNotOpen, ValidationFailed
from tests.conftest import valid_payload


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Submission)),
        session.scalar(select(func.count()).select_from(FeedbackItem)),
    )


def stored(session, receipt_id: int) -> Submission:
    """The submission as the database holds it, not as the session remembers it."""
    session.expire_all()
    return session.scalars(select(Submission).where(Submission.id == receipt_id)).one()


def submitted(session, stop_code: str, payload: dict) -> Submission:
    """Submit through the API and read back what the database holds."""
    return stored(session, submit(session, stop_code, payload, source=SubmissionSource.API).id)


def refused(session, stop_code: str, payload: dict) -> dict[str, list[str]]:
    """Submit, expect a refusal, check nothing was stored, return the errors."""
    before = counts(session)
    with pytest.raises(ValidationFailed) as failure:
        submit(session, stop_code, payload, source=SubmissionSource.API)
    assert counts(session) == before
    return failure.value.as_text()


def test_valid_submission_is_stored_with_its_items_in_order(session, open_stop) -> None:
    payload = valid_payload(
        job_title="Directrice",
        consent_contact=True,
        language="ar",
        items=[
            {"kind": "challenge", "text": "La saisonnalité.", "priority": "high"},
            {"kind": "need", "text": "Former le personnel.", "theme": "formation-rh"},
            {"kind": "proposal", "text": "Une carte touristique régionale."},
            {
                "kind": "need",
                "text": "Des vols directs.",
                "theme": "connectivite-aerienne",
                "priority": "low",
            },
        ],
    )
    receipt = submit(session, open_stop.code, payload, source=SubmissionSource.API)

    assert receipt.created
    submission = stored(session, receipt.id)
    assert submission.reference == receipt.reference
    assert submission.reference.startswith("MS-")
    assert submission.client_id == uuid.UUID(payload["client_id"])
    assert submission.organisation == "Riad Dar Atlas"
    assert submission.category_code == "hebergement"
    assert submission.job_title == "Directrice"
    assert submission.language == "ar"
    assert submission.source is SubmissionSource.API
    assert [(i.position, i.kind, i.text) for i in submission.items] == [
        (0, ItemKind.CHALLENGE, "La saisonnalité."),
        (1, ItemKind.NEED, "Former le personnel."),
        (2, ItemKind.PROPOSAL, "Une carte touristique régionale."),
        (3, ItemKind.NEED, "Des vols directs."),
    ]
    assert [i.theme.code if i.theme else None for i in submission.items] == [
        None,
        "formation-rh",
        None,
        "connectivite-aerienne",
    ]
    assert [i.priority for i in submission.items] == [Priority.HIGH, None, None, Priority.LOW]
    assert counts(session) == (1, 4)


def test_region_and_stop_are_stamped_from_the_stop(session, make_stop) -> None:
    stop = make_stop(region="souss-massa", city="Agadir")
    other = make_stop(region="oriental", city="Oujda")
    oriental_id = session.scalar(select(Region.id).where(Region.slug == "oriental"))
    payload = valid_payload(
        region_id=oriental_id, region="oriental", stop_id=other.id, stop=other.code
    )
    receipt = submit(session, stop.code, payload, source=SubmissionSource.API)

    submission = stored(session, receipt.id)
    assert submission.region.slug == "souss-massa"
    assert submission.stop.code == stop.code
    assert receipt.reference.startswith("SM-")


def test_empty_boxes_are_not_items(session, open_stop) -> None:
    payload = valid_payload(
        items=[
            {"kind": "need", "text": ""},
            {"kind": "opportunity", "text": "  \n\t "},
            {"kind": "challenge", "text": "Le manque de personnel."},
            {"kind": "proposal"},
        ]
    )
    receipt = submit(session, open_stop.code, payload, source=SubmissionSource.FORM)
    assert [i.kind for i in stored(session, receipt.id).items] == [ItemKind.CHALLENGE]


MISSING = object()  # the key is left out of the payload

# (overrides, the only field expected in the errors); one database serves every case.
REFUSALS = [
    # required
    ({"organisation": MISSING}, "organisation"),
    ({"organisation": ""}, "organisation"),
    ({"organisation": " \t\x00\n "}, "organisation"),
    ({"category": MISSING}, "category"),
    ({"category": ""}, "category"),
    ({"category": "boulangerie"}, "category"),
    ({"items": []}, "items"),
    ({"items": MISSING}, "items"),
    ({"items": [{"kind": "need", "text": "   "}, {"kind": "proposal", "text": ""}]}, "items"),
    # unknown kind, theme, priority
    ({"items": [{"kind": "wish", "text": "x"}]}, "items.0.kind"),
    ({"items": [{"text": "x"}]}, "items.0.kind"),
    ({"items": [{"kind": "NEED", "text": "x"}]}, "items.0.kind"),
    ({"items": [{"kind": "need", "text": "x", "theme": "astrologie"}]}, "items.0.theme"),
    ({"items": [{"kind": "need", "text": "x", "priority": "urgent"}]}, "items.0.priority"),
    # contact formats, checked because consent is given
    ({"consent_contact": True, "email": "pas-une-adresse"}, "email"),
    ({"consent_contact": True, "email": "a@b"}, "email"),
    ({"consent_contact": True, "phone": "123"}, "phone"),
    ({"consent_contact": True, "phone": "appelez-moi"}, "phone"),
    # wrong types
    ({"organisation": 42}, "organisation"),
    ({"organisation": ["Riad"]}, "organisation"),
    ({"category": 3}, "category"),
    ({"consent_contact": True, "job_title": {"fr": "Directeur"}}, "job_title"),
    ({"consent_contact": True, "name": 7}, "name"),
    ({"items": "Former le personnel"}, "items"),
    ({"items": {"kind": "need", "text": "x"}}, "items"),
    ({"items": [["need", "Former le personnel"]]}, "items.0"),
    ({"items": [{"kind": "need", "text": 12}]}, "items.0.text"),
    ({"consent_contact": "yes"}, "consent_contact"),
    ({"consent_contact": 1}, "consent_contact"),
    ({"client_id": "not-a-uuid"}, "client_id"),
    ({"client_id": 12345}, "client_id"),
    ({"client_id": MISSING}, "client_id"),
    ({"language": "de"}, "language"),
    ({"language": ["fr"]}, "language"),
]


def test_invalid_input_is_refused_with_the_field_named(session, open_stop, subtests) -> None:
    for overrides, field in REFUSALS:
        with subtests.test(msg=field, overrides=repr(overrides)):
            payload = valid_payload(**overrides)
            for key in [k for k, v in overrides.items() if v is MISSING]:
                del payload[key]
            errors = refused(session, open_stop.code, payload)
            assert list(errors) == [field]
            assert all(message.strip() for message in errors[field])
    for raw in ([], "texte", 42, None):
        with subtests.test(msg="_body", raw=repr(raw)):
            assert list(refused(session, open_stop.code, raw)) == ["_body"]


def test_every_error_is_reported_at_once(session, open_stop) -> None:
    errors = refused(session, open_stop.code, {"client_id": "x", "items": []})
    assert set(errors) == {"client_id", "organisation", "category", "items"}


def test_maximum_lengths(session, open_stop, subtests) -> None:
    limits = [
        ("organisation", MAX_ORGANISATION, "organisation"),
        ("job_title", MAX_JOB_TITLE, "job_title"),
        ("name", MAX_NAME, "person_name"),
    ]
    for field, limit, column in limits:
        with subtests.test(msg=field):
            errors = refused(
                session,
                open_stop.code,
                valid_payload(consent_contact=True, **{field: "é" * (limit + 1)}),
            )
            assert list(errors) == [field]
            # The limit counts characters once normalised: a decomposed "é" is one character.
            receipt = submit(
                session,
                open_stop.code,
                valid_payload(consent_contact=True, **{field: "e\u0301" * limit}),
                source=SubmissionSource.API,
            )
            assert getattr(stored(session, receipt.id), column) == "é" * limit

    with subtests.test(msg="item text"):
        too_long = [
            {"kind": "need", "text": "ok"},
            {"kind": "need", "text": "x" * (MAX_ITEM_TEXT + 1)},
        ]
        assert list(refused(session, open_stop.code, valid_payload(items=too_long))) == [
            "items.1.text"
        ]
        text = "ب" * MAX_ITEM_TEXT
        receipt = submit(
            session,
            open_stop.code,
            valid_payload(items=[{"kind": "need", "text": text}]),
            source=SubmissionSource.API,
        )
        assert stored(session, receipt.id).items[0].text == text

    with subtests.test(msg="number of items"):
        many = [{"kind": "proposal", "text": f"Proposition {n}"} for n in range(MAX_ITEMS + 1)]
        assert list(refused(session, open_stop.code, valid_payload(items=many))) == ["items"]
        receipt = submit(
            session,
            open_stop.code,
            valid_payload(items=many[:MAX_ITEMS]),
            source=SubmissionSource.API,
        )
        assert len(stored(session, receipt.id).items) == MAX_ITEMS


def test_contact_fields_are_kept_and_normalised_with_consent(session, open_stop) -> None:
    payload = valid_payload(
        consent_contact=True,
        name="  Salma   Tazi ",
        email="Salma.Tazi@Example.MA",
        phone="06 12 34 56 78",
    )
    submission = submitted(session, open_stop.code, payload)
    assert submission.consent_contact is True
    assert submission.person_name == "Salma Tazi"
    assert submission.email == "Salma.Tazi@example.ma"
    assert submission.phone == "+212612345678"


def test_contact_fields_are_dropped_without_consent(session, open_stop) -> None:
    # checked all the same: a mistyped address is said at once, consent or not
    payload = valid_payload(
        consent_contact=False,
        name="Salma Tazi",
        email="samira@@example",
        phone="123",
        job_title="Gérante",
    )
    with pytest.raises(ValidationFailed) as refused:
        submit(session, open_stop.code, payload, source=SubmissionSource.API)
    assert set(refused.value.errors) == {"email", "phone"}
    # the stop form asks to tick or clear rather than drop them
    payload.update(email="salma@example.ma", phone="06 12 34 56 78")
    with pytest.raises(ValidationFailed) as refused:
        submit(
            session,
            open_stop.code,
            payload,
            source=SubmissionSource.FORM,
            refuse_unconsented_contact=True,
        )
    assert set(refused.value.errors) == {"consent_contact"}
    submission = submitted(session, open_stop.code, payload)
    assert submission.consent_contact is False
    assert (submission.person_name, submission.email, submission.phone) == (None, None, None)
    assert submission.job_title is None  # "Gérante" of a small riad identifies her too

    del payload["consent_contact"]
    payload.update(client_id=str(uuid.uuid4()), email="salma@example.ma")
    submission = submitted(session, open_stop.code, payload)
    assert (submission.person_name, submission.email, submission.phone) == (None, None, None)


def test_text_is_normalised_to_nfc_arabic_and_emoji_intact(session, open_stop) -> None:
    payload = valid_payload(
        organisation="Cafe\u0301 de l'Ocean",
        job_title="Ge\u0301rante",
        consent_contact=True,
        items=[
            {"kind": "need", "text": "Acce\u0300s a\u0300 l'ae\u0301roport"},
            {"kind": "need", "text": "نحتاج إلى تكوين الشباب 👩‍🍳"},
        ],
    )
    submission = submitted(session, open_stop.code, payload)
    assert submission.organisation == "Café de l'Ocean"
    assert submission.job_title == "Gérante"
    assert [i.text for i in submission.items] == [
        "Accès à l'aéroport",
        "نحتاج إلى تكوين الشباب 👩‍🍳",
    ]


def test_control_characters_and_lone_surrogates_are_stripped(session, open_stop) -> None:
    # PostgreSQL would refuse NUL and surrogates; SQLite would keep them. Both store the same.
    payload = valid_payload(
        organisation="Riad\x00 Dar\x07 Atlas\ud800",
        job_title="\x1bDirecteur\x7f",
        consent_contact=True,
        name="Omar\x00 Benali\udfff",
        items=[
            {"kind": "need", "text": "Ligne 1\x00\r\nLigne\x0b 2\u2028Ligne 3\ud83d"},
            {"kind": "proposal", "text": "\x00\x01\x02"},
        ],
    )
    submission = submitted(session, open_stop.code, payload)
    assert submission.organisation == "Riad Dar Atlas"
    assert submission.job_title == "Directeur"
    assert submission.person_name == "Omar Benali"
    assert [i.text for i in submission.items] == ["Ligne 1\nLigne 2\nLigne 3"]


def test_retired_theme_is_no_longer_accepted(session, open_stop) -> None:
    from feedback_app.models import Theme

    with write_transaction(session):
        session.execute(update(Theme).where(Theme.code == "autre").values(retired=True))
    item = {"kind": "need", "text": "x", "theme": "autre"}
    assert list(refused(session, open_stop.code, valid_payload(items=[item]))) == ["items.0.theme"]


def test_a_stop_that_is_not_open_or_does_not_exist_refuses(session, make_stop) -> None:
    for status in (StopStatus.PLANNED, StopStatus.CLOSED):
        stop = make_stop(status=status)
        with pytest.raises(StopNotOpen) as refusal:
            submit(session, stop.code, valid_payload(), source=SubmissionSource.API)
        assert refusal.value.status == status.value
    for code in ("zzzzzzzz", "", "abc\x00def", "é" * 300):
        with pytest.raises(NotFound):
            submit(session, code, valid_payload(), source=SubmissionSource.API)
    assert counts(session) == (0, 0)


def test_the_code_is_found_however_it_was_typed(session, open_stop) -> None:
    typed = f" {open_stop.code[:4].upper()}-{open_stop.code[4:]} "
    assert submit(session, typed, valid_payload(), source=SubmissionSource.API).created


def test_replayed_client_id_returns_the_same_receipt_and_stores_once(session, open_stop) -> None:
    payload = valid_payload()
    first = submit(session, open_stop.code, payload, source=SubmissionSource.FORM)
    second = submit(session, open_stop.code, payload, source=SubmissionSource.FORM)
    # A retry may differ (the person edited a box before tapping again): the first one stands.
    edited = {
        **payload,
        "client_id": payload["client_id"].upper(),
        "items": [{"kind": "need", "text": "Autre texte"}],
    }
    third = submit(session, open_stop.code, edited, source=SubmissionSource.API)

    assert first.created and not second.created and not third.created
    assert first.as_json() == second.as_json() == third.as_json()
    assert counts(session) == (1, 1)
    assert stored(session, first.id).items[0].text.startswith("Former le personnel")


def test_replay_after_the_stop_closed_still_returns_the_receipt(session, open_stop) -> None:
    payload = valid_payload()
    first = submit(session, open_stop.code, payload, source=SubmissionSource.API)
    with write_transaction(session):
        session.execute(
            update(TourStop).where(TourStop.id == open_stop.id).values(status=StopStatus.CLOSED)
        )

    again = submit(session, open_stop.code, payload, source=SubmissionSource.API)
    assert again.as_json() == first.as_json() and not again.created
    with pytest.raises(StopNotOpen):
        submit(session, open_stop.code, valid_payload(), source=SubmissionSource.API)
    assert counts(session) == (1, 1)


def test_nothing_is_half_stored_when_one_item_is_invalid(session, open_stop) -> None:
    submit(session, open_stop.code, valid_payload(), source=SubmissionSource.API)
    payload = valid_payload(
        items=[
            {"kind": "need", "text": "Un besoin valable."},
            {"kind": "proposal", "text": "Une proposition valable."},
            {"kind": "need", "text": "Thème inconnu", "theme": "inconnu"},
        ]
    )
    errors = refused(session, open_stop.code, payload)
    assert list(errors) == ["items.2.theme"]
    assert counts(session) == (1, 1)
    # Corrected, the same client_id is then stored (the refusal did not reserve it).
    payload["items"][2]["theme"] = "infrastructures"
    receipt = submit(session, open_stop.code, payload, source=SubmissionSource.API)
    assert receipt.created
    assert counts(session) == (2, 4)
