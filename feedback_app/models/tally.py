"""Running counts per stop for the live screen, kept in the transaction that changes them.

The live screen of a stop is polled every few seconds while hundreds of people post: reading
these few rows (primary key prefix `stop_id`) costs the same at the first submission and at
the thousandth, where counting the items would grow with them (bench/live.py measures both).

A row is (stop, kind, theme): `kind` is an item kind, SUBMISSIONS for the number of
submissions, SHORTLISTED followed by an item kind for the shortlisted items of that kind, or
CATEGORY followed by a category code for the submissions of that category; and, by review
status: HELD for the contributions the stop holds whatever their status (spam included), NEW for
the submissions (rows) still new, REVIEWED for the reviewed contributions and REVIEWED followed
by an item kind for the reviewed items of that kind (theme_key 0 for all but the item kinds;
the paper rule of models/contribution.py for every count of contributions); `theme_key`
is the theme's id, 0 for items without a theme (a primary key column cannot be NULL, hence no
foreign key on it). The dashboard and the briefs read their all-time figures from the same rows
(services/synthesis/figures.py).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.extensions import Model

SUBMISSIONS = "submissions"
SHORTLISTED = "shortlisted:"  # + the item kind
CATEGORY = "category:"  # + the category's code
HELD = "held"  # contributions of any status, spam included: what the stops list shows
NEW = "status:new"  # submissions (rows, not contributions) still to review
REVIEWED = "reviewed"  # reviewed contributions; REVIEWED + ":" + an item kind: reviewed items
NO_THEME = 0


class StopTally(Model):
    __tablename__ = "stop_tallies"

    stop_id: Mapped[int] = mapped_column(
        ForeignKey("tour_stops.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    theme_key: Mapped[int] = mapped_column(Integer, primary_key=True, default=NO_THEME)
    count: Mapped[int] = mapped_column(Integer, default=0)
