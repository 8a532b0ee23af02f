"""A region's brief: the delegate's summaries, figures, recurring ideas, themes, shortlist.

Read-only, limited by the reader's scope: a region outside it is NotFound, exactly like an
unknown one. The same `RegionBrief` feeds the page (/review/brief) and the workbook's sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from feedback_app.exports.data import (
    BriefItem,
    BriefStop,
    IdeaCount,
    RegionBrief,
    RegionFigures,
    ThemeCount,
)
from feedback_app.models import FeedbackItem, ItemKind, Region, Submission, TourStop
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound
from feedback_app.services.followup.outputs import commitment_rows
from feedback_app.services.ideas.queries import group_quotes, top_groups_by_kind
from feedback_app.services.review.signoff import region_states
from feedback_app.services.synthesis.figures import Selection, SynthesisFilters, resolve, synthesis

TOP_IDEAS = 5
SHORTLIST_PER_KIND = 6  # what fits on the printed page; the rest is counted


def brief_region(session: Session, scope: Scope, slug: str | None) -> Region:
    """The region asked for (`slug`), or the reader's first region; NotFound outside scope."""
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


def briefs_for(session: Session, sel: Selection) -> dict[str, RegionBrief]:
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
            ideas=_ideas(session, ref.id, sel.language),
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
    """Shortlisted items per region and kind, oldest first, SHORTLIST_PER_KIND of each."""
    rows = session.execute(
        select(
            Submission.region_id,
            FeedbackItem.kind,
            FeedbackItem.text,
            FeedbackItem.theme_id,
            TourStop.city,
        )
        .join(Submission, FeedbackItem.submission_id == Submission.id)
        .join(TourStop, Submission.stop_id == TourStop.id)
        .where(FeedbackItem.shortlisted == true(), *sel.submission_conditions())
        .order_by(Submission.region_id, FeedbackItem.kind, Submission.created_at, FeedbackItem.id)
    ).all()
    kept: dict[int, dict[str, list[BriefItem]]] = {}
    more: dict[int, dict[str, int]] = {}
    for region_id, kind, text, theme_id, city in rows:
        per_kind = kept.setdefault(region_id, {k.value: [] for k in ItemKind})[kind.value]
        if len(per_kind) < SHORTLIST_PER_KIND:
            per_kind.append(
                BriefItem(text, sel.theme_labels.get(theme_id, "") if theme_id else "", city)
            )
        else:
            counts = more.setdefault(region_id, {})
            counts[kind.value] = counts.get(kind.value, 0) + 1
    return {
        region_id: ({k: tuple(v) for k, v in kinds.items()}, more.get(region_id, {}))
        for region_id, kinds in kept.items()
    }
