"""What one professional said at one stop: a submission and its feedback items."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model
from feedback_app.models.import_batch import ImportBatch
from feedback_app.models.reference import Category, Region, Theme
from feedback_app.models.stop import TourStop
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow


class ItemKind(enum.StrEnum):
    NEED = "need"
    OPPORTUNITY = "opportunity"
    CHALLENGE = "challenge"
    PROPOSAL = "proposal"


class Priority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class SubmissionSource(enum.StrEnum):
    FORM = "form"
    API = "api"
    TABLET = "tablet"  # typed by staff from paper on the stop's tablet page
    IMPORT = "import"


class ReviewStatus(enum.StrEnum):
    NEW = "new"
    REVIEWED = "reviewed"
    SPAM = "spam"


class Submission(Model):
    __tablename__ = "submissions"
    __table_args__ = (
        # The review desk and the synthesis read a region's (or a stop's) newest entries first;
        # with `id` the index holds the review list's whole keyset (migration 0024).
        Index("ix_submissions_region_created_id", "region_id", "created_at", "id"),
        Index("ix_submissions_stop_created_id", "stop_id", "created_at", "id"),
        # Also the key of a region's cached follow-up page (services/followup/public.py): its
        # reviewed submissions' count and last change, read from this index alone.
        Index("ix_submissions_region_status_updated", "region_id", "status", "updated_at"),
        # Headquarters' review list: every region, newest first, seek-paginated on (time, id).
        Index("ix_submissions_created_id", "created_at", "id"),
        # The latest review: part of the idea groups' staleness check (services/ideas/groups.py).
        Index("ix_submissions_updated", "updated_at"),
        # An imported row is stored once per stop, whichever file brings it (services/intake*).
        Index(
            "ix_submissions_import_fingerprint",
            "fingerprint",
            unique=True,
            sqlite_where=text("fingerprint IS NOT NULL"),
            postgresql_where=text("fingerprint IS NOT NULL"),
        ),
        # Substring search in the folded text (models/search.py); trigrams need PostgreSQL.
        # The region first (btree_gin): a delegate's search intersects its region and the
        # words in one scan; HQ's, without a region, reads the same index (migration 0033).
        Index(
            "ix_submissions_region_search",
            "region_id",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        # Paper rows of one organisation at one stop: one contribution (models/contribution.py).
        Index("ix_submissions_paper_key", "paper_key"),
        # The intake's duplicate check: a stop's rows of the file's organisations, folded
        # (models/search.py folded_organisation, the first line of search_text).
        Index(
            "ix_submissions_stop_organisation",
            "stop_id",
            # As PostgreSQL reflects it (a newline in the literal), so that the migrations'
            # check compares it equal; the same expression as E'\n' for the planner.
            text("split_part(search_text, '\n'::text, 1)"),
        ).ddl_if(dialect="postgresql"),
        # The spam listed and searched (the review list's `status=spam`, with `q=`): a twentieth
        # of the rows, by region and trigram, where the trigram index of every row decodes a
        # common word's 200,000-row lists (migration 0030; btree_gin gives the region its GIN
        # operators), and in the list's order, a region's and every region's.
        Index(
            "ix_submissions_spam_search",
            "region_id",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            postgresql_where=text("status = 'spam'"),
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_submissions_spam_region_created_id",
            "region_id",
            "created_at",
            "id",
            sqlite_where=text("status = 'spam'"),
            postgresql_where=text("status = 'spam'"),
        ),
        Index(
            "ix_submissions_spam_created_id",
            "created_at",
            "id",
            sqlite_where=text("status = 'spam'"),
            postgresql_where=text("status = 'spam'"),
        ),
        # Spam marked or taken back: does another member of an idea group, in the region or in
        # any, come from the same organisation (services/ideas/tallies.py, migration 0028)?
        Index(
            "ix_submissions_organisation_region",
            text("split_part(search_text, '\n'::text, 1)"),
            "region_id",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Copied from the stop when stored so region-locked queries need no join; never user-chosen.
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    stop_id: Mapped[int] = mapped_column(ForeignKey("tour_stops.id"))
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)

    organisation: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    person_name: Mapped[str | None] = mapped_column(String(120))
    job_title: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    consent_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(5), default="fr")
    source: Mapped[SubmissionSource] = mapped_column(
        str_enum(SubmissionSource, "submission_source"), default=SubmissionSource.FORM
    )
    status: Mapped[ReviewStatus] = mapped_column(
        str_enum(ReviewStatus, "review_status"), default=ReviewStatus.NEW
    )
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)
    # When the respondent filled the form on their device (offline queue), if it told us.
    filled_at: Mapped[dt.datetime | None] = mapped_column(TIMESTAMP)
    # Accepted after the stop closed, within its grace period.
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    # Stored while its stop was signed off: the delegate and HQ must see it arrived after.
    after_signoff: Mapped[bool] = mapped_column(Boolean, default=False)
    # Bumped by every review change, so a cached export knows when it is stale.
    updated_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow, onupdate=utcnow)
    # Imported rows: the file they came from, and their fingerprint (stop, organisation, text).
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    # Imported rows only: "<stop id>:<folded organisation, hashed>" (models/contribution.py).
    paper_key: Mapped[str | None] = mapped_column(String(64))
    # Organisation, reference and item texts folded for the review search (models/search.py);
    # deferred so that loading submissions does not read it.
    search_text: Mapped[str] = mapped_column(Text, default="", deferred=True)

    region: Mapped[Region] = relationship()
    stop: Mapped[TourStop] = relationship()
    category: Mapped[Category] = relationship()
    import_batch: Mapped[ImportBatch | None] = relationship()
    items: Mapped[list[FeedbackItem]] = relationship(
        back_populates="submission",
        order_by="FeedbackItem.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Submission {self.reference}>"


class FeedbackItem(Model):
    __tablename__ = "feedback_items"
    __table_args__ = (
        # With what the review list's item filters test: "does this submission hold a proposal?"
        # is read from the index alone on PostgreSQL (migration 0024).
        Index(
            "ix_feedback_items_submission_filters",
            "submission_id",
            "position",
            postgresql_include=["kind", "theme_id", "shortlisted"],
        ),
        Index("ix_feedback_items_kind_theme", "kind", "theme_id"),
        Index("ix_feedback_items_theme", "theme_id"),
        # The few shortlisted items, with what the review filters combine them with: "does this
        # submission hold a shortlisted proposal about training?" is answered from the index.
        Index(
            "ix_feedback_items_shortlisted",
            "submission_id",
            "kind",
            "theme_id",
            sqlite_where=text("shortlisted = 1"),
            postgresql_where=text("shortlisted"),
        ),
        # The same few items by what a rare filter names first: "shortlisted proposals about
        # training" is one range of this index, read before the submissions (migration 0024).
        Index(
            "ix_feedback_items_shortlisted_kind_theme",
            "kind",
            "theme_id",
            "submission_id",
            sqlite_where=text("shortlisted = 1"),
            postgresql_where=text("shortlisted"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind, "item_kind"))
    text: Mapped[str] = mapped_column(Text)
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    priority: Mapped[Priority | None] = mapped_column(str_enum(Priority, "item_priority"))
    shortlisted: Mapped[bool] = mapped_column(Boolean, default=False)

    submission: Mapped[Submission] = relationship(back_populates="items")
    theme: Mapped[Theme | None] = relationship()
