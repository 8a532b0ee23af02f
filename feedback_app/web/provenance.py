"""Who may say an entry was "typed by staff from paper" (source `tablet`).

The tablet page and its posts carry `?channel=tablet`. That claim is believed only from a
signed-in delegate of the stop's region, or HQ; from anyone else it is ignored and the entry is
stored as what it is, a form entry (never refused: what was typed is not lost, and a public
visitor cannot label their words as staff's).
"""

from __future__ import annotations

from flask import request
from flask_login import current_user

from feedback_app.models import SubmissionSource
from feedback_app.services.access import scope_for
from feedback_app.services.permissions import Permission

TABLET_CHANNEL = "tablet"


def claims_tablet() -> bool:
    return request.args.get("channel") == TABLET_CHANNEL


def staff_of(region_id: int) -> bool:
    """A signed-in delegate of this region, or HQ: someone who may type paper forms there."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return False
    scope = scope_for(user)
    return scope.can(Permission.INTAKE_IMPORT) and scope.allows(region_id)


def form_source(region_id: int) -> SubmissionSource:
    """The source of an entry posted by the stop's form page (plain post or offline queue)."""
    if claims_tablet() and staff_of(region_id):
        return SubmissionSource.TABLET
    return SubmissionSource.FORM
