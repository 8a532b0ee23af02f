"""Read-only commitments: what the public follow-up pages show, as JSON (no sign-in, no
personal data, titles of idea groups only when a person wrote them)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from feedback_app.api import bp
from feedback_app.extensions import db
from feedback_app.i18n import current_language
from feedback_app.services.access import EVERYTHING
from feedback_app.services.followup.commitments import list_commitments
from feedback_app.services.followup.public import CommitmentView, commitment_views, region_by_slug


def as_json(view: CommitmentView) -> dict[str, Any]:
    return {
        "id": view.id,
        "title": view.title,
        "description": view.description,
        "owner": view.owner,
        "national": view.national,
        "regions": list(view.regions),
        "status": view.status,
        "progress": view.progress,
        "milestones": [
            {"due": m.due.isoformat(), "label": m.label, "done": m.done} for m in view.milestones
        ],
        "changes": [
            {
                "status": c.status,
                "progress": c.progress,
                "reason": c.reason,
                "at": c.at.isoformat(),
            }
            for c in view.changes
        ],
        "ideas": list(view.ideas),
    }


def _answer(region_id: int | None) -> ResponseReturnValue:
    rows = list_commitments(db.session, EVERYTHING, region_id=region_id)
    views = commitment_views(db.session, rows, current_language())
    response = jsonify({"commitments": [as_json(v) for v in views]})
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


@bp.get("/commitments")
def commitments() -> ResponseReturnValue:
    return _answer(None)


@bp.get("/regions/<region_slug>/commitments")
def region_commitments(region_slug: str) -> ResponseReturnValue:
    """The region's commitments and the national ones, as on its follow-up page."""
    return _answer(region_by_slug(db.session, region_slug).id)
