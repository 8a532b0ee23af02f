"""Property-based: any text in any field is either stored clean or refused whole, never a 500.

Hypothesis throws NUL, control characters, lone surrogates, Arabic, emoji, combining marks and
very long strings at every field of the service input and of the API's JSON. Each answer must be
a stored submission whose text reads back NFC without control characters, or a clear refusal
(ValidationFailed / a 4xx JSON answer) that left no row behind.
"""

from __future__ import annotations

import operator
import unicodedata
import uuid

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from feedback_app.models import FeedbackItem, Submission, SubmissionSource
from feedback_app.services.capture.submissions import submit
from feedback_app.services.capture.validation import (
    MAX_EMAIL,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_JOB_TITLE,
    MAX_NAME,
    MAX_ORGANISATION,
    MAX_PHONE,
)
from feedback_app.services.errors import ValidationFailed

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CATEGORIES = ["hebergement", "agence_voyages", "crt", "guide", "autre"]
THEMES = ["promotion-marketing", "formation-rh", "digitalisation", "autre"]
KINDS = ["need", "opportunity", "challenge", "proposal"]
FRESH = "<a new client_id>"

# Any code point, lone surrogates included (hypothesis leaves category Cs out by default).
ANY_CHAR = st.characters(codec=None, exclude_categories=())
TRICKY = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x07",
        "\x08",
        "\t",
        "\n",
        "\x0b",
        "\x0c",
        "\r",
        "\r\n",
        "\x1b",
        "\x7f",
        "\x85",
        "\x9f",
        "\xa0",
        "\u200e",
        "\u200f",
        "\u202e",
        "\u2028",
        "\u2029",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "\ud800",
        "\udbff",
        "\udc00",
        "\udfff",
        "\u0301",
        "e\u0301",
        "\u1100\u1161",
        "\u2000",
        "\u3000",
        "ß",
        "İ",
        "ﷺ",
        "\U0001f469\u200d\U0001f373",
        "🇲🇦",
        "=cmd|' /C calc'!A0",
        "'; DROP TABLE submissions; --",
        "<script>alert(1)</script>",
    ]
)
ARABIC = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
EMOJI = st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF)
CHARS = st.one_of(ANY_CHAR, ARABIC, EMOJI, TRICKY)
SHORT = st.lists(CHARS, max_size=30).map("".join)


def text_around(limit: int) -> st.SearchStrategy[str]:
    """Short text mostly, sometimes a long run of a few characters reaching past `limit`."""
    long = st.builds(
        operator.mul,
        st.lists(CHARS, min_size=1, max_size=4).map("".join),
        st.integers(min_value=limit // 8, max_value=limit // 3),
    )
    return st.one_of(SHORT, SHORT, SHORT, long)


TEXT = text_around(MAX_ITEM_TEXT)


def words_and(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Arbitrary text around a real word, so that most required fields are not blank."""
    word = st.sampled_from(["", "Riad", "فندق", "Café", "🌴", "Ecole\u0301"])
    return st.builds(lambda a, w, b: a + w + b, st.one_of(st.just(""), SHORT), word, text)


def maybe(*values: object, text=TEXT) -> st.SearchStrategy:
    return st.one_of(st.sampled_from(values), text) if values else text


ITEM = st.fixed_dictionaries(
    {"kind": maybe(*KINDS), "text": maybe("Former le personnel.", "نحتاج إلى تكوين")},
    optional={"theme": maybe(None, *THEMES), "priority": maybe(None, "low", "medium", "high")},
)
ANYTHING = st.fixed_dictionaries(
    {
        "client_id": st.one_of(st.just(FRESH), st.just(FRESH), st.just(FRESH), TEXT),
        "organisation": maybe("Riad Dar Atlas", "فندق الأطلس"),
        "category": maybe(*CATEGORIES),
        "items": st.one_of(
            st.lists(ITEM, min_size=1, max_size=5), st.lists(ITEM, max_size=2), TEXT
        ),
    },
    optional={
        "job_title": maybe(None, "Directrice"),
        "consent_contact": st.one_of(st.booleans(), st.none(), TEXT),
        "name": maybe(None, "Salma Tazi"),
        "email": maybe(None, "salma@example.ma"),
        "phone": maybe(None, "06 12 34 56 78", "+212 5 24 43 00 00"),
        "language": maybe(None, "fr", "ar", "en"),
        "filled_at": st.one_of(
            st.none(),
            TEXT,
            st.datetimes(timezones=st.one_of(st.none(), st.timezones())).map(
                lambda moment: moment.isoformat()
            ),
        ),
    },
)
# Every choice valid, arbitrary text in every free-text field: most of these are stored.
FREE_TEXT = st.fixed_dictionaries(
    {
        "client_id": st.just(FRESH),
        "organisation": words_and(text_around(MAX_ORGANISATION)),
        "category": st.sampled_from(CATEGORIES),
        "items": st.lists(
            st.fixed_dictionaries(
                {"kind": st.sampled_from(KINDS), "text": words_and(TEXT)},
                optional={"theme": st.sampled_from([None, *THEMES])},
            ),
            min_size=1,
            max_size=5,
        ),
        "job_title": st.one_of(st.none(), text_around(MAX_JOB_TITLE)),
        "consent_contact": st.booleans(),
        "name": st.one_of(st.none(), text_around(MAX_NAME)),
        "email": st.one_of(
            st.sampled_from([None, "salma@example.ma", "Salma@Exemple.MA"]),
            words_and(SHORT),
            st.just("sa\u0301lma@exemple.ma"),
        ),
        "phone": st.one_of(
            st.sampled_from([None, "06 12 34 56 78", "+212 5 24 43 00 00"]),
            words_and(SHORT),
            st.just("٠٦١٢٣٤٥٦٧٨"),
        ),
    },
)
SERVICE_INPUT = st.one_of(FREE_TEXT, ANYTHING)

# The API also receives values of the wrong JSON type anywhere.
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(SHORT, children, max_size=3),
    max_leaves=6,
)
API_INPUT = st.one_of(
    SERVICE_INPUT,
    SERVICE_INPUT.flatmap(
        lambda payload: st.dictionaries(
            st.sampled_from(sorted(payload)), JSON_VALUE, min_size=1, max_size=2
        ).map(lambda wrong: {**payload, **wrong})
    ),
)


def with_client_id(payload: dict) -> dict:
    if payload.get("client_id") == FRESH:
        return {**payload, "client_id": str(uuid.uuid4())}
    return payload


def counts(session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(Submission)),
        session.scalar(select(func.count()).select_from(FeedbackItem)),
    )


def assert_clean(value: str | None, *, limit: int, multiline: bool = False) -> None:
    if value is None:
        return
    assert value == value.strip() and value
    assert len(value) <= limit
    assert unicodedata.is_normalized("NFC", value)
    layout = {"\n", "\t"} if multiline else set()
    bad = [
        ch
        for ch in value
        if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in layout) or ch in "\u2028\u2029"
    ]
    assert not bad, f"control characters stored: {bad!r}"


def assert_stored_cleanly(session, submission_id: int, stop_id: int, before) -> None:
    session.expire_all()
    submission = session.scalars(select(Submission).where(Submission.id == submission_id)).one()
    assert submission.stop_id == stop_id
    assert_clean(submission.organisation, limit=MAX_ORGANISATION)
    assert_clean(submission.job_title, limit=MAX_JOB_TITLE)
    assert_clean(submission.person_name, limit=MAX_NAME)
    assert_clean(submission.email, limit=MAX_EMAIL)
    assert_clean(submission.phone, limit=MAX_PHONE)
    if not submission.consent_contact:
        assert (
            submission.person_name,
            submission.job_title,
            submission.email,
            submission.phone,
        ) == (None, None, None, None)
    assert 1 <= len(submission.items) <= MAX_ITEMS
    for item in submission.items:
        assert_clean(item.text, limit=MAX_ITEM_TEXT, multiline=True)
    assert counts(session) == (before[0] + 1, before[1] + len(submission.items))


@SETTINGS
@given(raw=SERVICE_INPUT)
@example(
    raw={
        "client_id": FRESH,
        "organisation": "\x00",
        "category": "autre",
        "items": [{"kind": "need", "text": "\ud800\x00"}],
    }
)
@example(
    raw={
        "client_id": FRESH,
        "organisation": "e\u0301" * MAX_ORGANISATION,
        "category": "guide",
        "consent_contact": True,
        "email": "\x00@\x00",
        "phone": "٠٦١٢٣٤٥٦٧٨",
        "items": [{"kind": "proposal", "text": "🇲🇦" * 2000}],
    }
)
@example(
    raw={
        "client_id": FRESH,
        "organisation": "Riad",
        "category": "guide",
        "filled_at": "9999-12-31T23:59:59-05:00",
        "items": [{"kind": "need", "text": "x"}],
    }
)
def test_the_service_stores_clean_text_or_refuses_whole(session, open_stop, raw: dict) -> None:
    before = counts(session)
    try:
        receipt = submit(session, open_stop.code, with_client_id(raw), source=SubmissionSource.API)
    except ValidationFailed as failure:
        event("refused")
        assert failure.errors
        assert all(isinstance(m, str) and m for ms in failure.as_text().values() for m in ms)
        assert counts(session) == before, "a refused submission left rows behind"
        return
    event("stored" if receipt.created else "replayed")
    if receipt.created:
        assert_stored_cleanly(session, receipt.id, open_stop.id, before)
    else:
        assert counts(session) == before


@SETTINGS
@given(body=API_INPUT)
@example(
    body={"client_id": FRESH, "organisation": ["\x00"], "category": {"a": None}, "items": "\udfff"}
)
@example(
    body={
        "client_id": FRESH,
        "organisation": "Riad",
        "category": "crt",
        "items": [{"kind": "need", "text": "\x00" * 5000}],
    }
)
def test_the_api_answers_stored_or_a_clear_4xx(client, session, open_stop, body: dict) -> None:
    before = counts(session)
    response = client.post(f"/api/v1/stops/{open_stop.code}/submissions", json=with_client_id(body))
    assert response.status_code < 500
    assert response.content_type == "application/json"
    answer = response.get_json()
    event(f"HTTP {response.status_code}")
    if response.status_code == 201:
        assert set(answer) == {"id", "reference"}
        assert_stored_cleanly(session, answer["id"], open_stop.id, before)
        return
    assert response.status_code in (200, 400, 413, 422), response.status_code
    assert counts(session) == before, "a refused submission left rows behind"
    if response.status_code == 422:
        assert answer["errors"] and all(
            isinstance(m, str) and m for ms in answer["errors"].values() for m in ms
        )
