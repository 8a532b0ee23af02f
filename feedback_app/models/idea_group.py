"""Idea groups: items of one kind that say the same thing, found by services/ideas/groups.py.

The regrouper owns the memberships that nobody curated. A curated membership is `pinned`: the
regrouper never moves it (a pinned row without a group keeps an item alone after a split),
and a `title_locked` title is never rewritten. That is how a delegate's or HQ's confirm,
merge, split and rename survive every later automatic regrouping.

Titles (services/ideas/titles.py decides which one a reader sees): `IdeaGroup.title` is either
the automatic title or, when `title_locked`, the national title HQ wrote; what a delegate writes
is an `IdeaGroupTitle` of one region, shown only to readers of that region's items.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    type_coerce,
)
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.extensions import Model
from feedback_app.models.submission import ItemKind
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow


class IdeaGroup(Model):
    __tablename__ = "idea_groups"
    __table_args__ = (Index("ix_idea_groups_kind", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "idea_group_kind"))
    title: Mapped[str] = mapped_column(String(200))
    # Set by HQ's rename: the national title, kept instead of the most typical item's text.
    title_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    # Confirmed by a person: kept even when the regrouper would leave it with one item.
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)

    @property
    def number(self) -> int:
        """The number readers see (workbook, review list): the id, stable across regroupings."""
        return self.id


class IdeaGroupMember(Model):
    __tablename__ = "idea_group_members"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    # None only on a pinned row: a person said this item stands alone.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("idea_groups.id", ondelete="CASCADE"))
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # Cosine similarity to the group's centre: the most typical items give titles and quotes.
    closeness: Mapped[float] = mapped_column(Float, default=0.0)


# A group's members most central first, ties by item, as every reader ranks them: the first
# few read without sorting the group (services/ideas/tallies.py, migration 0028).
Index(
    "ix_idea_group_members_central",
    IdeaGroupMember.group_id,
    IdeaGroupMember.closeness.desc(),
    IdeaGroupMember.item_id,
)

# The membership's group id for the queries that only see grouped items (they join on it or
# filter out None): selected through this, their rows type it `int` rather than `int | None`.
GROUP_ID = type_coerce(IdeaGroupMember.group_id, Integer)


class IdeaGroupTitle(Model):
    """The title a delegate gave the items of one of their regions in a group.

    Per region, not per group: a regrouping may bring other regions' items into the group, and
    their readers must never see these words.
    """

    __tablename__ = "idea_group_titles"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("idea_groups.id", ondelete="CASCADE"), primary_key=True
    )
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)


class IdeaGroupingState(Model):
    """One row: what the data looked like when the groups were last computed."""

    __tablename__ = "idea_grouping_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(120))
    ran_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    items: Mapped[int] = mapped_column(default=0)
    groups: Mapped[int] = mapped_column(default=0)
    # Bumped by every person's decision on a group (services/ideas/curation.py): the caches of
    # every worker that show titles or memberships key on it with the regrouping stamp.
    curations: Mapped[int] = mapped_column(default=0)
    # When the last full regrouping ran (None: never). Between two full ones the background
    # task only places new items (services/ideas/groups.py `place_new`); a full one is owed
    # when a placement ran since (`ran_at` later).
    full_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP, nullable=True)
    # The sentence encoder (services/ideas/vectors.ENCODER) whose vectors the last full
    # regrouping read, hence the groups' centres. A release that renames the encoder leaves
    # it behind: the groups are stale until the next full regrouping encodes every item
    # again, and meanwhile nothing compares the old centres with new vectors.
    encoder: Mapped[str | None] = mapped_column(String(40), nullable=True)


EVERY_REGION = 0


class IdeaGroupTally(Model):
    """A group's counts within one region, and over every region (`region_id` EVERY_REGION).

    What the pages that rank the recurring ideas read instead of aggregating every membership
    at each request (measured: 40 s at 200,000 submissions). Only items outside spam count.
    Rewritten for the groups concerned by every writer of memberships or of a spam status
    (services/ideas/tallies.py), in the same transaction.
    """

    __tablename__ = "idea_group_tallies"
    __table_args__ = (
        Index(
            "ix_idea_group_tallies_rank",
            "region_id",
            "kind",
            "organisations",
            "items",
            "regions",
        ),
    )

    group_id: Mapped[int] = mapped_column(
        ForeignKey("idea_groups.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: EVERY_REGION (0) is not a region.
    region_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "idea_group_tally_kind"))
    items: Mapped[int] = mapped_column(Integer, default=0)
    # Distinct organisations, compared folded ("Riad  ATLAS" is "riad Atlas").
    organisations: Mapped[int] = mapped_column(Integer, default=0)
    regions: Mapped[int] = mapped_column(Integer, default=0)
    # The most typical item of the group within the region: the automatic title a reader of
    # that region sees (never another region's words).
    typical_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="SET NULL")
    )
    # What a reader of that region (or HQ) sees of the group's words, chosen among the
    # region's items only, as the pages would choose them from the rows: the French and the
    # Arabic automatic titles ("" when none) and up to three quotes of reviewed entries, each
    # [text, language] (services/ideas/text.AutomaticTitles, services/ideas/quotes.py).
    title_fr: Mapped[str] = mapped_column(Text, default="")
    title_ar: Mapped[str] = mapped_column(Text, default="")
    quotes: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    # The few reviewed entries the quotes are chosen among, [text, organisation, closeness,
    # item id] most central first: a review adds its entries to them without reading the
    # group's other entries (services/ideas/tallies.review_changed).
    quote_candidates: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    # How many reviewed entries say each text, [text, count] by text, while they say at most
    # quotes.QUOTE_TEXTS texts (None past it): when a kept candidate leaves, what ends the
    # read of the others before the group's end (services/ideas/quotes.chosen_again).
    quote_texts: Mapped[list[list[Any]] | None] = mapped_column(
        JSON(none_as_null=True), nullable=True
    )
    # The sum of the sentence vectors (float32, services/ideas/vectors.py) of the region's
    # items: its direction is the group's centre there, which the nearest groups compare
    # (services/ideas/neighbours.py). None until the group is next recounted (migration 0032).
    centre: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)


class IdeaGroupStop(Model):
    """A group's items outside spam said at one stop (rows only where there are some).

    Which groups draw on a signed-off stop (services/ideas/curation.locked_groups, the ideas
    pages' disabled controls) is read here for the few signed stops: the groups' own items are
    100,000 and more at a million submissions. Rewritten with the tallies, by the same writers
    (services/ideas/tallies.py).
    """

    __tablename__ = "idea_group_stops"
    __table_args__ = (Index("ix_idea_group_stops_stop", "stop_id", "group_id"),)

    group_id: Mapped[int] = mapped_column(
        ForeignKey("idea_groups.id", ondelete="CASCADE"), primary_key=True
    )
    stop_id: Mapped[int] = mapped_column(
        ForeignKey("tour_stops.id", ondelete="CASCADE"), primary_key=True
    )
    items: Mapped[int] = mapped_column(Integer, default=0)


class IdeaItemVector(Model):
    """An item's sentence vector (services/ideas/vectors.py), computed once and kept.

    A table of its own rather than a column of `feedback_items`: the review list scans items
    and must not read a kilobyte of vector per row. An item's text never changes once stored,
    so the item id is the key; `encoder` names the model that made the vector, so a later
    model recomputes them instead of comparing vectors of two different spaces.
    """

    __tablename__ = "idea_item_vectors"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_items.id", ondelete="CASCADE"), primary_key=True
    )
    encoder: Mapped[str] = mapped_column(String(40))
    # float16, little-endian: 512 dimensions in 1,024 bytes (cosine error below 1e-3).
    vector: Mapped[bytes] = mapped_column(LargeBinary)
