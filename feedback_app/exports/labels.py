"""Every word the workbook prints, per language; the words for codes are given (`CodeWords`).

The builder is a pure function (no Flask, no request), so its words live in this table rather
than in gettext calls. French is the reference; English and Arabic follow the same keys (a test
checks that). Names of regions, categories and themes come from the database in the chosen
language, not from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from feedback_app.exports.data import IdeaTitles, other_title_language, title_language
from feedback_app.exports.labels_en_ar import AR, EN
from feedback_app.locales import Words, join_list, word
from feedback_app.locales import language as language_info

# The words for codes by kind of code ("kind", "kind_plural", "priority", "status", "source"),
# code -> language -> text: feedback_app/labels.py's CODE_WORDS, handed in as plain data.
CodeWords = Mapping[str, Mapping[str, Words]]

FR: dict[str, object] = {
    "sheet_synthesis": "Synthèse",
    "sheet_proposals": "Éléments retenus",
    "sheet_ideas": "Idées récurrentes",
    "sheet_commitments": "Engagements",
    "sheet_map": "Carte des idées",
    "map_title": "Carte des idées : où chaque idée récurrente a été entendue",
    "map_legend": "Chaque cellule : organisations distinctes (entrées). ▲ : la région le dit au "
    "moins deux fois plus que l'ensemble des régions (indice ≥ 2, au moins deux organisations). "
    "Tri : les idées entendues dans le plus de régions d'abord, puis les plus partagées.",
    "map_none": "Aucune idée n'a été exprimée plus d'une fois dans cette sélection.",
    "reach_national": "Nationale",
    "reach_several": "Plusieurs régions",
    "reach_regional": "Une région",
    "no_idea_fr": "pas d'idée en français",
    "no_idea_ar": "pas d'idée en arabe",
    "quotes_label": "Citations",
    "commitments_title": "Engagements : ce qui a été décidé en réponse aux idées",
    "commitments_none": "Aucun engagement enregistré pour ces régions.",
    "national": "National",
    "ideas_title": "Idées récurrentes : ce que plusieurs professionnels ont dit",
    "ideas_none": "Aucune idée n'a été exprimée plus d'une fois dans cette sélection.",
    "retained_title": "Éléments retenus par les délégués, par type",
    "retained_none": "Aucun élément retenu.",
    "page_footer": "Page &P / &N",
    "sheet_about": "À propos",
    "title": "Synthèse de la tournée régionale du tourisme",
    "generated": "Généré le {when} par {who}",
    "ideas_stale": "Idées récurrentes calculées le {when} : {count} entrées récentes n'y sont pas "
    "encore (elles le seront au prochain regroupement).",
    "when_format": "%d/%m/%Y à %H:%M",
    "date_format": "dd/mm/yyyy",
    "filters": "Filtres appliqués",
    "filter_regions": "Régions",
    "filter_stops": "Étapes",
    "filter_period": "Période",
    "filter_status": "Statut",
    "filter_spam": "Contributions indésirables",
    "all_regions": "Toutes les régions accessibles",
    "all_stops": "Toutes les étapes",
    "whole_period": "Toute la période",
    "from_to": "du {since} au {until}",
    "since_only": "à partir du {since}",
    "until_only": "jusqu'au {until}",
    "all_statuses": "Nouvelles et examinées",
    "spam_excluded": "exclues (spam)",
    "by_region": "Par région",
    "col_region": "Région",
    "col_stops_held": "Étapes tenues",
    "col_submissions": "Contributions",
    "col_shortlisted": "Éléments retenus",
    "total": "Total",
    "by_category": "Contributions par catégorie professionnelle",
    "top_themes": "Thèmes les plus cités, par type",
    "col_count": "Nombre",
    "chart_title": "Contributions par région",
    "columns": {
        "commitment": "Engagement",
        "owner": "Porteur",
        "linked_ideas": "Idées liées",
        "commitment_status": "Statut",
        "progress": "Avancement (%)",
        "last_reason": "Dernier motif",
        "date": "Date",
        "city": "Étape (ville)",
        "organisation": "Organisation",
        "category": "Catégorie",
        "kind": "Type",
        "theme": "Thème",
        "text": "Texte",
        "priority": "Priorité",
        "status": "Statut",
        "shortlisted": "Retenue",
        "reference": "Référence",
        "person_name": "Nom",
        "job_title": "Fonction",
        "email": "E-mail",
        "phone": "Téléphone",
        "region": "Région",
        "proposal": "Proposition",
        "source": "Provenance",
        "group": "Groupe",
        "number": "N°",
        "title": "Idée",
        "title_other": "Idée (en arabe)",
        "reach": "Portée",
        "breadth": "Régions (nombre)",
        "items": "Entrées",
        "organisations": "Organisations",
        "categories": "Catégories",
        "regions": "Régions",
        "themes": "Thèmes",
        "quote_1": "Citation 1",
        "quote_2": "Citation 2",
        "quote_3": "Citation 3",
    },
    "kind_hints": {
        "need": "Ce qui manque aux professionnels pour mieux travailler.",
        "opportunity": "Ce que la région pourrait mieux valoriser.",
        "challenge": "Ce qui freine l'activité.",
        "proposal": "Une action concrète proposée par le professionnel.",
    },
    "yes": "Oui",
    "about_title": "À propos de ce classeur",
    "about_sheets": "Contenu des feuilles",
    "about_sheet_synthesis": "Les chiffres par région (étapes tenues, contributions, entrées "
    "par type, éléments retenus), la répartition par catégorie "
    "professionnelle, les thèmes les plus cités et un graphique.",
    "about_sheet_region": "Une feuille par région, dans l'ordre officiel, même vide : une ligne "
    "par entrée (besoin, opportunité, défi ou proposition).",
    "about_sheet_proposals": "Les éléments retenus par les délégués (besoins, opportunités, "
    "défis et propositions), par type, toutes régions confondues, "
    "prêts à reprendre dans un plan d'action.",
    "about_sheet_ideas": "Les idées exprimées plus d'une fois (regroupées "
    "automatiquement puis revues par les délégués), de la plus partagée à "
    "la moins partagée, avec leurs entrées et les organisations distinctes "
    "qui les ont écrites ; la colonne « Groupe » des feuilles régionales "
    "renvoie à leur numéro.",
    "about_region_sheets": "Feuilles régionales",
    "about_kinds": "Types d'entrées",
    "about_categories": "Catégories professionnelles",
    "category_hints": {
        "hebergement": "Hôtels, riads, maisons d'hôtes, campings et résidences touristiques.",
        "agence_voyages": "Agences de voyages et organisateurs de circuits.",
        "transport_touristique": "Transport touristique de personnes, location de véhicules.",
        "restauration": "Restaurants, cafés et traiteurs accueillant des visiteurs.",
        "crt": "Représentants du conseil régional du tourisme.",
        "guide": "Guides touristiques et accompagnateurs.",
        "animation_loisirs": "Activités de loisirs, sport, animation et événements.",
        "institution": "Administrations, collectivités et chambres professionnelles.",
        "autre": "Toute autre activité liée au tourisme.",
    },
    "about_privacy": "Protection des données personnelles",
    "privacy": (
        "Ce classeur contient des informations transmises par des professionnels du tourisme "
        "lors de la tournée régionale. Il est réservé à l'usage interne de l'Office national "
        "marocain du tourisme et de ses délégués régionaux, pour adapter la stratégie et la "
        "promotion de chaque territoire.",
        "Les coordonnées (nom, fonction, e-mail, téléphone) n'apparaissent que pour les "
        "personnes qui ont explicitement accepté d'être recontactées. Ne les utilisez que pour "
        "ce suivi, ne les transmettez pas à des tiers et supprimez les copies devenues inutiles.",
        "Conformément à la loi 09-08 relative à la protection des personnes physiques à "
        "l'égard du traitement des données à caractère personnel, toute personne peut demander "
        "l'accès, la rectification ou la suppression de ses données auprès de l'Office.",
    ),
}

LABELS: Mapping[str, Mapping[str, object]] = {"fr": FR, "en": EN, "ar": AR}


class Labels:
    """One language's words: `labels["title"]`, `labels.kind("need")`; French fills gaps."""

    def __init__(self, language: str, codes: CodeWords) -> None:
        self.language = language if language in LABELS else "fr"
        self._codes = codes
        self._table = LABELS[self.language]
        self.rtl = language_info(self.language).rtl

    def __getitem__(self, key: str) -> str:
        value = self._table.get(key, FR[key])
        assert isinstance(value, str)
        return value

    def _sub(self, group: str, key: str) -> str:
        table = self._table.get(group, FR[group])
        assert isinstance(table, dict)
        return str(table.get(key, key))

    def join(self, items: Iterable[str]) -> str:
        """A list of names as the workbook's language writes it (Arabic: "،")."""
        return join_list(items, self.language)

    def column(self, key: str) -> str:
        return self._sub("columns", key)

    def _code(self, group: str, code: str) -> str:
        table = self._codes[group]
        return word(table[code], self.language) if code in table else code

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of entries, in their order: every sheet loops over these."""
        return tuple(self._codes["kind"])

    def kind(self, code: str) -> str:
        return self._code("kind", code)

    def kind_plural(self, code: str) -> str:
        return self._code("kind_plural", code)

    def kind_hint(self, code: str) -> str:
        return self._sub("kind_hints", code)

    def priority(self, code: str) -> str:
        return self._code("priority", code)

    def status(self, code: str) -> str:
        return self._code("status", code)

    def commitment_status(self, code: str) -> str:
        table = self._codes.get("commitment_status", {})
        return word(table[code], self.language) if code in table else code

    def source(self, code: str) -> str:
        return self._code("source", code)

    def category_hint(self, code: str) -> str:
        hints = FR["category_hints"]
        assert isinstance(hints, dict)
        return self._sub("category_hints", code) if code in hints else ""

    def idea_title(self, titles: IdeaTitles) -> str:
        """The title this workbook's reader reads; a group with nothing in the workbook's
        language says so before the other language's title (never silently)."""
        shown = titles.shown(self.language)
        if shown or not titles.other(self.language):
            return shown
        missing = self[f"no_idea_{title_language(self.language)}"]
        return f"({missing}) {titles.other(self.language)}"

    def other_title(self, titles: IdeaTitles) -> str:
        """The automatic title in the other language, or the words saying there is none."""
        other = other_title_language(self.language)
        return titles.automatic(other) or self[f"no_idea_{other}"]

    def paragraphs(self, key: str) -> tuple[str, ...]:
        value = self._table.get(key, FR[key])
        assert isinstance(value, tuple)
        return value
