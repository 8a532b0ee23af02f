"""A region's brief: the delegate's summaries, figures, recurring ideas, themes, shortlist.

Read-only, limited by the reader's scope: a region outside it is NotFound, exactly like an
unknown one. The same `RegionBrief` feeds the page (/review/brief), the workbook's sheet and
the PDF (exports/brief_pdf.py). `shared_brief` is the one a share link opens, for someone
without an account: the public follow-up rules (services/followup/public.py) apply there —
reviewed contributions only, ideas only under a title a person wrote, only signed-off
summaries, no names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from feedback_app.exports.data import (
    BriefItem,
    BriefStop,
    IdeaCount,
    IdeaTitles,
    RegionBrief,
    RegionFigures,
    ThemeCount,
)
from feedback_app.models import (
    FeedbackItem,
    ItemKind,
    Region,
    ReviewStatus,
    StopTally,
    Submission,
    TourStop,
)
from feedback_app.models.tally import SHORTLISTED
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound
from feedback_app.services.followup.outputs import commitment_rows
from feedback_app.services.followup.public import heard_ideas
from feedback_app.services.ideas.queries import group_quotes, top_groups_by_kind
from feedback_app.services.review.signoff import region_states
from feedback_app.services.synthesis.figures import (
    Selection,
    SynthesisFilters,
    counts_all_time,
    resolve,
    synthesis,
)

TOP_IDEAS = 5
SHORTLIST_PER_KIND = 6  # what fits on the printed page; the rest is counted


def brief_region(session: Session, scope: Scope, slug: str | None) -> Region:
    """The region asked for (`slug`), or the reader's first region; NotFound outside scope."""
    if slug and "\x00" in slug:  # names no region; PostgreSQL refuses NUL in a comparison
        raise NotFound(slug)
    query = select(Region).where(scope.filter(Region.id)).order_by(Region.position)
    if slug:
        query = query.where(Region.slug == slug)
    region = session.scalars(query.limit(1)).first()
    if region is None:
        raise NotFound(slug)
    return region


def region_brief(session: Session, scope: Scope, slug: str | None, *, language: str) -> RegionBrief:
    region = brief_region(session, scope, slug)
    sel = resolve(session, scope, SynthesisFilters(region_slugs=(region.slug,)), language=language)
    return briefs_for(session, sel)[region.slug]


def shared_brief(session: Session, region_id: int, *, language: str) -> RegionBrief:
    """The brief a share link shows: reviewed data only, nothing personal (see the module)."""
    region = session.get(Region, region_id)
    if region is None:
        raise NotFound(region_id)
    one_region = Scope(user_id=None, region_ids=frozenset({region.id}))
    sel = resolve(
        session,
        one_region,
        SynthesisFilters(region_slugs=(region.slug,), statuses=(ReviewStatus.REVIEWED.value,)),
        language=language,
    )
    brief = briefs_for(session, sel, ideas=False)[region.slug]
    by_kind: dict[str, list[tuple[int, str, int]]] = {kind.value: [] for kind in ItemKind}
    for idea in heard_ideas(session, region.id):
        if len(by_kind[idea.kind]) < TOP_IDEAS:
            by_kind[idea.kind].append((idea.group_id, idea.title, idea.entries))
    quotes = group_quotes(session, one_region, [g for ideas in by_kind.values() for g, *_ in ideas])
    return replace(
        brief,
        stops=tuple(
            replace(s, signed_by=None) if s.signed_at is not None else replace(s, summary="")
            for s in brief.stops
        ),
        ideas={
            kind: tuple(
                IdeaCount(title, count, IdeaTitles(written=title), quotes.get(g, ()))
                for g, title, count in ideas
            )
            for kind, ideas in by_kind.items()
        },
    )


def briefs_for(session: Session, sel: Selection, *, ideas: bool = True) -> dict[str, RegionBrief]:
    """The brief of every region of a resolved selection (the workbook's brief sheets)."""
    states = region_states(session, sel.region_ids)
    syn = synthesis(session, sel)
    figures = {f.slug: f for f in syn.regions}
    shortlists = _shortlists(session, sel)
    briefs: dict[str, RegionBrief] = {}
    for ref in sel.regions:
        state = states[ref.id]
        items, more = shortlists.get(ref.id, ({}, {}))
        briefs[ref.slug] = RegionBrief(
            slug=ref.slug,
            name=ref.name,
            figures=figures.get(ref.slug, RegionFigures(slug=ref.slug, name=ref.name)),
            stops=tuple(
                BriefStop(s.city, s.date, s.summary, s.signed_by, s.signed_at) for s in state.stops
            ),
            # Region by region: the synthesis' top themes cover the whole selection, so a
            # selection of one region (the page) is exact; the workbook asks per region.
            top_themes=syn.top_themes
            if len(sel.regions) == 1
            else _region_themes(session, sel, ref.slug),
            ideas=_ideas(session, ref.id, sel.language) if ideas else {},
            shortlisted=items,
            shortlisted_more=more,
            commitments=commitment_rows(session, [ref.id], sel.language),
        )
    return briefs


def _ideas(session: Session, region_id: int, language: str) -> dict[str, tuple[IdeaCount, ...]]:
    """The region's five most recurring ideas of each kind (services/idea_groups), counted,
    titled and quoted within the region only: another region's items never show through a
    title, a count or a quote. Titled in the brief's language, like the workbook."""
    region = Scope(user_id=None, region_ids=frozenset({region_id}))
    by_kind = top_groups_by_kind(session, region, TOP_IDEAS, language=language)
    quotes = group_quotes(session, region, [g.id for groups in by_kind.values() for g in groups])
    return {
        kind: tuple(IdeaCount(g.title, g.items, g.titles, quotes.get(g.id, ())) for g in groups)
        for kind, groups in by_kind.items()
    }


def _region_themes(
    session: Session,
    sel: Selection,
    slug: str,
) -> Mapping[str, tuple[ThemeCount, ...]]:
    one = resolve(
        session,
        sel.scope,
        replace(sel.filters, region_slugs=(slug,)),
        language=sel.language,
        tz=sel.tz,
    )
    return synthesis(session, one).top_themes


def _shortlists(
    session: Session,
    sel: Selection,
) -> dict[int, tuple[dict[str, tuple[BriefItem, ...]], dict[str, int]]]:
    """Shortlisted items per region and kind, oldest first, SHORTLIST_PER_KIND of each, and
    how many more there are.

    One LIMIT query per region and kind (the oldest few are found by walking the region's
    submissions in time order), and one count per region and kind of the shortlisted items:
    the counts come from the stops' running counts when they answer (services/capture/tally.py);
    reading every shortlisted item of a region took 4.7 s at 1,000,000 submissions.
    """
    totals: dict[tuple[int, str], int]
    if counts_all_time(sel):
        totals = {
            (region_id, kind.removeprefix(SHORTLISTED)): int(count or 0)
            for region_id, kind, count in session.execute(
                select(TourStop.region_id, StopTally.kind, func.sum(StopTally.count))
                .join(TourStop, TourStop.id == StopTally.stop_id)
                .where(
                    TourStop.region_id.in_(sel.region_ids),
                    *([TourStop.id.in_(sel.stop_ids)] if sel.stops else []),
                    StopTally.kind.startswith(SHORTLISTED),
                )
                .group_by(TourStop.region_id, StopTally.kind)
            )
        }
    else:
        totals = {
            (region_id, ItemKind(kind).value): count
            for region_id, kind, count in session.execute(
                select(Submission.region_id, FeedbackItem.kind, func.count())
                .join(Submission, FeedbackItem.submission_id == Submission.id)
                .where(FeedbackItem.shortlisted == true(), *sel.submission_conditions())
                .group_by(Submission.region_id, FeedbackItem.kind)
            )
        }
    result: dict[int, tuple[dict[str, tuple[BriefItem, ...]], dict[str, int]]] = {}
    for region_id in sorted({region_id for (region_id, _kind), n in totals.items() if n}):
        kept: dict[str, tuple[BriefItem, ...]] = {}
        more: dict[str, int] = {}
        for kind in ItemKind:
            total = totals.get((region_id, kind.value), 0)
            rows = (
                session.execute(
                    select(FeedbackItem.text, FeedbackItem.theme_id, TourStop.city)
                    .join(Submission, FeedbackItem.submission_id == Submission.id)
                    .join(TourStop, Submission.stop_id == TourStop.id)
                    .where(
                        FeedbackItem.shortlisted == true(),
                        FeedbackItem.kind == kind,
                        *sel.submission_conditions(),
                        Submission.region_id == region_id,
                    )
                    .order_by(Submission.created_at, FeedbackItem.id)
                    .limit(SHORTLIST_PER_KIND)
                ).all()
                if total
                else []
            )
            kept[kind.value] = tuple(
                BriefItem(text, sel.theme_labels.get(theme_id, "") if theme_id else "", city)
                for text, theme_id, city in rows
            )
            if total > len(rows):
                more[kind.value] = total - len(rows)
        result[region_id] = (kept, more)
    return result
