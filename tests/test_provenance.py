"""Provenance is staff-only: "typed by staff from paper" (source `tablet`) can only be claimed
by a signed-in delegate of the stop's region or HQ. Anyone else's ?channel=tablet is ignored:
the entry is stored, as what it is (`form`), never refused, so nothing typed is lost."""

from __future__ import annotations

from sqlalchemy import select

from feedback_app.models import Role, Submission, SubmissionSource
from feedback_app.services.capture.submissions import submit
from tests.conftest import csrf_token, hidden_value, valid_payload
from tests.staff import REGION_A, REGION_B, make_user, signed_in

FORM_CHANNEL = {"X-Tournee-Channel": "form"}


def _sources(session) -> dict[str, SubmissionSource]:
    session.expire_all()
    return dict(session.execute(select(Submission.organisation, Submission.source)).all())


def test_the_tablet_page_needs_a_delegate_of_the_region_or_hq(app, session, open_stop) -> None:
    make_user(session, "delegue.a@example.ma", regions=(REGION_A,))
    make_user(session, "delegue.b@example.ma", regions=(REGION_B,))
    make_user(session, "siege@example.ma", role=Role.HQ, regions=())
    anonymous = app.test_client().get(f"/f/{open_stop.code}/tablet")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    other = signed_in(app, "delegue.b@example.ma").get(f"/f/{open_stop.code}/tablet")
    assert other.status_code == 404
    for email in ("delegue.a@example.ma", "siege@example.ma"):
        page = signed_in(app, email).get(f"/f/{open_stop.code}/tablet")
        assert page.status_code == 200 and 'data-mode="tablet"' in page.get_data(as_text=True)


def test_the_public_cannot_claim_typed_from_paper(app, session, open_stop) -> None:
    make_user(session, "delegue.b@example.ma", regions=(REGION_B,))
    anonymous = app.test_client()
    api = f"/api/v1/stops/{open_stop.code}/submissions?channel=tablet"
    stored = anonymous.post(
        api, json=valid_payload(organisation="Inconnu API"), headers=FORM_CHANNEL
    )
    assert stored.status_code == 201
    page = anonymous.get(f"/f/{open_stop.code}?channel=tablet").get_data(as_text=True)
    form = anonymous.post(
        f"/f/{open_stop.code}?channel=tablet",
        data={
            "csrf_token": csrf_token(page),
            "client_id": hidden_value(page, "client_id"),
            "organisation": "Inconnu",
            "category": "hebergement",
            "need-0-text": "Former le personnel.",
        },
    )
    assert form.status_code == 302, form.get_data(as_text=True)[:500]
    other = signed_in(app, "delegue.b@example.ma")
    elsewhere = other.post(
        api, json=valid_payload(organisation="Autre région"), headers=FORM_CHANNEL
    )
    assert elsewhere.status_code == 201
    assert _sources(session) == {
        "Inconnu API": SubmissionSource.FORM,
        "Inconnu": SubmissionSource.FORM,
        "Autre région": SubmissionSource.FORM,
    }


def test_the_regions_delegate_types_from_paper(app, session, open_stop) -> None:
    make_user(session, "delegue.a@example.ma", regions=(REGION_A,))
    client = signed_in(app, "delegue.a@example.ma")
    api = f"/api/v1/stops/{open_stop.code}/submissions?channel=tablet"
    stored = client.post(api, json=valid_payload(organisation="Sur papier"), headers=FORM_CHANNEL)
    assert stored.status_code == 201
    submit(
        session,
        open_stop.code,
        valid_payload(organisation="Formulaire"),
        source=SubmissionSource.FORM,
    )
    assert _sources(session) == {
        "Sur papier": SubmissionSource.TABLET,
        "Formulaire": SubmissionSource.FORM,
    }
