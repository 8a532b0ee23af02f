"""Headquarters only: creating and editing stops, users, themes, exports, the audit trail and
personal data. What delegates see too is in staff/."""

from flask import Blueprint

bp = Blueprint("hq", __name__, template_folder="templates")

from feedback_app.hq import (  # noqa: E402,F401  (routes attach)
    audit,
    exports,
    privacy,
    stop_admin,
    themes,
    users,
)
