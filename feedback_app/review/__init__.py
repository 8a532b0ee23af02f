"""The delegate's review desk, locked to their region(s)."""

from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates")

from feedback_app.review import (  # noqa: E402,F401  (routes attach to bp)
    brief,
    detail,
    exports,
    ideas,
    live,
    routes,
    sharing,
    signoff,
)
