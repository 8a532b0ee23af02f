"""Follow-up: commitments, the public region and receipt pages, follow-up mails (against a
real local SMTP server), and commitments following merged and split idea groups."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import func, select

from feedback_app import create_app
from feedback_app.database import write_transaction
from feedback_app.extensions import taskqueue
from feedback_app.models import (
    AuditEvent,
    CommitmentNotice,
    CommitmentStatus,
    FeedbackItem,
    IdeaGroup,
    IdeaGroupMember,
    ItemKind,
    Milestone,
    NoticeState,
    ReviewStatus,
    StatusChange,
    Submission,
    SubmissionSource,
    commitment_groups,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture.submissions import submit
from feedback_app.services.errors import ValidationFailed
from feedback_app.services.followup.commitments import (
    CommitmentInput,
    change_status,
    create_commitment,
)
from feedback_app.services.ideas import tallies as idea_tallies
from feedback_app.services.ideas.curation import merge_groups, split_group
from feedback_app.services.privacy.personal_data import erase_contacts
from feedback_app.services.review.actions import apply_status
from feedback_app.tasks.followup import send_change_notices
from tests import test_mail
from tests.staff import REGION_A, post
from tests.test_mail import Inbox

# The real local SMTP server and the app that mails through it, shared with test_mail.py.
inbox = test_mail.inbox
mail_app = test_mail.mail_app


def _send(app, change_id: int, day: dt.date) -> int:
    """What the task does, in the mail-configured app."""
    with app.app_context():
        return send_change_notices(change_id, today=day)


CONSENTING = "hotel.atlas@example.ma"


def _reviewed(session, code: str, text: str, email: str | None = None, language="fr") -> Submission:
    payload = {
        "client_id": str(uuid.uuid4()),
        "organisation": "Hôtel Atlas",
        "category": "hebergement",
        "language": language,
        "items": [{"kind": "proposal", "text": text}],
    }
    if email:
        payload.update(email=email, consent_contact=True)
    receipt = submit(session, code, payload, source=SubmissionSource.FORM)
    with write_transaction(session):  # as the review desk does: the running counts move too
        submission = session.get(Submission, receipt.id)
        apply_status(session, None, submission, ReviewStatus.REVIEWED)
    return submission


def _titled_group(session, items: list[int], title: str) -> int:
    with write_transaction(session):
        group = IdeaGroup(kind=ItemKind.PROPOSAL, title=title, title_locked=True, confirmed=True)
        session.add(group)
        session.flush()
        session.add_all(
            IdeaGroupMember(item_id=i, group_id=group.id, pinned=True, closeness=1.0) for i in items
        )
        session.flush()
        idea_tallies.refresh(session, [group.id])  # as the curation that made it would
    return group.id


def _commitment(session, group_ids, regions=(REGION_A,), **texts):
    data = CommitmentInput(
        title_fr=texts.get("title_fr", "Former 200 guides"),
        title_ar="تكوين 200 مرشد",
        description_fr="Un programme régional.",
        description_ar="برنامج جهوي.",
        owner="Conseil régional",
        region_slugs=regions,
        group_ids=group_ids,
    )
    return create_commitment(session, EVERYTHING, data, actor_id=None)


@pytest.fixture
def heard(session, world):
    """Two reviewed proposals of region A in a group a person titled, one from a consenting
    professional, and a commitment answering the group."""
    first = _reviewed(session, world.ids["code_a"], "Former les guides aux langues", CONSENTING)
    second = _reviewed(session, world.ids["code_a"], "Des cours de langues pour les guides")
    group = _titled_group(
        session, [first.items[0].id, second.items[0].id], "Former les guides aux langues"
    )
    commitment = _commitment(session, [group])
    return {"first": first, "second": second, "group": group, "commitment": commitment.id}


def test_region_page_shows_titled_ideas_and_commitments_never_raw_entries(
    client, session, world, heard
) -> None:
    page = client.get(f"/suivi/{REGION_A}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "public" in page.headers["Cache-Control"] and "max-age=300" in page.headers["Cache-Control"]
    )
    assert "Former les guides aux langues" in html  # the title a person wrote
    assert "Des cours de langues pour les guides" not in html  # an entry's own words
    assert "Former 200 guides" in html and "Conseil régional" in html
    assert "Proposition-secrete-A" not in html  # unreviewed, untitled group
    assert CONSENTING not in html and "Hôtel Atlas" not in html  # no personal data
    assert "2 contributions examinées" in html
    arabic = client.get(f"/suivi/{REGION_A}?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "تكوين 200 مرشد" in arabic


def test_the_region_page_kept_in_memory_follows_reviews_commitments_and_curation(
    client, session, world, heard
) -> None:
    from feedback_app.services.ideas.curation import rename_group

    def page() -> str:
        return client.get(f"/suivi/{REGION_A}").get_data(as_text=True)

    assert "2 contributions examinées" in page() and "Budget voté" not in page()
    _reviewed(session, world.ids["code_a"], "Un label pour les guides")
    assert "3 contributions examinées" in page()  # a review
    change_status(
        session,
        EVERYTHING,
        heard["commitment"],
        status="in_progress",
        progress=35,
        reason="Budget voté",
        actor_id=None,
    )
    assert "Budget voté" in page() and "35 %" in page()  # a commitment's change
    rename_group(
        session, EVERYTHING, heard["group"], "Langues étrangères des guides", actor_id=None
    )
    assert "Langues étrangères des guides" in page()  # a curation
    with write_transaction(session):
        apply_status(session, None, session.get(Submission, heard["second"].id), ReviewStatus.SPAM)
    assert "2 contributions examinées" in page()
    # One entry left in the group: too few to be a recurring idea, whatever was kept.
    assert "Langues étrangères des guides" not in page().split("Ce qui a été décidé")[0]


def test_the_kept_region_page_carries_nothing_of_the_request_that_built_it(
    app, client, session, world, heard, hq
) -> None:
    first = hq.get(f"/suivi/{REGION_A}?utm_source=courriel-123").get_data(as_text=True)
    assert "utm_source=courriel-123" in first  # its language links repeat its own query
    after = client.get(f"/suivi/{REGION_A}")
    html = after.get_data(as_text=True)
    assert "courriel-123" not in html and "Former 200 guides" in html
    assert "csrf" not in html.lower() and "/logout" not in html
    assert "public" in after.headers["Cache-Control"]


def test_reference_page_known_unknown_and_malformed(client, session, world, heard) -> None:
    reference = heard["first"].reference
    known = client.get(f"/suivi/ref/{reference.lower()}")
    html = known.get_data(as_text=True)
    assert known.status_code == 200 and "no-store" in known.headers["Cache-Control"]
    assert "Former les guides aux langues" in html  # the group's reviewed title
    assert "Former 200 guides" in html  # the commitment answering it
    assert "Hôtel Atlas" not in html and CONSENTING not in html
    unknown = client.get("/suivi/ref/MS-2345-6789-ABCD")
    malformed = client.get("/suivi/ref/%27%20OR%201=1%20--")
    too_long = client.get("/suivi/ref/" + "A" * 300)
    assert unknown.status_code == malformed.status_code == too_long.status_code == 404
    # One and the same "not found" (the language links repeat the address): no oracle.
    bodies = {
        re.sub(r'href="[^"]*"', "", r.get_data(as_text=True))
        for r in (unknown, malformed, too_long)
    }
    assert len(bodies) == 1
    unreviewed = client.get(f"/suivi/ref/{world.ids['reference_a']}").get_data(as_text=True)
    assert "pas encore examiné" in unreviewed and "Proposition-secrete-A" not in unreviewed


def test_reference_page_is_rate_limited_per_address(database_url) -> None:
    limited = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_FOLLOWUP_REFERENCE": "3 per minute",
        }
    )
    client = limited.test_client()
    answers = [
        client.get("/suivi/ref/MS-2345-6789-ABCD", environ_base={"REMOTE_ADDR": "10.0.0.1"})
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    other = client.get("/suivi/ref/MS-2345-6789-ABCD", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.status_code == 404


def test_every_status_change_needs_a_public_reason_and_is_audited(session, heard) -> None:
    with pytest.raises(ValidationFailed) as refused:
        change_status(
            session,
            EVERYTHING,
            heard["commitment"],
            status="in_progress",
            progress=10,
            reason="  ",
            actor_id=None,
        )
    assert "reason" in refused.value.errors
    with pytest.raises(ValidationFailed) as markup:
        change_status(
            session,
            EVERYTHING,
            heard["commitment"],
            status="in_progress",
            progress=10,
            reason="<script>alert(1)</script>",
            actor_id=None,
        )
    assert "reason" in markup.value.errors
    change = change_status(
        session,
        EVERYTHING,
        heard["commitment"],
        status="done",
        progress=20,
        reason="Les 200 guides sont formés.\x00",
        actor_id=None,
    )
    assert change.progress == 100 and change.reason == "Les 200 guides sont formés."
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.target_type == "commitment")
    ).all()
    assert actions == ["commitment.create", "commitment.status"]


def test_a_delegate_records_only_in_their_regions(app, session, world, own, other) -> None:
    data = {
        "title_fr": "Piste cyclable",
        "title_ar": "مسار الدراجات",
        "description_fr": "Une piste.",
        "description_ar": "مسار.",
        "owner": "Commune",
        "regions": REGION_A,
    }
    refused = post(app, other, "/hq/commitments/new", data)
    assert refused.status_code == 422 and "Piste cyclable" in refused.get_data(as_text=True)
    national = post(
        app, own, "/hq/commitments/new", {k: v for k, v in data.items() if k != "regions"}
    )
    assert national.status_code == 422
    assert "Seul le siège" in national.get_data(as_text=True)
    created = post(app, own, "/hq/commitments/new", data)
    assert created.status_code == 302
    assert "Piste cyclable" not in other.get("/hq/commitments").get_data(as_text=True)


def test_commitments_follow_merged_and_split_groups(session, world, heard) -> None:
    third = _reviewed(session, world.ids["code_a"], "Un label pour les guides")
    fourth = _reviewed(session, world.ids["code_a"], "Label qualité des guides")
    other_group = _titled_group(
        session, [third.items[0].id, fourth.items[0].id], "Un label des guides"
    )
    merge_groups(session, EVERYTHING, other_group, [heard["group"]], actor_id=None)
    linked = session.scalars(
        select(commitment_groups.c.group_id).where(
            commitment_groups.c.commitment_id == heard["commitment"]
        )
    ).all()
    assert linked == [other_group]  # the merged-away group is gone, the commitment followed
    new_group = split_group(
        session,
        EVERYTHING,
        other_group,
        [heard["first"].items[0].id, heard["second"].items[0].id],
        actor_id=None,
    )
    linked = session.scalars(
        select(commitment_groups.c.group_id)
        .where(commitment_groups.c.commitment_id == heard["commitment"])
        .order_by(commitment_groups.c.group_id)
    ).all()
    assert linked == sorted([other_group, new_group])


def _change(session, commitment_id: int, status: str, reason: str) -> int:
    return change_status(
        session,
        EVERYTHING,
        commitment_id,
        status=status,
        progress=50,
        reason=reason,
        actor_id=None,
    ).id


def test_one_mail_per_change_even_when_the_worker_dies_mid_send(
    mail_app, inbox: Inbox, session, world
) -> None:
    heard = _heard_in(session, world)
    change_id = _change(session, heard["commitment"], "in_progress", "Budget voté")
    # A worker claims the notice, then dies before the relay answered (nothing reached it).
    from feedback_app.services.followup.notices import claim, open_notices

    [notice_id] = open_notices(session, change_id)
    assert claim(session, notice_id, secret=mail_app.secret_key, today=dt.date(2027, 1, 4))
    # The task is delivered again, twice: the mail goes out once, under one Message-ID.
    assert _send(mail_app, change_id, dt.date(2027, 1, 4)) == 1
    assert _send(mail_app, change_id, dt.date(2027, 1, 4)) == 0
    [message] = inbox.wait_for(1)
    assert len(inbox.messages) == 1
    assert message["To"] == CONSENTING
    assert message["Message-ID"] == f"<commitment-notice-{notice_id}@avis.example.ma>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = message.get_payload(decode=True).decode()
    assert "Budget voté" in body and heard["reference"] in body
    session.rollback()
    assert session.get(CommitmentNotice, notice_id).state is NoticeState.SENT


def test_never_more_than_one_mail_a_day_and_unsubscribe_in_one_click(
    mail_app, inbox: Inbox, session, world
) -> None:
    heard = _heard_in(session, world)
    day = dt.date(2027, 1, 4)
    first = _change(session, heard["commitment"], "in_progress", "Budget voté")
    second = _change(session, heard["commitment"], "done", "Formations terminées")
    assert _send(mail_app, first, day) == 1
    assert _send(mail_app, second, day) == 0  # capped: one mail a day
    assert len(inbox.wait_for(1)) == 1
    third = _change(session, heard["commitment"], "in_progress", "Nouvelle promotion")
    link = re.search(
        r"https://avis\.example\.ma(/suivi/desabonnement/\S+)", _body(inbox.messages[0])
    )
    assert link
    client = mail_app.test_client()
    assert client.post(link.group(1), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert _send(mail_app, third, day + dt.timedelta(days=1)) == 0
    assert len(inbox.messages) == 1


def test_erasure_takes_the_person_off_the_notification_list_at_once(
    mail_app, inbox: Inbox, session, world
) -> None:
    heard = _heard_in(session, world)
    change_id = _change(session, heard["commitment"], "in_progress", "Budget voté")
    erase_contacts(session, submission_ids=[heard["submission"]], actor_id=world.ids["hq"])
    assert _send(mail_app, change_id, dt.date(2027, 1, 4)) == 0
    assert inbox.messages == []
    states = session.scalars(select(CommitmentNotice.state)).all()
    assert states == [NoticeState.DROPPED]


def test_a_status_change_on_the_page_queues_the_mail(
    mail_app, inbox: Inbox, session, world
) -> None:
    from tests.staff import session_for

    heard = _heard_in(session, world)
    hq = session_for(mail_app, session, world.emails["hq"])
    answer = post(
        mail_app,
        hq,
        f"/hq/commitments/{heard['commitment']}/status",
        {"status-status": "in_progress", "status-progress": "30", "status-reason": "Lancé"},
    )
    assert answer.status_code == 302
    taskqueue.join(mail_app)
    assert len(inbox.wait_for(1)) == 1
    public = mail_app.test_client().get(f"/suivi/{REGION_A}").get_data(as_text=True)
    assert "Lancé" in public and "30 %" in public


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


def _heard_in(session, world) -> dict:
    first = _reviewed(session, world.ids["code_a"], "Former les guides aux langues", CONSENTING)
    second = _reviewed(session, world.ids["code_a"], "Des cours de langues pour les guides")
    group = _titled_group(session, [first.items[0].id, second.items[0].id], "Guides et langues")
    commitment = _commitment(session, [group])
    assert session.scalar(select(func.count()).select_from(FeedbackItem)) >= 4
    assert commitment.status is CommitmentStatus.PLANNED
    return {
        "commitment": commitment.id,
        "reference": first.reference,
        "submission": first.id,
    }


def test_receipt_and_poster_link_to_the_follow_up_once_the_region_has_commitments(
    app, client, session, world, hq
) -> None:
    from tests.conftest import post_public_form

    app.config["PUBLIC_BASE_URL"] = "https://avis.example.ma"
    answer = post_public_form(client, world.ids["code_b"])
    receipt = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "/suivi/ref/" not in receipt  # region B has no commitment yet
    answer = post_public_form(client, world.ids["code_a"])
    receipt = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert re.search(r'href="/suivi/ref/MS(-[A-Z0-9]{4}){3}"', receipt)
    poster = hq.get(f"/hq/stops/{world.ids['stop_a']}/poster").get_data(as_text=True)
    assert "avis.example.ma/suivi/marrakech-safi" in poster
    assert "avis.example.ma/suivi/marrakech-safi?lang=ar" in poster


def test_the_api_lists_commitments_read_only_as_the_pages_show_them(
    client, session, world, heard
) -> None:
    change_status(
        session,
        EVERYTHING,
        heard["commitment"],
        status="in_progress",
        progress=40,
        reason="Budget voté",
        actor_id=None,
    )
    every = client.get("/api/v1/commitments?lang=ar").get_json()["commitments"]
    regional = client.get(f"/api/v1/regions/{REGION_A}/commitments").get_json()["commitments"]
    other = client.get("/api/v1/regions/souss-massa/commitments").get_json()["commitments"]
    ours = next(c for c in regional if c["id"] == heard["commitment"])
    assert ours["status"] == "in_progress" and ours["progress"] == 40
    assert ours["changes"][0]["reason"] == "Budget voté"
    assert ours["ideas"] == ["Former les guides aux langues"]
    assert any(c["title"] == "تكوين 200 مرشد" for c in every)
    assert heard["commitment"] not in {c["id"] for c in other}
    assert client.get("/api/v1/regions/nowhere/commitments").status_code == 404
    assert client.post("/api/v1/commitments").status_code == 405
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/commitments" in spec["paths"] and "Commitment" in spec["components"]["schemas"]


def test_the_workbook_lists_the_commitments_of_its_regions(
    app, session, world, heard, tmp_path
) -> None:
    import openpyxl

    change_status(
        session,
        EVERYTHING,
        heard["commitment"],
        status="in_progress",
        progress=40,
        reason='=HYPERLINK("http://x")',
        actor_id=None,
    )
    out = tmp_path / "book.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export", "xlsx", "--out", str(out), "--region", REGION_A]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    brief = [c for r in book["Bilan Marrakech-Safi"].iter_rows(values_only=True) for c in r if c]
    assert brief[-3].startswith("Former 200 guides (Marrakech-Safi")  # the brief ends with it
    sheet = book["Engagements"]
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0]]
    mine = next(r for r in rows if r[1] == "Former 200 guides")
    assert mine[0] == "Marrakech-Safi" and mine[2] == "Conseil régional"
    assert f"n° {heard['group']} — Former les guides aux langues" in mine[3]
    assert mine[4] == "En cours" and mine[5] == 40
    assert mine[6] == '=HYPERLINK("http://x")'  # a string, never a formula
    other = tmp_path / "other.xlsx"
    app.test_cli_runner().invoke(
        args=["export", "xlsx", "--out", str(other), "--region", "souss-massa"]
    )
    assert "Former 200 guides" not in [
        r[1] for r in openpyxl.load_workbook(other)["Engagements"].iter_rows(values_only=True)
    ]


def test_the_region_brief_ends_with_its_commitments(app, session, world, heard, own) -> None:
    page = own.get(f"/review/brief?region={REGION_A}").get_data(as_text=True)
    assert "Engagements" in page and "Former 200 guides" in page
    assert page.index("Former 200 guides") > page.index("Éléments retenus")


def test_bulk_progress_from_the_shell_with_a_preview(app, session, world, heard, tmp_path) -> None:
    sheet = tmp_path / "avancement.csv"
    sheet.write_text(
        "Engagement;Statut;Avancement;Motif\n"
        f"{heard['commitment']};En cours;60;Marché attribué\n"
        f"{heard['commitment'] + 99};done;100;Inconnu\n"
        f"{heard['commitment']};planned;10;\n",
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["commitments", "import", str(sheet), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 valid, 2 with errors" in dry.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StatusChange)) == 0
    stored = runner.invoke(args=["commitments", "import", str(sheet)])
    assert "stored: 1" in stored.output, stored.output
    session.rollback()
    [change] = session.scalars(select(StatusChange)).all()
    assert (change.status, change.progress, change.reason) == (
        CommitmentStatus.IN_PROGRESS,
        60,
        "Marché attribué",
    )
    again = runner.invoke(args=["commitments", "import", str(sheet)])
    assert again.exit_code == 1  # the same file changes nothing now
    refused = tmp_path / "macro.xlsm"
    refused.write_bytes(b"PK")
    assert runner.invoke(args=["commitments", "import", str(refused)]).exit_code == 2


def test_bulk_upload_page_previews_then_confirms_within_the_scope(
    app, session, world, heard, own, other
) -> None:
    import io

    data = (
        f"engagement,status,progress,reason\n{heard['commitment']},in_progress,70,Travaux lancés\n"
    )

    def upload(client):
        return post(
            app,
            client,
            "/hq/commitments/import",
            {"file": (io.BytesIO(data.encode()), "avancement.csv")},
            content_type="multipart/form-data",
        )

    theirs = upload(other).get_data(as_text=True)
    assert "Engagement introuvable" in theirs and "Aucune ligne valide" in theirs
    preview = upload(own)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Travaux lancés" in html
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StatusChange)) == 0
    rows = re.search(r'name="rows" type="hidden" value="([^"]+)"', html).group(1)
    done = post(app, own, "/hq/commitments/import/confirm", {"rows": rows})
    assert done.status_code == 302
    session.rollback()
    assert session.scalars(select(StatusChange.progress)).all() == [70]
    forged = post(app, other, "/hq/commitments/import/confirm", {"rows": rows})
    assert forged.status_code == 404  # replayed by another region's delegate: not theirs
    session.rollback()
    assert session.scalar(select(func.count()).select_from(StatusChange)) == 1


def test_a_delegate_edits_and_removes_a_milestone_audited_and_shown_publicly(
    app, session, world, own
) -> None:
    commitment, milestone = world.ids["commitment_a"], world.ids["milestone_a"]
    page = f"/hq/commitments/{commitment}"
    prefix = f"milestone-{milestone}"
    assert "Appel d&#39;offres" in app.test_client().get(f"/suivi/{REGION_A}").get_data(True)
    edited = post(
        app,
        own,
        f"{page}/milestones/{milestone}/edit",
        {
            f"{prefix}-due": "2027-04-15",
            f"{prefix}-label_fr": "Marché attribué",
            f"{prefix}-label_ar": "إسناد الصفقة",
        },
    )
    assert edited.status_code == 302
    public = app.test_client().get(f"/suivi/{REGION_A}").get_data(as_text=True)
    assert "Marché attribué" in public and "Appel d&#39;offres" not in public
    assert "2027-04-15" in public
    removed = post(app, own, f"{page}/milestones/{milestone}/remove", {})
    assert removed.status_code == 302
    public = app.test_client().get(f"/suivi/{REGION_A}").get_data(as_text=True)
    assert "Marché attribué" not in public
    session.rollback()
    trail = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "commitment.milestone")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.before for e in trail][-2]["label_fr"] == "Appel d'offres"
    assert trail[-2].after["label_fr"] == "Marché attribué" and "done" not in trail[-2].after
    assert trail[-1].before["label_fr"] == "Marché attribué" and trail[-1].after["removed"]
    assert all(e.user_id == world.ids["delegate_a"] for e in trail[-2:])


def test_a_refused_milestone_edit_keeps_what_was_typed_next_to_its_errors(
    app, session, world, own
) -> None:
    commitment, milestone = world.ids["commitment_a"], world.ids["milestone_a"]
    prefix = f"milestone-{milestone}"

    def edit(due: str, label_fr: str, label_ar: str) -> str:
        refused = post(
            app,
            own,
            f"/hq/commitments/{commitment}/milestones/{milestone}/edit",
            {f"{prefix}-due": due, f"{prefix}-label_fr": label_fr, f"{prefix}-label_ar": label_ar},
        )
        assert refused.status_code == 422
        html = refused.get_data(as_text=True)
        # The refused milestone's own form, shown open; the other forms are left alone.
        return html.split(f'id="jalon-{milestone}"')[1].split("</li>")[0]

    dated = edit("1999-12-31", "Marché attribué", "إسناد الصفقة")
    assert '<details class="milestone-edit" open>' in dated
    assert re.search(rf'id="{prefix}-due-error">Date hors limites', dated)
    assert 'value="1999-12-31"' in dated and 'value="Marché attribué"' in dated
    labelled = edit("2027-04-15", " ", "إسناد الصفقة <b>")
    assert re.search(rf'id="{prefix}-label_fr-error">Ce champ est obligatoire', labelled)
    assert re.search(rf'id="{prefix}-label_ar-error">Écrivez du texte simple', labelled)
    assert 'value="2027-04-15"' in labelled and 'value="إسناد الصفقة &lt;b&gt;"' in labelled
    session.rollback()
    assert session.get(Milestone, milestone).label_fr == "Appel d'offres"  # unchanged
