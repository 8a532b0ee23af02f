"""Sign-off means signed: an import cannot change a signed stop behind its delegate's back.

A delegate's import into a signed stop is refused with the reason and the way out (ask HQ to
reopen); HQ may import, and the rows are flagged "after sign-off" like late API arrivals.
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from feedback_app.models import Submission, SubmissionSource
from feedback_app.services.access import scope_for
from feedback_app.services.errors import SignedOff
from feedback_app.services.ideas import curation
from feedback_app.services.ideas.groups import regroup
from feedback_app.services.ideas.queries import top_groups
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.review import signoff
from feedback_app.services.tour import stop_lock
from tests.intake_files import HEADER_FR, csv_bytes
from tests.review_world import Desk, store
from tests.staff import csrf_for, post, signed_in
from tests.test_idea_groups import GUIDES

PAPER = csv_bytes(
    [HEADER_FR[:4], ["Hôtel du papier", "hebergement", "need", "Besoin écrit à la main."]]
)


def _imported(session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.source == SubmissionSource.IMPORT)
    )


def _sign(session, desk: Desk) -> None:
    signoff.sign_off(
        session,
        scope_for(desk.delegate_a),
        desk.stop_a1.id,
        "Journée signée.",
        actor_id=desk.delegate_a.id,
    )


def _upload(app, client, stop_id: int):
    return client.post(
        f"/hq/stops/{stop_id}/intake",
        data={"csrf_token": csrf_for(app, client), "file": (io.BytesIO(PAPER), "papier.csv")},
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost/hq/stops/{stop_id}/intake"},
    )


def test_the_delegate_cannot_import_into_a_signed_stop_and_is_told_why(app, session, desk) -> None:
    _sign(session, desk)
    client = signed_in(app, desk.delegate_a.email)
    page = client.get(f"/hq/stops/{desk.stop_a1.id}/intake").get_data(as_text=True)
    assert "Demandez au siège de la rouvrir" in page
    assert "disabled" in page  # the upload is refused before "Voir l'aperçu", not after

    response = _upload(app, client, desk.stop_a1.id)
    assert response.status_code in (303, 409)
    followed = client.get(f"/hq/stops/{desk.stop_a1.id}/intake").get_data(as_text=True)
    assert "Demandez au siège de la rouvrir" in followed
    assert _imported(session) == 0


def test_a_preview_made_before_the_sign_off_cannot_be_confirmed_by_the_delegate(
    session, desk
) -> None:
    preview = build_preview(session, desk.stop_a1, PAPER, "papier.csv")
    batch_id = save_preview(session, preview, user_id=desk.delegate_a.id)
    _sign(session, desk)
    with pytest.raises(SignedOff):
        commit_batch(session, scope_for(desk.delegate_a), batch_id, actor_id=desk.delegate_a.id)
    assert _imported(session) == 0


def test_hq_imports_into_a_signed_stop_and_the_rows_are_flagged_after_sign_off(
    app, session, desk
) -> None:
    _sign(session, desk)
    preview = build_preview(session, desk.stop_a1, PAPER, "papier.csv")
    batch_id = save_preview(session, preview, user_id=desk.hq.id)
    result = commit_batch(session, scope_for(desk.hq), batch_id, actor_id=desk.hq.id)
    assert result.stored == 1
    flagged = session.scalars(
        select(Submission.after_signoff).where(Submission.source == SubmissionSource.IMPORT)
    ).all()
    assert flagged == [True]


def test_signing_an_open_stop_with_new_entries_asks_for_confirmation_with_the_counts(
    app, session, desk
) -> None:
    client = signed_in(app, desk.delegate_a.email)
    path = f"/review/stops/{desk.stop_a1.id}/signoff"
    new = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.stop_id == desk.stop_a1.id, Submission.status == "new")
    )
    assert new >= 1
    page = client.get(path).get_data(as_text=True)
    assert "encore ouverte" in page and f"{new} contribution" in page

    response = post(app, client, path, {"summary": "Journée riche."})
    assert response.status_code == 422
    assert "Cochez la confirmation" in response.get_data(as_text=True)
    assert "Journée riche." in response.get_data(as_text=True)  # the text is kept
    assert not stop_lock.is_signed(session, desk.stop_a1.id)

    confirmed = post(app, client, path, {"summary": "Journée riche.", "confirm": "y"})
    assert confirmed.status_code == 302
    assert stop_lock.is_signed(session, desk.stop_a1.id)


def test_the_pages_show_the_signed_state_and_disable_what_would_be_refused(
    app, session, desk
) -> None:
    _sign(session, desk)
    client = signed_in(app, desk.delegate_a.email)
    stops = client.get("/hq/stops").get_data(as_text=True)
    assert "Signée" in stops
    submission = desk.subs["riad"]
    page = client.get(f"/review/submissions/{submission}").get_data(as_text=True)
    assert "Demandez au siège de la rouvrir" in page
    assert re.search(r'<button[^>]*type="submit"[^>]*disabled', page)
    listing = client.get("/review/").get_data(as_text=True)
    assert re.search(rf'value="{submission}" id="sel-{submission}"[^>]*disabled', listing)
    assert not re.search(rf'value="{desk.subs["safi"]}" id="sel-[0-9]+"[^>]*disabled', listing)
    dashboard = client.get("/hq/").get_data(as_text=True)
    assert "Signée par" in dashboard or "étape(s) signée(s)" in dashboard


def _signed_group(session, desk: Desk) -> int:
    """A group of region A whose items were said at stop A1, then A1 signed off."""
    for n, text in enumerate(GUIDES):
        store(
            session, desk.stop_a1, f"Hôtel {n}", minutes=n, items=[{"kind": "need", "text": text}]
        )
    regroup(session)
    [group] = [
        g.id
        for g in top_groups(session, scope_for(desk.delegate_a), "need", 100)
        if g.title in GUIDES
    ]
    _sign(session, desk)
    return group


def test_a_signed_stops_idea_group_has_its_controls_disabled_with_the_reason(
    app, session, desk
) -> None:
    group = _signed_group(session, desk)
    delegate = signed_in(app, desk.delegate_a.email)
    page = delegate.get(f"/review/ideas/{group}").get_data(as_text=True)
    assert "Ce groupe contient des entrées d" in page and "que le siège rouvre" in page
    # Rename, confirm, split and merge: each button (and the fields) disabled, saying why.
    buttons = re.findall(r'<button[^>]*class="button small[^>]*>', page)
    assert len(buttons) >= 4
    assert all('disabled aria-describedby="group-locked"' in b for b in buttons), buttons
    for field in ("rename-title-field", "merge-other"):
        (tag,) = re.findall(rf'<input[^>]*id="{field}"[^>]*>', page)
        assert " disabled" in tag and 'aria-describedby="group-locked"' in tag, tag
    # What the page disables is what the service refuses.
    with pytest.raises(SignedOff):
        curation.rename_group(session, scope_for(desk.delegate_a), group, "Titre", actor_id=None)
    # HQ keeps the hand: nothing disabled for them.
    hq = signed_in(app, desk.hq.email)
    hq_page = hq.get(f"/review/ideas/{group}").get_data(as_text=True)
    assert "group-locked" not in hq_page and " disabled" not in hq_page


def test_the_idea_list_and_the_dashboard_show_each_stops_signed_state(app, session, desk) -> None:
    group = _signed_group(session, desk)
    delegate = signed_in(app, desk.delegate_a.email)
    ideas = delegate.get("/review/ideas").get_data(as_text=True)
    states = ideas.split('id="stop-states"')[1].split("</section>")[0]
    assert re.search(r'Marrakech</bdi>, [^<]*:\s*<span class="status status-signed">Signée', states)
    assert re.search(r'Safi</bdi>, [^<]*:\s*<span class="muted">Pas encore signée', states)
    row = ideas.split(f'/review/ideas/{group}"')[1].split("</tr>")[0]
    assert "étape signée" in row
    dashboard = delegate.get("/hq/").get_data(as_text=True)
    cell = dashboard.split('class="plain stop-states"')[1].split("</ul>")[0]
    assert re.search(r"Marrakech</bdi> : <span class=\"status status-signed\">Signée", cell)
    assert re.search(r"Safi</bdi> : <span class=\"muted\">à signer", cell)
