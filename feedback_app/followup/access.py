"""The guards of the follow-up pages, in one place (staff pages only; the public ones have
none). Reading and recording are both open to delegates (their regions, checked by the
services' `Scope`) and HQ."""

from __future__ import annotations

from feedback_app.auth.guards import current_scope, staff_required

read_commitments = staff_required
record_commitments = staff_required

__all__ = ["current_scope", "read_commitments", "record_commitments"]
