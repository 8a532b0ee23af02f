"""The back office under /hq/, by subject: the dashboard, the tour's stops (list, opening and
closing, creating and editing, poster, paper and spreadsheet intake), themes, users, exports, the
audit trail and personal data.

Who may open what is each route's permission (services/permissions.py), not the blueprint: a
delegate sees their own regions' stops, an observer reads and changes nothing, HQ does all.
"""

from flask import Blueprint

bp = Blueprint("hq", __name__, template_folder="templates")

from feedback_app.hq import (  # noqa: E402,F401  (routes attach)
    audit,
    dashboard,
    exports,
    ideas_map,
    intake,
    poster,
    privacy,
    stop_admin,
    stops,
    themes,
    users,
)
