"""One vocabulary: a contribution is what one professional sent, an entry is one need,
opportunity, challenge or proposal. Counts say which they count (README, "What each count
means")."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from feedback_app.exports.labels import Labels
from feedback_app.models import FeedbackItem
from feedback_app.services.access import EVERYTHING
from feedback_app.services.ideas import queries
from feedback_app.services.ideas.groups import regroup
from tests.export_world import add_submission
from tests.intake_files import HEADER_FR, csv_bytes
from tests.staff import REGION_A, csrf_for, post, session_for
from tests.test_idea_groups import GUIDES
from tests.test_intake_pages import _delegate, _upload


def test_an_idea_group_counts_entries_and_organisations(app, session, world, hq) -> None:
    stop = world.ids["stop_b"]
    # One organisation says it twice in one contribution, another once, in other words.
    add_submission(
        session,
        stop,
        organisation="Riad Atlas",
        items=[{"kind": "need", "text": GUIDES[0]}, {"kind": "need", "text": GUIDES[1]}],
    )
    add_submission(
        session, stop, organisation="riad  ATLAS", items=[{"kind": "need", "text": GUIDES[2]}]
    )
    add_submission(
        session, stop, organisation="Hôtel Oasis", items=[{"kind": "need", "text": GUIDES[0]}]
    )
    regroup(session)
    [group] = [g for g in queries.top_groups(session, EVERYTHING, "need", 100) if g.title in GUIDES]
    # 4 entries, from 3 contributions, by 2 organisations ("riad  ATLAS" is "Riad Atlas").
    assert group.items == 4
    page = hq.get(f"/review/ideas/{group.id}").get_data(as_text=True)
    assert "4 entrées · 2 organisations · 1 région" in page
    assert "contributions" not in page.split("<h1")[1].split("</div>")[0]
    listing = hq.get("/review/ideas").get_data(as_text=True)
    assert "<th>Entrées</th><th>Organisations</th>" in listing
    dashboard = hq.get("/hq/").get_data(as_text=True)
    assert "4 entrées · 2 organisations" in dashboard


def test_an_import_counts_one_organisations_rows_as_one_contribution(
    app, session, open_stop
) -> None:
    client = _delegate(app, session)
    rows = [
        ["Riad Dar Atlas", "Hébergement", "Besoin", "Former le personnel à l'anglais."],
        ["riad dar atlas ", "Hébergement", "Défi", "La saisonnalité."],
        ["Riad Dar Atlas", "Hébergement", "Proposition", "Un label qualité."],
        ["Agence Sahara", "Agence de voyages", "Proposition", "Un guichet unique."],
    ]
    response = _upload(app, client, open_stop.id, csv_bytes([HEADER_FR[:4], *rows]))
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    figures = re.sub(r"\s+", " ", preview.split('id="intake-contributions">')[1].split("</p>")[0])
    assert figures.startswith("4 entrées, soit 2 contributions")
    assert (
        "Confirmer l&#39;import de 4 entrées" in preview
        or "Confirmer l'import de 4 entrées" in preview
    )
    confirm = re.search(r'action="([^"]+/confirm)"', preview).group(1)
    result = client.get(
        client.post(confirm, data={"csrf_token": csrf_for(app, client)}).headers["Location"]
    )
    assert "4 entrées enregistrées." in result.get_data(as_text=True)
    assert session.scalar(select(func.count(FeedbackItem.id))) == 4


def test_the_live_screen_and_the_english_workbook_say_what_they_count(app, session, desk) -> None:
    client = session_for(app, session, desk.delegate_a.email)
    screen = client.get(f"/review/stops/{desk.stop_a1.id}/live").get_data(as_text=True)
    assert "Contributions reçues" in screen and "Idées qui reviennent (entrées)" in screen
    english, arabic = Labels("en", {}), Labels("ar", {})  # words, not codes
    assert english["col_submissions"] == "Contributions"  # not "Submissions" any more
    assert (english.column("items"), arabic.column("items")) == ("Entries", "المدخلات")


def _words(html: str) -> str:
    """The visible text of the page's main part (not the menus), lower-cased, without tags."""
    if "<main" in html:
        html = html.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").lower()


def test_a_commitments_dated_milestones_are_jalons_never_etapes(
    app, session, world, hq, own
) -> None:
    # "Étape" is a stop of the tour; a commitment's dated milestones are "jalons" (Arabic
    # "هدف مرحلي", never "محطة" nor "مرحلة"; English "milestone", never "stop").
    commitment, milestone = world.ids["commitment_a"], world.ids["milestone_a"]
    page = f"/hq/commitments/{commitment}"
    staff = _words(own.get(f"{page}?lang=fr").get_data(as_text=True))
    for words in ("ajouter un jalon daté", "jalons", "modifier ou supprimer le jalon"):
        assert words in staff
    assert "étape" not in staff
    staff_ar = _words(own.get(f"{page}?lang=ar").get_data(as_text=True))
    assert "الأهداف المرحلية" in staff_ar and "محط" not in staff_ar and "مرحلة" not in staff_ar
    public = _words(app.test_client().get(f"/suivi/{REGION_A}?lang=en").get_data(as_text=True))
    assert "milestones" in public and "stops" not in public
    public_fr = _words(app.test_client().get(f"/suivi/{REGION_A}?lang=fr").get_data(as_text=True))
    assert "jalons" in public_fr and "étape" not in public_fr.split("jalons")[1]
    # What the region said is counted in entries there too, as on every other page.
    assert " entrée" in public_fr and "élément" not in public_fr
    prefix = f"milestone-{milestone}"
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
    # The message is written in the language the delegate last chose (Arabic, above).
    assert "عُدّل الهدف المرحلي." in _words(own.get(page).get_data(as_text=True))
    audit = {
        lang: " ".join(
            _words(event.split("</li>")[0])
            for event in hq.get(f"/hq/audit?action=commitment.milestone&lang={lang}")
            .get_data(as_text=True)
            .split('<li class="audit-event">')[1:]
        )
        for lang in ("fr", "ar", "en")
    }
    assert "a changé les jalons d'un engagement" in audit["fr"]
    assert "jalon en français" in audit["fr"] and "étape" not in audit["fr"]
    assert "الأهداف المرحلية" in audit["ar"] and "الهدف المرحلي بالفرنسية" in audit["ar"]
    assert "محط" not in audit["ar"] and "مرحلة" not in audit["ar"]
    assert "changed the milestones of a commitment" in audit["en"]
    assert "milestone in french" in audit["en"] and "stop" not in audit["en"]
