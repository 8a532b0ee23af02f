"""Paper and spreadsheet intake: preview an uploaded file, then store its valid rows once.

`build_preview` reads and checks a file without writing anything. `save_preview` keeps it in
the database as a pending import batch (so that any host can confirm it) and `commit_batch`
stores every valid row in one transaction. Exactly once: the batch moves from pending to
committed atomically (a confirm sent twice stores once), and each row carries a fingerprint
(stop, organisation, text) checked against what the stop already holds, so the same file or
the same rows in another file add nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback_app.database import rowcount, write_transaction
from feedback_app.locales import localised
from feedback_app.models import (
    Category,
    FeedbackItem,
    ImportBatch,
    ImportStatus,
    Submission,
    Theme,
    TourStop,
)
from feedback_app.models.contribution import organisation_key
from feedback_app.models.search import capped_fold, fold, folded_organisation
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.access import Scope
from feedback_app.services.capture.submissions import store_imported
from feedback_app.services.errors import NotFound
from feedback_app.services.intake.files import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, read_table
from feedback_app.services.intake.headers import ValueMatcher
from feedback_app.services.intake.rows import (
    DUPLICATE,
    ERROR,
    VALID,
    Reference,
    check_rows,
    fingerprint,
)
from feedback_app.services.permissions import Permission
from feedback_app.services.tour.stop_lock import ensure_editable

COMMIT_ACTION = "import.commit"
PENDING_LIFETIME = dt.timedelta(days=1)
_COMMIT_ATTEMPTS = 3
_FILE_NAME_MAX = 255


@dataclass
class Preview:
    stop_id: int
    region_id: int
    file_name: str
    file_sha256: str
    language: str
    rows: list[dict[str, Any]]
    already_imported: bool = False  # this very file was committed at this stop before

    @property
    def counts(self) -> Counter[str]:
        return Counter(row["status"] for row in self.rows)


def contributions_of(rows: Iterable[dict[str, Any]]) -> int:
    """How many contributions the valid rows of one stop's batch are.

    A contribution is what one professional sent; on paper, one organisation's rows at one stop
    are its one contribution however many entries they hold: the rule every count applies to
    stored rows (models/contribution.py), here to the file's own rows.
    """
    return len({organisation_key(row["organisation"]) for row in rows if row["status"] == VALID})


@dataclass(frozen=True)
class CommitResult:
    batch_id: int
    stored: int
    duplicates: int
    errors: int
    first_time: bool  # False when the batch had already been committed (a second confirm)
    statuses: dict[str, int] = field(default_factory=dict)


def _names(named: Category | Theme) -> tuple[str, ...]:
    return tuple(getattr(named, name) for name in localised("name"))


def load_reference(session: Session) -> Reference:
    categories = session.scalars(select(Category)).all()
    themes = session.scalars(select(Theme)).all()
    return Reference(
        categories=ValueMatcher.of((c.code, _names(c)) for c in categories),
        category_codes=[c.code for c in categories],
        themes=ValueMatcher.of((t.code, _names(t)) for t in themes),
        theme_codes=[t.code for t in themes if not t.retired],
        offered={
            "category": [_names(c) for c in sorted(categories, key=lambda c: c.position)],
            "theme": [
                _names(t) for t in sorted(themes, key=lambda t: (t.position, t.id)) if not t.retired
            ],
        },
    )


def build_preview(
    session: Session,
    stop: TourStop,
    data: bytes,
    file_name: str,
    *,
    language: str = "fr",
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Preview:
    """Every row's outcome; nothing is written. Raises FileRefused for an unsafe file."""
    table = read_table(data, file_name, max_bytes=max_bytes, max_rows=max_rows)
    rows = check_rows(table, load_reference(session), stop_id=stop.id, language=language)
    sha256 = hashlib.sha256(data).hexdigest()
    with force_locale(language):
        _mark_duplicates(rows, stored_fingerprints(session, stop.id, _organisations(rows)))
    already = session.scalar(
        select(ImportBatch.id)
        .where(
            ImportBatch.stop_id == stop.id,
            ImportBatch.file_sha256 == sha256,
            ImportBatch.status == ImportStatus.COMMITTED,
        )
        .limit(1)
    )
    return Preview(
        stop_id=stop.id,
        region_id=stop.region_id,
        file_name=file_name[-_FILE_NAME_MAX:],
        file_sha256=sha256,
        language=language,
        rows=rows,
        already_imported=already is not None,
    )


# Organisations looked up per statement (bound parameters stay well under SQLite's limit).
_LOOKUP_CHUNK = 1000


def _organisations(rows: Iterable[dict[str, Any]]) -> set[str]:
    """The organisations of the valid rows, as their fingerprints take them."""
    return {row["clean"]["organisation"] for row in rows if row["status"] == VALID}


def stored_fingerprints(session: Session, stop_id: int, organisations: Iterable[str]) -> set[str]:
    """The fingerprints of the items the stop already holds, whatever their source, among
    those of `organisations` (the only ones a file's rows can repeat).

    A fingerprint holds the organisation folded, so only the stop's rows of the file's
    organisations are read, found by their folded name (`folded_organisation`, indexed with
    the stop on PostgreSQL): as many rows as the file's organisations hold at the stop,
    whatever the stop's size. Reading every row of the stop made the preview's CPU grow with
    it: 2.1 s at 12,600 submissions, 3.2 s at 42,500, against 0.9-1.0 s (README "Scaling out").
    """
    # The stored name is capped_fold's, which differs from fold's only for a name that folding
    # lengthens past FOLD_GROWTH: both are looked up.
    folded = sorted({f(name) for name in organisations for f in (fold, capped_fold)})
    found: set[str] = set()
    for start in range(0, len(folded), _LOOKUP_CHUNK):
        pairs = session.execute(
            select(Submission.organisation, FeedbackItem.text)
            .join(FeedbackItem, FeedbackItem.submission_id == Submission.id)
            .where(
                Submission.stop_id == stop_id,
                folded_organisation().in_(folded[start : start + _LOOKUP_CHUNK]),
            )
        )
        found.update(fingerprint(stop_id, organisation, text) for organisation, text in pairs)
    return found


def _mark_duplicates(rows: Iterable[dict[str, Any]], stored: set[str]) -> None:
    """Turn valid rows already stored, or repeated earlier in the file, into duplicates."""
    seen: dict[str, int] = {}
    for row in rows:
        if row["status"] != VALID:
            continue
        print_ = row["fingerprint"]
        if print_ in stored:
            row["status"] = DUPLICATE
            row["notes"].append(str(_l("Déjà enregistrée à cette étape.")))
        elif print_ in seen:
            row["status"] = DUPLICATE
            row["notes"].append(str(_l("Répète la ligne %(row)d du fichier.", row=seen[print_])))
        else:
            seen[print_] = row["row"]
            continue
        row.pop("clean", None)


def save_preview(session: Session, preview: Preview, *, user_id: int | None) -> int:
    """Keep the preview as a pending batch until someone confirms it; returns its id.

    A preview nobody confirmed within PENDING_LIFETIME is deleted here: its rows may hold
    contact details, which must not linger outside the submissions (law 09-08).
    """
    with write_transaction(session):
        expire_previews(session)
        batch = ImportBatch(
            stop_id=preview.stop_id,
            region_id=preview.region_id,
            user_id=user_id,
            file_name=preview.file_name,
            file_sha256=preview.file_sha256,
            language=preview.language,
            rows=preview.rows,
            status=ImportStatus.PENDING,
        )
        session.add(batch)
        session.flush()
        batch_id = batch.id
    return batch_id


def expire_previews(session: Session, now: dt.datetime | None = None) -> int:
    """Delete the previews nobody confirmed within PENDING_LIFETIME, in the caller's write
    transaction; how many. Run by every upload and by the daily privacy purge."""
    return rowcount(
        session.execute(
            delete(ImportBatch).where(
                ImportBatch.status == ImportStatus.PENDING,
                ImportBatch.created_at < (now or utcnow()) - PENDING_LIFETIME,
            )
        )
    )


def get_batch(session: Session, scope: Scope, batch_id: int) -> ImportBatch:
    batch = session.get(ImportBatch, batch_id)
    if batch is None or not scope.allows(batch.region_id):
        raise NotFound(str(batch_id))
    return batch


def commit_batch(
    session: Session, scope: Scope, batch_id: int, *, actor_id: int | None
) -> CommitResult:
    """Store every valid, new row of a pending batch in one transaction, with its audit row.

    A signed-off stop takes an import from HQ only, its rows flagged `after_signoff`; a
    delegate gets SignedOff (services/review/signoff.py) until HQ reopens the stop.
    Another batch bringing the same rows at the same moment (PostgreSQL runs both at once)
    trips the unique fingerprint index: everything rolls back and the duplicates are counted
    again, so each row is stored by exactly one of them.
    """
    scope.ensure(Permission.INTAKE_IMPORT)
    get_batch(session, scope, batch_id)  # NotFound outside the scope
    for attempt in range(_COMMIT_ATTEMPTS):
        try:
            return _commit(session, scope, batch_id, actor_id=actor_id)
        except IntegrityError:
            if attempt == _COMMIT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _commit(session: Session, scope: Scope, batch_id: int, *, actor_id: int | None) -> CommitResult:
    with write_transaction(session):
        stop_id = session.scalar(select(ImportBatch.stop_id).where(ImportBatch.id == batch_id))
        # Signed since the preview: a delegate may not change it (SignedOff); HQ may, flagged.
        ensure_editable(session, scope, [stop_id] if stop_id is not None else [])
        claimed = rowcount(
            session.execute(
                update(ImportBatch)
                .where(ImportBatch.id == batch_id, ImportBatch.status == ImportStatus.PENDING)
                .values(status=ImportStatus.COMMITTED, committed_at=utcnow())
            )
        )
        batch = session.get_one(ImportBatch, batch_id, populate_existing=True)
        if not claimed:
            return _result(batch, first_time=False)
        stop = session.get_one(TourStop, batch.stop_id)
        rows = [dict(row, notes=list(row["notes"])) for row in batch.rows]
        with force_locale(batch.language):
            _mark_duplicates(rows, stored_fingerprints(session, stop.id, _organisations(rows)))
        valid = [row for row in rows if row["status"] == VALID]
        store_imported(session, valid, stop, batch_id)
        batch.rows = [{k: v for k, v in row.items() if k != "clean"} for row in rows]
        batch.stored_count = len(valid)
        result = _result(batch, first_time=True)
        audit.record(
            session,
            actor_id=actor_id,
            action=COMMIT_ACTION,
            target_type="import_batch",
            target_id=batch_id,
            region_id=stop.region_id,
            after={
                "file": batch.file_name,
                "stop": stop.code,
                "stored": result.stored,
                "duplicates": result.duplicates,
                "errors": result.errors,
            },
        )
    return result


def _result(batch: ImportBatch, *, first_time: bool) -> CommitResult:
    statuses = Counter(row["status"] for row in batch.rows)
    return CommitResult(
        batch_id=batch.id,
        stored=batch.stored_count,
        duplicates=statuses[DUPLICATE],
        errors=statuses[ERROR],
        first_time=first_time,
        statuses=dict(statuses),
    )
