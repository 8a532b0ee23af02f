"""The guards of the follow-up pages, in one place (staff pages only; the public ones have
none). Every staff account reads (its regions, checked by the services' `Scope`); recording
needs commitments:record (delegates and HQ, not observers)."""

from __future__ import annotations

from feedback_app.auth.guards import current_scope, permission_required, staff_required
from feedback_app.services.permissions import Permission

read_commitments = staff_required
record_commitments = permission_required(Permission.COMMITMENTS_RECORD)

__all__ = ["current_scope", "read_commitments", "record_commitments"]
