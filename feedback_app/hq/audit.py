"""The audit trail (HQ only): newest first, filterable by action and by user."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from feedback_app.auth.guards import permission_required
from feedback_app.extensions import db
from feedback_app.hq import bp
from feedback_app.hq.audit_text import action_label, describe
from feedback_app.hq.forms import AuditFilterForm
from feedback_app.i18n import current_language
from feedback_app.services import audit as audit_service
from feedback_app.services.audit_targets import load_targets
from feedback_app.services.ids import parse_id
from feedback_app.services.permissions import Permission
from feedback_app.services.tour import reference


@bp.get("/audit")
@permission_required(Permission.AUDIT_READ)
def audit() -> ResponseReturnValue:
    filters = AuditFilterForm(request.args)
    actions = audit_service.known_actions(db.session)
    labelled = sorted(((a, action_label(a)) for a in actions), key=lambda c: c[1].lower())
    filters.action.choices = [("", "—"), *labelled]
    filters.user.choices = [("", "—")] + [
        (str(u.id), u.email) for u in audit_service.actors(db.session)
    ]
    action = filters.action.data if filters.action.data in actions else None
    user_id = parse_id(filters.user.data)
    result = audit_service.list_events(
        db.session, action=action, user_id=user_id, page=parse_id(request.args.get("page")) or 1
    )
    language = current_language()
    regions = {r.id: r.name_for(language) for r in reference.regions(db.session)}
    query = {key: value for key, value in (("action", action), ("user", user_id)) if value}
    targets = load_targets(db.session, result.events)
    views = [describe(event, targets, language) for event in result.events]
    return render_template(
        "hq/audit.html", filters=filters, result=result, regions=regions, query=query, views=views
    )
