"""Whether a post is a replay of a submission already stored (same client_id)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.models import Submission
from feedback_app.services.capture.validation import parse_client_id


def is_stored_client_id(session: Session, value: Any) -> bool:
    """True when `value` is a valid client_id that is already stored (one indexed lookup)."""
    client_id = parse_client_id(value)
    if client_id is None:
        return False
    found = session.scalar(select(Submission.id).where(Submission.client_id == client_id))
    return found is not None
