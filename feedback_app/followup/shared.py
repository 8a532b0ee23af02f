"""A share link's pages: a region's brief for someone without an account (no sign-in).

The token in the URL is the authority (services/sharing/links.py): each opening is audited,
a revoked or expired link answers 410 with the reason in words, an unknown one 404. What is
shown is the shared brief (reviewed contributions only, nothing personal), in the reader's
language, as a page or as a PDF printed from the same document. Rate-limited per address like
the receipt pages (web/ratelimits.py); never kept by a shared cache or sent as a referrer.
"""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, url_for
from flask.typing import ResponseReturnValue

from feedback_app.exports.brief_pdf import PDF_MIMETYPE, SharedView, brief_html
from feedback_app.extensions import db
from feedback_app.followup import bp
from feedback_app.i18n import current_language
from feedback_app.locales import zone
from feedback_app.services.export import brief_pdf as pdf_files
from feedback_app.services.sharing.links import open_link
from feedback_app.services.synthesis import brief as briefs


def _private(response: Response) -> Response:
    # The token is as good as a password to this page.
    response.cache_control.private = True
    response.cache_control.no_store = True
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/partage/<token>")
def shared_brief(token: str) -> ResponseReturnValue:
    link = open_link(db.session, token, via="page")
    language = current_language()
    brief = briefs.shared_brief(db.session, link.region_id, language=language)
    db.session.rollback()
    page = brief_html(
        brief,
        language=language,
        generated_at=dt.datetime.now(zone()),
        for_pdf=False,
        shared=SharedView(link.expires_at, url_for("followup.shared_brief_pdf", token=token)),
    )
    return _private(Response(page, mimetype="text/html"))


@bp.get("/partage/<token>/bilan.pdf")
def shared_brief_pdf(token: str) -> ResponseReturnValue:
    link = open_link(db.session, token, via="pdf")
    filename, content = pdf_files.shared_brief_pdf(
        db.session,
        link.region_id,
        language=current_language(),
        keep_days=int(current_app.config["EXPORT_KEEP_DAYS"]),
    )
    response = Response(content, mimetype=PDF_MIMETYPE)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return _private(response)
