"""The audit trail told as sentences in the reader's language, with links and readable diffs.

"Délégué(e) régional(e) Samira a marqué la contribution MS-4K7P comme examinée", the record a
link, and each changed field as "label: before → after" in words, never raw JSON or codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape

from feedback_app.i18n import format_date, format_datetime
from feedback_app.labels import KIND_LABELS, ROLE_LABELS, STOP_STATUS_LABELS
from feedback_app.labels import STATUS_LABELS as REVIEW_STATUS_LABELS
from feedback_app.locales import LANGUAGES, join_list
from feedback_app.models import AuditEvent, ItemKind, ReviewStatus, Role
from feedback_app.services.audit_targets import AuditTargets, submission_of

SENTENCES = {
    "submission.status": _l("%(actor)s a marqué la contribution %(target)s comme %(status)s."),
    "submission.bulk_status": _l(
        "%(actor)s a marqué la contribution %(target)s comme %(status)s (action groupée)."
    ),
    "note.create": _l("%(actor)s a ajouté une note à la contribution %(target)s."),
    "item.kind": _l("%(actor)s a changé le type d'une entrée de la contribution %(target)s."),
    "item.theme": _l("%(actor)s a changé le thème d'une entrée de la contribution %(target)s."),
    "item.bulk_theme": _l(
        "%(actor)s a changé le thème d'une entrée de la contribution %(target)s (action groupée)."
    ),
    "item.shortlist": _l(
        "%(actor)s a changé la sélection d'une entrée de la contribution %(target)s."
    ),
    "privacy.erase": _l("%(actor)s a effacé les coordonnées de la contribution %(target)s."),
    "privacy.erase_preview": _l(
        "%(actor)s a effacé des coordonnées dans l'import en attente %(target)s."
    ),
    "privacy.purge": _l(
        "Les coordonnées des contributions anciennes ont été effacées "
        "(durée de conservation dépassée)."
    ),
    "stop.create": _l("%(actor)s a créé l'étape %(target)s."),
    "stop.update": _l("%(actor)s a modifié l'étape %(target)s."),
    "stop.open": _l("%(actor)s a ouvert l'étape %(target)s."),
    "stop.close": _l("%(actor)s a clôturé l'étape %(target)s."),
    "stop.plan": _l("%(actor)s a remis l'étape %(target)s en prévision."),
    "theme.create": _l("%(actor)s a ajouté le thème %(target)s."),
    "theme.rename": _l("%(actor)s a renommé le thème %(target)s."),
    "theme.retire": _l("%(actor)s a retiré le thème %(target)s du formulaire."),
    "theme.restore": _l("%(actor)s a de nouveau proposé le thème %(target)s."),
    "theme.move": _l("%(actor)s a déplacé le thème %(target)s."),
    "user.create": _l("%(actor)s a créé le compte %(target)s."),
    "user.update": _l("%(actor)s a modifié le compte %(target)s."),
    "user.deactivate": _l("%(actor)s a désactivé le compte %(target)s."),
    "user.reactivate": _l("%(actor)s a réactivé le compte %(target)s."),
    "user.link_issued": _l("%(actor)s a créé un lien de mot de passe pour %(target)s."),
    "user.password_set": _l("%(actor)s a choisi son mot de passe."),
    "auth.login": _l("%(actor)s s'est connecté(e)."),
    "auth.logout": _l("%(actor)s s'est déconnecté(e)."),
    "auth.login_failed": _l("Échec de connexion pour %(target)s."),
    "auth.reset_requested": _l("Lien « mot de passe oublié » envoyé à %(target)s."),
    "auth.reset_refused": _l("Demande « mot de passe oublié » sans suite pour %(target)s."),
    "export.xlsx": _l("%(actor)s a téléchargé un export Excel."),
    "export.brief_pdf": _l("%(actor)s a téléchargé le bilan régional en PDF."),
    "share.create": _l("%(actor)s a créé un lien de partage du bilan régional."),
    "share.revoke": _l("%(actor)s a révoqué un lien de partage du bilan régional."),
    "share.open": _l("Un lien de partage du bilan régional a été ouvert."),
    "commitment.create": _l("%(actor)s a enregistré un engagement."),
    "commitment.update": _l("%(actor)s a modifié un engagement."),
    "commitment.status": _l("%(actor)s a changé le statut d'un engagement."),
    "commitment.milestone": _l("%(actor)s a changé les jalons d'un engagement."),
    "api_token.created": _l("%(actor)s a créé un jeton d'accès pour les outils d'analyse."),
    "api_token.revoked": _l("%(actor)s a révoqué un jeton d'accès."),
    "api_token.used": _l("%(actor)s a lu le flux des outils d'analyse avec un jeton (ce jour)."),
}

FIELD_LABELS = {
    "status": _l("Statut"),
    "kind": _l("Type"),
    "theme": _l("Thème"),
    "shortlisted": _l("Retenu"),
    "text": _l("Texte"),
    "city": _l("Ville"),
    "venue": _l("Lieu (facultatif)"),
    "city_ar": _l("Ville en arabe"),
    "city_en": _l("Ville en anglais"),
    "venue_ar": _l("Lieu en arabe"),
    "venue_en": _l("Lieu en anglais"),
    "date": _l("Date"),
    "region": _l("Région"),
    "grace_hours": _l("Délai de grâce après clôture (heures)"),
    "closed_at": _l("Clôturée le"),
    "code": _l("Code"),
    "name_fr": _l("Nom en français"),
    "name_ar": _l("Nom en arabe"),
    "name_en": _l("Nom en anglais"),
    "retired": _l("Retiré"),
    "position": _l("Position"),
    "email": _l("E-mail"),
    "name": _l("Nom"),
    "role": _l("Rôle"),
    "regions": _l("Régions couvertes (délégués)"),
    "active": _l("Actif"),
    "expires_at": _l("Expire le"),
    "address": _l("Adresse IP"),
    "reason": _l("Motif"),
    "failures": _l("Échecs de suite"),
    "fields": _l("Champs effacés"),
    "erased": _l("Effacé"),
    "submissions": _l("Contributions"),
    "retention_days": _l("Durée de conservation (jours)"),
    "endpoint": _l("Flux"),
    "day": _l("Jour"),
    # An export's filters and outcome.
    "stops": _l("Étapes"),
    "since": _l("Reçues à partir du"),
    "until": _l("jusqu'au"),
    "statuses": _l("Statuts"),
    "language": _l("Langue"),
    "contacts": _l("Coordonnées incluses"),
    "via": _l("Depuis"),
    "filename": _l("Fichier"),
    "items": _l("Entrées"),
    "cached": _l("Fichier déjà prêt"),
    "milestone": _l("Jalon n°"),
    "due": _l("Date"),
    "label_fr": _l("Jalon en français"),
    "label_ar": _l("Jalon en arabe"),
    "label_en": _l("Jalon en anglais (facultatif)"),
    "done": _l("Atteint"),
    "removed": _l("Jalon supprimé"),
}
VIA_LABELS = {"web": _l("le site"), "cli": _l("la ligne de commande")}
HIDDEN_FIELDS = frozenset({"submission_id", "note_id", "job"})


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EventView:
    event: AuditEvent
    sentence: Markup
    changes: list[Change]


def _link(endpoint: str, label: str, **values: Any) -> Markup:
    return Markup('<a href="%s"><bdi>%s</bdi></a>') % (url_for(endpoint, **values), label)


def _actor(event: AuditEvent) -> Markup:
    user = event.user
    if user is None:
        return escape(
            _("Un visiteur non connecté") if event.action.startswith("auth.") else _("Le système")
        )
    role = ROLE_LABELS.get(user.role, "") if isinstance(user.role, Role) else ""
    return Markup("%s %s") % (role, _link("hq.user_edit", user.name or user.email, user_id=user.id))


def _target(event: AuditEvent, targets: AuditTargets, language: str) -> Markup:
    submission_id = submission_of(event)
    if submission_id is not None:
        reference = targets.submissions.get(submission_id)
        if reference is None:
            return escape(_("(supprimée)"))
        return _link("review.submission", reference, submission_id=submission_id)
    if event.target_type == "stop" and (stop := targets.stops.get(event.target_id or 0)):
        return _link("hq.stop_edit", f"{stop.city_for(language)} ({stop.code})", stop_id=stop.id)
    if event.target_type == "theme" and (theme := targets.themes.get(event.target_id or 0)):
        return _link("hq.theme_edit", theme.name_for(language), theme_id=theme.id)
    if event.target_type == "user" and (user := targets.users.get(event.target_id or 0)):
        return _link("hq.user_edit", user.email, user_id=user.id)
    email = (event.after or {}).get("email")
    return Markup("<bdi>%s</bdi>") % (email or "—")


def _status(event: AuditEvent) -> str:
    value = (event.after or {}).get("status")
    try:
        return str(REVIEW_STATUS_LABELS[ReviewStatus(str(value))]).lower()
    except (ValueError, KeyError):
        return str(value)


def _value(key: str, value: object, targets: AuditTargets, language: str) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if key == "items" and isinstance(value, list | int):
        # Counted, never listed: an item's id means nothing to a reader.
        count = len(value) if isinstance(value, list) else value
        return ngettext("%(num)d entrée", "%(num)d entrées", count)
    if isinstance(value, list):
        return join_list(filter(None, (_value(key, v, targets, language) for v in value)), language)
    text = str(value)
    readers = {
        "status": lambda: str(
            {
                **{s.value: label for s, label in REVIEW_STATUS_LABELS.items()},
                **{s.value: label for s, label in STOP_STATUS_LABELS.items()},
            }.get(text, text)
        ),
        "kind": lambda: str(KIND_LABELS.get(ItemKind(text), text)),
        "theme": lambda: (
            targets.themes_by_code[text].name_for(language)
            if text in targets.themes_by_code
            else text
        ),
        "role": lambda: str(ROLE_LABELS.get(Role(text), text)),
        "statuses": lambda: str(REVIEW_STATUS_LABELS[ReviewStatus(text)]),
        "stops": lambda: (
            f"{stop.city_for(language)} ({format_date(stop.date)})"
            if (stop := targets.stops.get(int(text)))
            else _("étape supprimée")
        ),
        "since": lambda: format_date(dt.date.fromisoformat(text[:10]), "long"),
        "until": lambda: format_date(dt.date.fromisoformat(text[:10]), "long"),
        "via": lambda: str(VIA_LABELS.get(text, text)),
        "language": lambda: LANGUAGES[text].name if text in LANGUAGES else text,
        "date": lambda: format_date(dt.date.fromisoformat(text[:10]), "long"),
        "closed_at": lambda: format_datetime(dt.datetime.fromisoformat(text), "short"),
        "expires_at": lambda: format_datetime(dt.datetime.fromisoformat(text), "short"),
        "fields": lambda: join_list(
            (str(FIELD_LABELS.get(f, f)) for f in text.split(",")), language
        ),
    }
    try:
        return readers[key]() if key in readers else text
    except (ValueError, KeyError):
        return text


def _changes(event: AuditEvent, targets: AuditTargets, language: str) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    keys = [k for k in (*before, *(k for k in after if k not in before)) if k not in HIDDEN_FIELDS]
    return [
        Change(
            label=str(FIELD_LABELS.get(key, key)),
            before=_value(key, before.get(key), targets, language),
            after=_value(key, after.get(key), targets, language),
        )
        for key in keys
    ]


def describe(event: AuditEvent, targets: AuditTargets, language: str) -> EventView:
    template = SENTENCES.get(event.action)
    if template is None:
        sentence = Markup("%s — <code>%s</code>") % (_actor(event), event.action)
    else:
        sentence = Markup(str(template)) % {
            "actor": _actor(event),
            "target": _target(event, targets, language),
            "status": _status(event),
        }
    return EventView(event=event, sentence=sentence, changes=_changes(event, targets, language))


def action_label(action: str) -> str:
    """A short name for the action filter: the sentence without its actor and target."""
    template = SENTENCES.get(action)
    if template is None:
        return action
    return (str(template) % {"actor": "…", "target": "…", "status": "…"}).strip(" .")
