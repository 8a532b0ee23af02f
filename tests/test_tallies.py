"""One set of tallies: every path that adds, moves or removes items moves the live screen's
counts in the same transaction, and `flask tally check` finds any that drifted."""

from __future__ import annotations

from sqlalchemy import func, select, update

from feedback_app.cli import tally as tally_cli
from feedback_app.database import write_transaction
from feedback_app.models import (
    FeedbackItem,
    ReviewStatus,
    StopTally,
    Submission,
    SubmissionSource,
)
from feedback_app.services.access import EVERYTHING
from feedback_app.services.capture import tally
from feedback_app.services.capture.submissions import submit
from feedback_app.services.intake.batches import build_preview, commit_batch, save_preview
from feedback_app.services.review import actions as review_actions
from feedback_app.services.review import bulk as review_bulk
from feedback_app.services.synthesis.figures import SynthesisFilters, resolve, synthesis
from feedback_app.services.synthesis.live import live_figures
from tests.conftest import valid_payload
from tests.intake_files import HEADER_FR, csv_bytes


def _paper_rows(count: int) -> bytes:
    rows = [
        [f"Organisation papier {n}", "hebergement", "need", f"Besoin écrit sur papier {n}."]
        for n in range(count)
    ]
    return csv_bytes([HEADER_FR[:4], *rows])


def _import(session, stop, data: bytes) -> None:
    preview = build_preview(session, stop, data, "papier.csv")
    commit_batch(session, EVERYTHING, save_preview(session, preview, user_id=None), actor_id=None)


def _three_ways(session, stop) -> tuple[tuple[int, dict], tuple[int, dict], tuple[int, dict]]:
    """(submissions, items by kind) as the dashboard, the live screen and the rows say."""
    counted = Submission.stop_id == stop.id, Submission.status != ReviewStatus.SPAM
    rows_subs = session.scalar(select(func.count()).select_from(Submission).where(*counted))
    rows_kinds = dict(
        session.execute(
            select(FeedbackItem.kind, func.count())
            .join(Submission, Submission.id == FeedbackItem.submission_id)
            .where(*counted)
            .group_by(FeedbackItem.kind)
        ).all()
    )
    rows = (rows_subs, {k.value: n for k, n in rows_kinds.items()})
    region = resolve(session, EVERYTHING, SynthesisFilters(stop_ids=(stop.id,)))
    figures = synthesis(session, region).regions
    board = next(r for r in figures if r.submissions or r.slug == stop.region.slug)
    dashboard = (board.submissions, {k: v for k, v in board.by_kind.items() if v})
    live = live_figures(session, EVERYTHING, stop.id)
    screen = (live.submissions, {k: v for k, v in live.by_kind.items() if v})
    return dashboard, screen, rows


def test_imported_paper_rows_reach_the_live_screen(session, open_stop) -> None:
    for _ in range(2):
        submit(session, open_stop.code, valid_payload(), source=SubmissionSource.FORM)
    _import(session, open_stop, _paper_rows(4))
    dashboard, screen, rows = _three_ways(session, open_stop)
    assert rows[0] == 6
    assert dashboard == screen == rows
    assert tally.differences(session) == []


def test_spam_leaves_every_count_and_comes_back_when_unmarked(session, open_stop) -> None:
    ids = [
        submit(session, open_stop.code, valid_payload(), source=SubmissionSource.FORM).id
        for _ in range(3)
    ]
    review_actions.set_status(session, EVERYTHING, ids[0], "spam", actor_id=None)
    review_bulk.bulk_set_status(session, EVERYTHING, [ids[1]], "spam", actor_id=None)
    dashboard, screen, rows = _three_ways(session, open_stop)
    assert rows[0] == 1 and dashboard == screen == rows
    review_actions.set_status(session, EVERYTHING, ids[0], "reviewed", actor_id=None)
    dashboard, screen, rows = _three_ways(session, open_stop)
    assert rows[0] == 2 and dashboard == screen == rows
    assert tally.differences(session) == []


def test_tally_check_reports_a_drift_and_fix_repairs_it(app, session, open_stop) -> None:
    submit(session, open_stop.code, valid_payload(), source=SubmissionSource.FORM)
    runner = app.test_cli_runner()
    clean = runner.invoke(tally_cli.tally_cli, ["check"])
    assert clean.exit_code == 0, clean.output
    assert "agree" in clean.output

    with write_transaction(session):  # what an import used to leave behind: a count short
        session.execute(
            update(StopTally)
            .where(StopTally.stop_id == open_stop.id, StopTally.kind == "submissions")
            .values(count=StopTally.count - 1)
        )
    drift = runner.invoke(tally_cli.tally_cli, ["check"])
    assert drift.exit_code == 1
    assert f"stop {open_stop.id} ({open_stop.code})" in drift.output
    assert "submissions" in drift.output and "counted 0, rows 1" in drift.output

    fixed = runner.invoke(tally_cli.tally_cli, ["check", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert runner.invoke(tally_cli.tally_cli, ["check"]).exit_code == 0
    assert live_figures(session, EVERYTHING, open_stop.id).submissions == 1


def test_a_recount_of_some_stops_rewrites_theirs_and_leaves_the_others(
    session, open_stop, make_stop
) -> None:
    # `tally check --fix` recounts the stops that drifted, and counts only their rows.
    other = make_stop(city="Essaouira")
    for stop in (open_stop, other):
        submit(session, stop.code, valid_payload(), source=SubmissionSource.FORM)
    with write_transaction(session):  # both drift by one
        session.execute(update(StopTally).values(count=StopTally.count + 1))
    drifted = {d.stop_id for d in tally.differences(session)}
    assert drifted == {open_stop.id, other.id}

    with write_transaction(session):
        tally.recount(session, [open_stop.id])
    assert {d.stop_id for d in tally.differences(session)} == {other.id}
    assert live_figures(session, EVERYTHING, open_stop.id).submissions == 1
    assert live_figures(session, EVERYTHING, other.id).submissions == 2  # still drifted
    assert tally.counts_from_rows(session, {open_stop.id}) == {
        key: count
        for key, count in tally.counts_from_rows(session).items()
        if key[0] == open_stop.id
    }


def test_shortlist_and_category_counts_follow_the_review(session, open_stop) -> None:
    """The dashboard's shortlist and category figures come from the counts too: shortlisting,
    changing a shortlisted item's kind, spam and back all move them with the rows."""
    ids = [
        submit(session, open_stop.code, valid_payload(), source=SubmissionSource.FORM).id
        for _ in range(2)
    ]
    item = session.scalar(select(FeedbackItem).where(FeedbackItem.submission_id == ids[0]))
    item_id, theme_id = item.id, item.theme_id

    def figures():
        sel = resolve(session, EVERYTHING, SynthesisFilters(stop_ids=(open_stop.id,)))
        region = next(r for r in synthesis(session, sel).regions if r.submissions)
        return region.shortlisted, sum(synthesis(session, sel).by_category[region.slug].values())

    def review(kind: str, shortlisted: bool) -> None:
        review_actions.update_item(
            session,
            EVERYTHING,
            ids[0],
            item_id,
            kind=kind,
            theme_id=theme_id,
            shortlisted=shortlisted,
            actor_id=None,
        )

    assert figures() == (0, 2)
    review("need", True)
    assert figures() == (1, 2)
    review("proposal", True)  # still shortlisted, now counted as a proposal
    assert figures() == (1, 2)
    assert tally.differences(session) == []
    review_actions.set_status(session, EVERYTHING, ids[0], "spam", actor_id=None)
    assert figures() == (0, 1)
    review_actions.set_status(session, EVERYTHING, ids[0], "new", actor_id=None)
    assert figures() == (1, 2)
    review("proposal", False)
    assert figures() == (0, 2)
    assert tally.differences(session) == []
