"""The audit trail reads as sentences in the reader's language, with links and readable diffs."""

from __future__ import annotations

import re

from tests.staff import post, session_for
from tests.test_review_pages import _page_form


def _first_event(html: str) -> str:
    return html.split('<li class="audit-event">')[1].split("</li>")[0]


def test_a_status_change_reads_as_a_linked_sentence_with_a_diff(app, session, world, hq) -> None:
    own = session_for(app, session, world.emails["own"])
    sid = world.ids["submission_a"]
    page = f"/review/submissions/{sid}"
    data = {**_page_form(own.get(page).get_data(as_text=True)), "status": "reviewed"}
    assert post(app, own, page, data).status_code == 302
    event = _first_event(hq.get("/hq/audit?action=submission.status").get_data(as_text=True))
    sentence = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", event))
    assert (
        "Délégué(e) régional(e) delegue.a a marqué la contribution "
        f"{world.ids['reference_a']} comme examinée."
    ) in sentence
    assert f'href="/review/submissions/{sid}"' in event
    assert f'href="/hq/users/{world.ids["delegate_a"]}/edit"' in event
    assert re.search(
        r"Statut</th>\s*<td><del><bdi>Nouvelle</bdi></del></td>\s*"
        r"<td><ins><bdi>Examinée</bdi></ins></td>",
        event,
    )
    assert "submission.status" not in event and "{" not in event and "reviewed" not in event


def test_bulk_actions_and_theme_changes_read_in_arabic(app, session, world, hq) -> None:
    own = session_for(app, session, world.emails["own"])
    post(
        app,
        own,
        "/review/bulk",
        {"action": "reviewed", "submission_ids": str(world.ids["submission_a"])},
    )
    html = hq.get("/hq/audit?action=submission.bulk_status&lang=ar").get_data(as_text=True)
    event = _first_event(html)
    assert "submission.bulk_status" not in event
    assert world.ids["reference_a"] in event and re.search("[\u0600-\u06ff]{3}", event)
    options = re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', html)
    labels = dict(options)
    assert labels["submission.bulk_status"] != "submission.bulk_status"  # the filter is words

    page = f"/review/submissions/{world.ids['submission_a']}"
    data = _page_form(own.get(page).get_data(as_text=True))
    assert data["items-0-id"] == str(world.ids["item_a"])
    data.update(
        {
            "items-0-kind": "need",
            "items-0-theme": str(world.ids["theme"]),
            "items-0-shortlisted": "y",
        }
    )
    assert post(app, own, page, data).status_code == 302
    html = hq.get("/hq/audit?action=item.kind&lang=fr").get_data(as_text=True)
    event = _first_event(html)
    assert "Proposition" in event and "Besoin" in event and "proposal" not in event


def test_stop_and_account_events_link_to_their_record(app, session, world, hq) -> None:
    stop_id = world.ids["stop_a"]
    post(app, hq, f"/hq/stops/{stop_id}/close", {"confirmed": "yes"})
    event = _first_event(hq.get("/hq/audit?action=stop.close").get_data(as_text=True))
    assert "a clôturé l'étape" in event and f'href="/hq/stops/{stop_id}/edit"' in event
    assert re.search(r"Statut</th>\s*<td><del><bdi>Ouverte</bdi></del></td>", event)
    event = _first_event(hq.get("/hq/audit?action=user.link_issued").get_data(as_text=True))
    assert f'href="/hq/users/{world.ids["user_a"]}/edit"' in event
    assert "autre.a@example.ma" in event


def test_export_and_group_events_show_no_field_codes_nor_ids(app, session, world, hq) -> None:
    from feedback_app.database import write_transaction
    from feedback_app.services.audit import record

    stop_id = world.ids["stop_a"]
    with write_transaction(session):
        record(
            session,
            actor_id=world.ids["hq"],
            action="export.xlsx",
            target_type="export",
            target_id=None,
            after={
                "regions": [],
                "stops": [stop_id],
                "since": "2025-03-01",
                "until": None,
                "statuses": ["reviewed"],
                "language": "fr",
                "contacts": True,
                "via": "web",
                "filename": "synthese.xlsx",
                "items": 12,
                "cached": False,
            },
        )
        record(
            session,
            actor_id=world.ids["hq"],
            action="group.confirm",
            target_type="idea_group",
            target_id=world.ids["group_a"],
            after={"items": [137, 500, 757]},
        )
    page = hq.get("/hq/audit?lang=fr").get_data(as_text=True)
    export = next(e for e in page.split('<li class="audit-event">')[1:] if "synthese.xlsx" in e)
    export = export.split("</li>")[0]
    for code in (">stops<", ">since<", ">via<", ">filename<", ">items<", ">statuses<"):
        assert code not in export, code
    assert "Étapes" in export and "Ville-Secrete-A" in export and "1 mars 2025" in export
    assert "Examinée" in export and "12 entrées" in export and "le site" in export
    group = next(
        e
        for e in page.split('<li class="audit-event">')[1:]
        if "entrées" in e and "synthese" not in e
    )
    # The event's own time is no id: its microseconds once read "757".
    group = re.sub(r'<time datetime="[^"]*">[^<]*</time>', "", group)
    assert "3 entrées" in group and "137" not in group and "757" not in group
