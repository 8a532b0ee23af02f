"""Headquarters: the dashboard, the tour's stops, users, themes, exports and the audit trail."""

from flask import Blueprint

bp = Blueprint("hq", __name__, template_folder="templates")

from feedback_app.hq import (  # noqa: E402,F401  (routes attach)
    audit,
    dashboard,
    exports,
    poster,
    privacy,
    stops,
    themes,
    users,
)
