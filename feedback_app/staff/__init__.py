"""What delegates and headquarters share: the dashboard, the tour's stops and their paper and
spreadsheet intake (under /hq/).

Each page shows a delegate their own regions only; HQ-only pages live in hq/.
"""

from flask import Blueprint

bp = Blueprint("staff", __name__, template_folder="templates")

from feedback_app.staff import dashboard, intake, poster, stops  # noqa: E402,F401  (routes attach)
