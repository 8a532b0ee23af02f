"""Follow-up pages: the public ones (`/suivi/<region>`, `/suivi/ref/<reference>`, no sign-in)
and the staff pages that record commitments (`/hq/commitments...`, delegates in their regions).

Who may open what is declared once, in followup/access.py.
"""

from flask import Blueprint

bp = Blueprint("followup", __name__, template_folder="templates")

from feedback_app.followup import public, shared, staff  # noqa: E402,F401  (routes attach)
