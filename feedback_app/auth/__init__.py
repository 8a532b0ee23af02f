"""Staff sign-in and sign-out, and the guards every staff view uses."""

from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")

from feedback_app.auth import account, reset, routes  # noqa: E402,F401  (routes attach to bp)
