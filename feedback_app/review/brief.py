"""The regional brief as a page: the delegate's region, or any region for HQ (?region=slug)."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from feedback_app.auth.guards import current_scope, staff_required
from feedback_app.extensions import db
from feedback_app.followup.forms import STATUS_LABELS as COMMITMENT_STATUS_LABELS
from feedback_app.i18n import current_language
from feedback_app.labels import KIND_PLURAL_LABELS, STOP_STATUS_LABELS
from feedback_app.models import ItemKind
from feedback_app.models.types import utcnow
from feedback_app.review import bp
from feedback_app.review.forms import ShareLinkForm
from feedback_app.services.export.brief_pdf import BriefPdfRequest
from feedback_app.services.export.jobs import TooManyJobs, start_job
from feedback_app.services.permissions import Permission
from feedback_app.services.review.queries import scope_regions
from feedback_app.services.sharing import links
from feedback_app.services.synthesis import brief as briefs
from feedback_app.services.tour.stop_admin import list_stops
from feedback_app.taskqueue import TaskQueueUnavailable
from feedback_app.tasks.exports import build_export
from feedback_app.web.forms import ActionForm


@bp.get("/brief")
@staff_required
def brief() -> ResponseReturnValue:
    scope = current_scope()
    language = current_language()
    data = briefs.region_brief(
        db.session, scope, request.args.get("region") or None, language=language
    )
    regions = scope_regions(db.session, scope)
    region_id = next((r.id for r in regions if r.slug == data.slug), None)
    share_links = links.region_links(db.session, scope, region_id) if region_id else []
    # The region's stops with what may be done for each, as on the stops list.
    stops = list_stops(db.session, scope, region_slug=data.slug)
    db.session.rollback()  # end the read transaction
    share_form = ShareLinkForm(region=data.slug)
    return render_template(
        "review/brief.html",
        brief=data,
        can_share=scope.can(Permission.SHARE_LINKS),
        share_links=share_links,
        share_form=share_form,
        revoke_form=ActionForm(),
        now=utcnow(),
        kinds=[kind.value for kind in ItemKind],
        kind_plurals={k.value: str(v) for k, v in KIND_PLURAL_LABELS.items()},
        regions=[(r.slug, r.name_for(language)) for r in regions],
        commitment_statuses={k.value: str(v) for k, v in COMMITMENT_STATUS_LABELS.items()},
        stops=stops,
        status_labels=STOP_STATUS_LABELS,
    )


@bp.get("/brief.pdf")
@staff_required
def brief_pdf() -> ResponseReturnValue:
    """Queue the brief's PDF (one job system with the workbook) and show the job's page. A GET
    although it starts a job: it reads only, the job is joined when asked twice, and the
    link can sit in the page like any download."""
    scope = current_scope()
    region = briefs.brief_region(db.session, scope, request.args.get("region") or None)
    db.session.rollback()
    config = current_app.config
    name = (current_user.name or "").strip()
    try:
        job_id = start_job(
            db.session,
            scope,
            BriefPdfRequest(region.slug, current_language()),
            owner_id=current_user.id,
            generated_by=f"{name} <{current_user.email}>" if name else current_user.email,
            tz=str(config["BABEL_DEFAULT_TIMEZONE"]),
            total=1,
            limit=int(config["EXPORT_JOBS_PER_USER"]),
            enqueue=lambda job: build_export.send(job_id=job),
            is_pending=build_export.is_pending,
        )
    except TooManyJobs as error:
        return _error(_("Trop de demandes"), str(error.message), 429)
    except TaskQueueUnavailable:
        message = _("La préparation des PDF est indisponible pour le moment. Réessayez plus tard.")
        return _error(_("Service indisponible"), message, 503)
    return redirect(url_for("hq.export_job", job_id=job_id), 303)


def _error(title: str, message: str, status: int) -> ResponseReturnValue:
    return render_template("errors.html", title=title, message=message), status
