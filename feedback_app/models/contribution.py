"""What a contribution is, defined once for every count (README, "What each count means").

A contribution is what one professional sent at one stop: a submission. Paper breaks that:
an import stores one submission per row, of one entry each, so one organisation's paper form
of four entries arrives as four rows. The rule: the rows imported for one organisation at one
stop are one contribution, whatever file brought them, while each row stays one entry. The
organisation is known by its name and its category (a hotel and its restaurant of one name are
two), so that contributions by category add up to the contributions.

Each imported row carries `Submission.paper_key`: its stop, its category and its organisation
folded as the search folds it (case, accents, spacing ignored; models/search.py), hashed to a
fixed length.
Every other submission (form, API, tablet) has none and is a contribution on its own.
`contributions()` counts in SQL the rows without a key plus the distinct keys among the rows
with one; because the key holds the stop, the count adds up over stops, regions and the nation.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, distinct, event, func

from feedback_app.models.search import fold
from feedback_app.models.submission import Submission, SubmissionSource


def organisation_key(organisation: str) -> str:
    """The organisation as paper rows are grouped: folded, then hashed to 40 characters."""
    return hashlib.sha256(fold(organisation).encode("utf-8")).hexdigest()[:40]


def paper_key(stop_id: int, organisation: str, category: str) -> str:
    """The key of an imported row: one contribution per (stop, category, folded organisation)."""
    return f"{stop_id}:{organisation_key(category + chr(31) + organisation)}"


def contributions() -> ColumnElement[int]:
    """How many contributions the selected submissions are (an aggregate: use it as a column
    of a query over submissions, never joined to their items)."""
    return (
        func.count(Submission.id)
        - func.count(Submission.paper_key)
        + func.count(distinct(Submission.paper_key))
    )


@event.listens_for(Submission, "before_insert")
def _fill_paper_key(_mapper: object, _connection: object, target: Submission) -> None:
    # The bulk import (services/capture/submissions.store_imported) sets it itself.
    if target.source == SubmissionSource.IMPORT and target.paper_key is None:
        target.paper_key = paper_key(
            target.stop_id, target.organisation or "", target.category_code or ""
        )
