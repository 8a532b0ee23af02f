"""The anonymous audience: the list of open stops and each stop's form."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

from feedback_app.public import app_identity, offline, routes  # noqa: E402,F401  (attach to bp)
