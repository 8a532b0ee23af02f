"""The review list's filters and the SQL conditions they become.

Every condition stands on `submissions` alone: item-level filters are EXISTS subqueries, so the
list, its count and a row's neighbours share one WHERE clause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, exists, literal, select, true

from feedback_app.models import (
    FeedbackItem,
    IdeaGroupMember,
    ItemKind,
    ReviewStatus,
    Submission,
    SubmissionSource,
    fold,
)
from feedback_app.services.access import Scope
from feedback_app.services.text import clean_line, contains_pattern

MAX_SEARCH_WORDS = 8


@dataclass(frozen=True)
class ReviewFilters:
    region_id: int | None = None
    stop_id: int | None = None
    status: ReviewStatus | None = None
    category: str | None = None
    kind: ItemKind | None = None
    theme_id: int | None = None
    unthemed: bool = False  # items without a theme; ignored when theme_id is set
    shortlisted: bool | None = None  # True: holds a shortlisted item; False: holds none
    group_id: int | None = None  # holds an item of this idea group
    created_from: dt.datetime | None = None  # inclusive
    created_before: dt.datetime | None = None  # exclusive
    query: str = ""
    source: SubmissionSource | None = None


def search_words(query: str) -> list[str]:
    # clean_line drops NUL and other controls, which PostgreSQL would refuse in a parameter.
    return fold(clean_line(query)).split()[:MAX_SEARCH_WORDS]


def filter_conditions(scope: Scope, filters: ReviewFilters) -> list[ColumnElement[bool]]:
    """The WHERE clause of the scope's submissions that meet `filters`."""
    conditions = [scope.filter(Submission.region_id)]
    if filters.region_id is not None:
        conditions.append(Submission.region_id == filters.region_id)
    if filters.stop_id is not None:
        conditions.append(Submission.stop_id == filters.stop_id)
    if filters.status is not None:
        # Written into the SQL, as the search patterns below: planned for "a status" (a third of
        # the rows each), a generic plan cannot tell spam (5 %) from new (70 %), nor use the
        # spam's own search index, whose predicate is `status = 'spam'` (migration 0030).
        status = literal(filters.status, Submission.status.type, literal_execute=True)
        conditions.append(Submission.status == status)
    if filters.category:
        conditions.append(Submission.category_code == filters.category)
    if filters.source is not None:
        conditions.append(Submission.source == filters.source)
    if filters.created_from is not None:
        conditions.append(Submission.created_at >= filters.created_from)
    if filters.created_before is not None:
        conditions.append(Submission.created_at < filters.created_before)
    item_conditions = entry_conditions(filters)
    if item_conditions:
        # One item must meet them all: "shortlisted proposals about training".
        # Correlated on `submissions` only: a query that also reads `feedback_items` (the list
        # export, one row per entry) still gets its own subquery over all of them.
        conditions.append(
            exists()
            .where(FeedbackItem.submission_id == Submission.id, *item_conditions)
            .correlate(Submission)
        )
    if filters.shortlisted is False:
        conditions.append(
            ~exists()
            .where(FeedbackItem.submission_id == Submission.id, FeedbackItem.shortlisted == true())
            .correlate(Submission)
        )
    for word in search_words(filters.query):
        # The pattern is written into the SQL rather than bound: PostgreSQL then plans with it
        # every time. A generic plan (psycopg prepares a statement run five times) cannot tell
        # "%de%", which the trigram index cannot narrow (measured 494 ms), from "%zellige%" (1 ms).
        pattern = literal(contains_pattern(word), String(), literal_execute=True)
        conditions.append(Submission.search_text.like(pattern, escape="\\"))
    return conditions


def entry_conditions(filters: ReviewFilters) -> list[ColumnElement[bool]]:
    """The item-level part of the filter, on `feedback_items`: a submission is listed when one
    of its entries meets them all; an export marks the entries that do."""
    item_conditions: list[ColumnElement[bool]] = []
    if filters.kind is not None:
        item_conditions.append(FeedbackItem.kind == filters.kind)
    if filters.theme_id is not None:
        item_conditions.append(FeedbackItem.theme_id == filters.theme_id)
    elif filters.unthemed:
        item_conditions.append(FeedbackItem.theme_id.is_(None))
    if filters.group_id is not None:
        item_conditions.append(
            FeedbackItem.id.in_(
                select(IdeaGroupMember.item_id).where(IdeaGroupMember.group_id == filters.group_id)
            )
        )
    if filters.shortlisted:
        # `= true`, not `IS true`: the form the partial index ix_feedback_items_shortlisted matches.
        item_conditions.append(FeedbackItem.shortlisted == true())
    return item_conditions
