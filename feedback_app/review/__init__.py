"""The delegate's review desk, locked to their region(s)."""

from flask import Blueprint

bp = Blueprint("review", __name__, template_folder="templates")
