"""The JSON API: the public form's service for scripts and for the offline queue."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from feedback_app.api import commitments, feed, openapi, routes  # noqa: E402,F401  (routes attach to bp)
