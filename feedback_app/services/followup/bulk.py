"""Progress reported in a spreadsheet: one row per commitment (number, status, progress,
public reason), read with the intake's safe reader (services/intake/files.py).

Invariants: the preview stores nothing; every row is checked like the page's form (scope,
status, 0-100 %, a required plain-text reason, a real change); applying stores every valid
row in one transaction (all or nothing), audited row by row, and queues the notices.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.labels import COMMITMENT_STATUSES
from feedback_app.models import CommitmentStatus
from feedback_app.services.access import Scope
from feedback_app.services.errors import NotFound, ValidationFailed
from feedback_app.services.followup.commitments import apply_change, get_commitment, may_change
from feedback_app.services.followup.commitments import validate_change as _validate
from feedback_app.services.intake.files import read_table
from feedback_app.services.intake.headers import ValueMatcher, key
from feedback_app.services.intake.refusal import FileRefused
from feedback_app.services.permissions import Permission

VALID, ERROR = "valid", "error"
FIELDS = ("commitment", "status", "progress", "reason")
_HEADERS = {
    "commitment": ("engagement", "n° engagement", "numéro", "commitment", "id", "الالتزام", "رقم"),
    "status": ("statut", "status", "الحالة"),
    "progress": ("avancement", "avancement (%)", "progress", "progress (%)", "%", "نسبة التقدم"),
    "reason": ("motif", "reason", "motif public", "التعليل", "السبب"),
}


@dataclass(frozen=True)
class BulkRow:
    line: int  # the sheet's row number
    state: str  # valid or error
    commitment_id: int | None
    title: str
    status: str
    progress: int | None
    reason: str
    messages: tuple[str, ...] = ()


def _headers(header: list[str]) -> dict[str, int]:
    wanted = {key(alias): field for field, aliases in _HEADERS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = wanted.get(key(cell))
        if field and field not in found:
            found[field] = index
    missing = [f for f in FIELDS if f not in found]
    if missing:
        raise FileRefused(
            _l(
                "Colonnes attendues : engagement, statut, avancement, motif (manque : %(names)s).",
                names=", ".join(missing),
            )
        )
    return found


def _status_matcher() -> ValueMatcher:
    return ValueMatcher.of(
        (code, [code, *words.values()]) for code, words in COMMITMENT_STATUSES.items()
    )


def preview(
    session: Session, scope: Scope, data: bytes, file_name: str, *, language: str = "fr"
) -> list[BulkRow]:
    """Every row of the file, checked; FileRefused when the file cannot be read safely."""
    scope.ensure(Permission.COMMITMENTS_RECORD)
    table = read_table(data, file_name)
    columns = _headers(table.header)
    statuses = _status_matcher()
    rows: list[BulkRow] = []
    for line, cells in table.rows:

        def cell(field: str, cells: list[str] = cells) -> str:
            index = columns[field]
            return cells[index] if index < len(cells) else ""

        if not any(cells):
            continue
        messages: list[str] = []
        number, status_text = cell("commitment").lstrip("#"), cell("status")
        progress_text, reason = cell("progress").rstrip("%").strip(), cell("reason")
        commitment_id = int(number) if number.isdigit() and len(number) < 10 else None
        title = ""
        commitment = None
        if commitment_id is None:
            messages.append(str(_l("Numéro d'engagement invalide.")))
        else:
            try:
                commitment = get_commitment(session, scope, commitment_id)
            except NotFound:
                commitment = None
            if commitment is None or not may_change(scope, commitment):
                messages.append(str(_l("Engagement introuvable.")))
            else:
                title = commitment.title_for(language)
        status = statuses.code(status_text)
        progress = (
            int(progress_text) if progress_text.isdigit() and len(progress_text) < 4 else None
        )
        try:
            new_status, new_progress, _reason = _validate(status or "", progress, reason)
        except ValidationFailed as failure:
            messages.extend(failure.messages())
        else:
            if commitment is not None and (commitment.status, commitment.progress) == (
                new_status,
                new_progress,
            ):
                messages.append(str(_l("Ni le statut ni l'avancement ne changent.")))
        rows.append(
            BulkRow(
                line=line,
                state=ERROR if messages else VALID,
                commitment_id=commitment_id,
                title=title,
                status=status or status_text,
                progress=progress,
                reason=reason,
                messages=tuple(messages),
            )
        )
    return rows


def apply(
    session: Session, scope: Scope, rows: list[BulkRow], *, actor_id: int | None
) -> list[int]:
    """Store the valid rows, all or nothing; returns the ids of the status changes made."""
    scope.ensure(Permission.COMMITMENTS_RECORD)
    valid = [r for r in rows if r.state == VALID and r.commitment_id is not None]
    if not valid:
        raise ValidationFailed({"file": [_l("Aucune ligne valide à enregistrer.")]})
    changes: list[int] = []
    with write_transaction(session):
        for row in valid:
            assert row.commitment_id is not None
            change = _validate(CommitmentStatus(row.status), row.progress, row.reason)
            made = apply_change(session, scope, row.commitment_id, change, actor_id=actor_id)
            changes.append(made.id)
    return changes
