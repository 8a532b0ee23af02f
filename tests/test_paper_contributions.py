"""Paper rows of one organisation at one stop are one contribution, in every count (issue 20,
item 6; README "What each count means"): dashboard, live screen, brief, workbook, follow-up page
and stops list agree, while each row stays one entry."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from feedback_app.models import (
    ExportArtifact,
    FeedbackItem,
    ReviewStatus,
    Submission,
    SubmissionSource,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture import tally
from feedback_app.services.capture.submissions import submit
from feedback_app.services.export.build import export_workbook
from feedback_app.services.export.plan import ExportRequest
from feedback_app.services.followup.public import region_followup
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.synthesis.brief import region_brief
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.synthesis.live import live_figures
from feedback_app.services.tour.stop_admin import list_stops
from tests.conftest import valid_payload
from tests.intake_files import HEADER_FR, csv_bytes


def _import(session, stop, rows: list[list[str]]) -> None:
    preview = build_preview(session, stop, csv_bytes([HEADER_FR[:4], *rows]), "papier.csv")
    commit_batch(session, EVERYTHING, save_preview(session, preview, user_id=None), actor_id=None)


def _workbook_contributions(session, slug: str) -> tuple[int, int]:
    """(contributions, needs) of the region's row in the "Synthèse" sheet."""
    stored = export_workbook(
        session,
        EVERYTHING,
        ExportRequest(filters=SynthesisFilters(region_slugs=(slug,))),
        actor_id=None,
        generated_by="Test",
    )
    content = session.get_one(ExportArtifact, stored.id).content
    session.rollback()
    rows = list(openpyxl.load_workbook(io.BytesIO(content))["Synthèse"].iter_rows(values_only=True))
    start = next(
        i for i, r in enumerate(rows) if r[:3] == ("Région", "Étapes tenues", "Contributions")
    )
    region = rows[start + 1]
    return region[2], region[3]


def _figures(session, stop, *, with_spam_list: bool = True) -> dict[str, int]:
    """The stop's contributions as each screen and file counts them (the stops list counts
    spam too: it says how much the stop holds, not what it said)."""
    sel = resolve(session, EVERYTHING, SynthesisFilters(stop_ids=(stop.id,)))
    (board,) = synthesis(session, sel).regions
    brief = region_brief(session, EVERYTHING, stop.region.slug, language="fr")
    (listed,) = [r for r in list_stops(session, EVERYTHING) if r.stop.id == stop.id]
    book, _needs = _workbook_contributions(session, stop.region.slug)
    figures = {
        "dashboard": board.submissions,
        "live": live_figures(session, EVERYTHING, stop.id).submissions,
        "brief": brief.figures.submissions,
        "workbook": book,
    }
    if with_spam_list:
        figures["stops list"] = listed.submissions
    return figures


def test_one_organisations_paper_rows_are_one_contribution_everywhere(session, open_stop) -> None:
    submit(session, open_stop.code, valid_payload(), source=SubmissionSource.FORM)
    _import(
        session,
        open_stop,
        [
            ["Riad Dar Atlas", "hebergement", "need", "Former le personnel à l'anglais."],
            ["riad  dar ATLAS", "hebergement", "challenge", "La saisonnalité."],
            ["Riad Dâr Atlas", "hebergement", "proposal", "Un label qualité."],
            ["Agence Sahara", "agence_voyages", "proposal", "Un guichet unique."],
        ],
    )
    # A second file, later, with one more row of the same organisation: still its contribution.
    _import(session, open_stop, [["RIAD DAR ATLAS", "hebergement", "need", "Des navettes."]])

    # 1 form + Riad Dar Atlas + Agence Sahara; 1 + 5 entries.
    assert set(_figures(session, open_stop).values()) == {3}
    sel = resolve(session, EVERYTHING, SynthesisFilters(stop_ids=(open_stop.id,)))
    (board,) = synthesis(session, sel).regions
    assert sum(board.by_kind.values()) == 6  # entries are still counted one by one
    assert tally.differences(session) == []


def test_spam_among_paper_rows_moves_the_contribution_only_with_the_last_row(
    session, open_stop
) -> None:
    _import(
        session,
        open_stop,
        [
            ["Riad Dar Atlas", "hebergement", "need", "Former le personnel à l'anglais."],
            ["Riad Dar Atlas", "hebergement", "challenge", "La saisonnalité."],
        ],
    )
    first, second = session.scalars(select(Submission.id).order_by(Submission.id)).all()
    review_actions.set_status(session, EVERYTHING, first, ReviewStatus.SPAM, actor_id=None)
    # The other row still speaks for the organisation.
    assert set(_figures(session, open_stop, with_spam_list=False).values()) == {1}
    review_bulk.bulk_set_status(session, EVERYTHING, [second], ReviewStatus.SPAM, actor_id=None)
    assert set(_figures(session, open_stop, with_spam_list=False).values()) == {0}
    review_bulk.bulk_set_status(
        session, EVERYTHING, [first, second], ReviewStatus.REVIEWED, actor_id=None
    )
    assert set(_figures(session, open_stop).values()) == {1}
    assert tally.differences(session) == []
    # The public follow-up page counts reviewed contributions by the same rule.
    assert region_followup(session, open_stop.region.slug, "fr").contributions == 1


def test_tablet_and_form_submissions_of_one_organisation_stay_apart(session, open_stop) -> None:
    """The rule is about paper rows: a professional's own form is their contribution."""
    for source in (SubmissionSource.FORM, SubmissionSource.TABLET):
        submit(session, open_stop.code, valid_payload(organisation="Riad Dar Atlas"), source=source)
    _import(session, open_stop, [["Riad Dar Atlas", "hebergement", "need", "Des navettes."]])
    assert set(_figures(session, open_stop).values()) == {3}


def test_the_migration_keys_stored_paper_rows_and_recounts_the_live_screen(
    empty_database_url,
) -> None:
    """Rows imported before 0018 get their key, and the stop's contribution count follows."""
    from flask_migrate import downgrade, upgrade

    from feedback_app import create_app
    from feedback_app.extensions import db
    from feedback_app.models import paper_key
    from tests.staff import add_stop

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            stop = add_stop(db.session, "Marrakech")
            stop_id = stop.id
            _import(
                db.session,
                stop,
                [
                    ["Riad Dar Atlas", "hebergement", "need", "Des navettes."],
                    ["riad dar atlas", "hebergement", "challenge", "La saisonnalité."],
                ],
            )
            db.session.remove()
            downgrade(revision="0017")  # as stored before: one contribution per row
            with db.engine.connect() as connection:
                assert (
                    connection.exec_driver_sql(
                        "SELECT count FROM stop_tallies WHERE kind = 'submissions'"
                    ).scalar()
                    == 2
                )
            upgrade()
            session = db.session
            keys = session.execute(
                select(Submission.organisation, Submission.category_code, Submission.paper_key)
            ).all()
            assert [key for _org, _cat, key in keys] == [
                paper_key(stop_id, org, cat) for org, cat, _key in keys
            ]
            assert len({key for _org, _cat, key in keys}) == 1
            assert live_figures(session, EVERYTHING, stop_id).submissions == 1
            assert tally.differences(session) == []
        finally:
            db.session.remove()
            db.engine.dispose()


def test_simultaneous_imports_of_one_organisation_count_it_once(app, session, open_stop) -> None:
    """Two files bringing the same organisation into a stop at the same moment (two staff
    members): each reads which organisations already count before storing its rows."""
    import threading

    from feedback_app.extensions import db
    from feedback_app.models import TourStop

    previews = [
        save_preview(
            session,
            build_preview(
                session,
                open_stop,
                csv_bytes([HEADER_FR[:4], ["Riad Dar Atlas", "hebergement", "need", text]]),
                f"papier{n}.csv",
            ),
            user_id=None,
        )
        for n, text in enumerate(["Des navettes.", "Un label qualité.", "Plus de vols."])
    ]
    start = threading.Barrier(len(previews))
    errors: list[BaseException] = []

    def confirm(batch_id: int) -> None:
        try:
            with app.app_context():  # each thread its own context, hence its own DB session
                start.wait()
                commit_batch(db.session, EVERYTHING, batch_id, actor_id=None)
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=confirm, args=(b,)) for b in previews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    session.rollback()  # end this thread's read snapshot to see the others' writes
    stop = session.get(TourStop, open_stop.id)
    assert set(_figures(session, stop).values()) == {1}
    assert tally.differences(session) == []


def test_review_status_counts_follow_paper_rows_one_by_one(session, open_stop) -> None:
    """The stops list (held, spam included; still new) and the public follow-up page (reviewed
    contributions and entries) read the running counts: each status change of a paper row
    moves them by the paper rule, and they always equal the rows."""
    _import(
        session,
        open_stop,
        [
            ["Riad Dar Atlas", "hebergement", "need", "Former le personnel à l'anglais."],
            ["riad dar atlas", "hebergement", "challenge", "La saisonnalité."],
        ],
    )
    first, second = session.scalars(select(Submission.id).order_by(Submission.id)).all()

    def seen() -> tuple[int, int, int, dict[str, int]]:
        (listed,) = [r for r in list_stops(session, EVERYTHING) if r.stop.id == open_stop.id]
        page = region_followup(session, open_stop.region.slug, "fr")
        assert tally.differences(session) == []
        return listed.submissions, listed.new, page.contributions, page.entries

    def status(ids: list[int], value: ReviewStatus) -> None:
        review_bulk.bulk_set_status(session, EVERYTHING, ids, value, actor_id=None)

    none = {"need": 0, "opportunity": 0, "challenge": 0, "proposal": 0}
    assert seen() == (1, 2, 0, none)
    status([first], ReviewStatus.REVIEWED)
    assert seen() == (1, 1, 1, {**none, "need": 1})
    status([second], ReviewStatus.REVIEWED)  # the organisation is reviewed already
    assert seen() == (1, 0, 1, {**none, "need": 1, "challenge": 1})
    status([first], ReviewStatus.NEW)  # the second row still speaks for it
    assert seen() == (1, 1, 1, {**none, "challenge": 1})
    status([first, second], ReviewStatus.SPAM)  # the stop still holds it
    assert seen() == (1, 0, 0, none)
    status([first, second], ReviewStatus.REVIEWED)
    assert seen() == (1, 0, 1, {**none, "need": 1, "challenge": 1})
    # A reviewed entry's new kind moves it among the reviewed entries of that kind.
    item = session.scalar(select(FeedbackItem).where(FeedbackItem.submission_id == first))
    review_actions.update_item(
        session,
        EVERYTHING,
        first,
        item.id,
        kind="proposal",
        theme_id=item.theme_id,
        shortlisted=False,
        actor_id=None,
    )
    assert seen() == (1, 0, 1, {**none, "proposal": 1, "challenge": 1})
    # A second file of the organisation adds a row still new, but no contribution held.
    _import(session, open_stop, [["RIAD DAR ATLAS", "hebergement", "need", "Des navettes."]])
    assert seen() == (1, 1, 1, {**none, "proposal": 1, "challenge": 1})


def test_migration_0026_counts_every_stop_by_review_status(empty_database_url) -> None:
    """The counts by review status are backfilled from the rows: held contributions (spam
    included), still new, reviewed contributions and entries, by the paper rule."""
    from flask_migrate import downgrade, upgrade

    from feedback_app import create_app
    from feedback_app.extensions import db
    from tests.staff import add_stop

    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        try:
            upgrade()
            stop = add_stop(db.session, "Marrakech")
            slug = stop.region.slug
            submit(db.session, stop.code, valid_payload(), source=SubmissionSource.FORM)
            _import(
                db.session,
                stop,
                [
                    ["Riad Dar Atlas", "hebergement", "need", "Des navettes."],
                    ["riad dar atlas", "hebergement", "challenge", "La saisonnalité."],
                    ["Agence Sahara", "agence_voyages", "proposal", "Un guichet unique."],
                ],
            )
            ids = db.session.scalars(select(Submission.id).order_by(Submission.id)).all()
            review_bulk.bulk_set_status(
                db.session, EVERYTHING, ids[:3], ReviewStatus.REVIEWED, actor_id=None
            )
            review_actions.set_status(db.session, EVERYTHING, ids[3], "spam", actor_id=None)
            db.session.remove()
            downgrade(revision="0025")
            with db.engine.connect() as connection:
                kinds = connection.exec_driver_sql("SELECT DISTINCT kind FROM stop_tallies")
                assert not {k for (k,) in kinds} & {"held", "status:new", "reviewed"}
            upgrade()
            (listed,) = list_stops(db.session, EVERYTHING)
            assert (listed.submissions, listed.new) == (3, 0)  # the spam organisation held too
            page = region_followup(db.session, slug, "fr")
            assert page.contributions == 2  # the form and Riad Dar Atlas's two rows
            assert page.entries["need"] == 2 and page.entries["challenge"] == 1
            assert tally.differences(db.session) == []
        finally:
            db.session.remove()
            db.engine.dispose()
