"""Every word the workbook prints, per language.

The builder is a pure function (no Flask, no request), so its words live in this table rather
than in gettext calls. French is the reference; English and Arabic follow the same keys (a test
checks that). Names of regions, categories and themes come from the database in the chosen
language, not from here.
"""

from __future__ import annotations

from collections.abc import Mapping

RTL_LANGUAGES = frozenset({"ar"})

FR: dict[str, object] = {
    "sheet_synthesis": "Synthèse",
    "sheet_proposals": "Propositions retenues",
    "sheet_about": "À propos",
    "title": "Synthèse de la tournée régionale du tourisme",
    "generated": "Généré le {when} par {who}",
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
    "all_statuses": "Nouvelles et traitées",
    "spam_excluded": "exclues (spam)",
    "by_region": "Par région",
    "col_region": "Région",
    "col_stops_held": "Étapes tenues",
    "col_submissions": "Contributions",
    "col_shortlisted": "Propositions retenues",
    "total": "Total",
    "by_category": "Contributions par catégorie professionnelle",
    "top_themes": "Thèmes les plus cités, par type",
    "col_count": "Nombre",
    "chart_title": "Contributions par région",
    "columns": {
        "date": "Date", "city": "Étape (ville)", "organisation": "Organisation",
        "category": "Catégorie", "kind": "Type", "theme": "Thème", "text": "Texte",
        "priority": "Priorité", "status": "Statut", "shortlisted": "Retenue",
        "reference": "Référence", "person_name": "Nom", "job_title": "Fonction",
        "email": "E-mail", "phone": "Téléphone", "region": "Région",
        "proposal": "Proposition",
    },
    "kinds": {"need": "Besoin", "opportunity": "Opportunité", "challenge": "Défi",
              "proposal": "Proposition"},
    "kinds_plural": {"need": "Besoins", "opportunity": "Opportunités", "challenge": "Défis",
                     "proposal": "Propositions"},
    "kind_hints": {
        "need": "Ce qui manque aux professionnels pour mieux travailler.",
        "opportunity": "Ce que la région pourrait mieux valoriser.",
        "challenge": "Ce qui freine l'activité.",
        "proposal": "Une action concrète proposée par le professionnel.",
    },
    "priorities": {"high": "Haute", "medium": "Moyenne", "low": "Basse"},
    "statuses": {"new": "Nouvelle", "reviewed": "Traitée", "spam": "Indésirable"},
    "yes": "Oui",
    "about_title": "À propos de ce classeur",
    "about_sheets": "Contenu des feuilles",
    "about_sheet_synthesis": "Les chiffres par région (étapes tenues, contributions, entrées "
                             "par type, propositions retenues), la répartition par catégorie "
                             "professionnelle, les thèmes les plus cités et un graphique.",
    "about_sheet_region": "Une feuille par région, dans l'ordre officiel, même vide : une ligne "
                          "par entrée (besoin, opportunité, défi ou proposition).",
    "about_sheet_proposals": "Les propositions retenues par les délégués, toutes régions "
                             "confondues, prêtes à reprendre dans un plan d'action.",
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

EN: dict[str, object] = {
    "sheet_synthesis": "Summary",
    "sheet_proposals": "Shortlisted proposals",
    "sheet_about": "About",
    "title": "Regional tourism tour: summary",
    "generated": "Generated on {when} by {who}",
    "when_format": "%Y-%m-%d %H:%M",
    "date_format": "yyyy-mm-dd",
    "filters": "Filters",
    "filter_regions": "Regions",
    "filter_stops": "Stops",
    "filter_period": "Period",
    "filter_status": "Status",
    "filter_spam": "Unwanted entries",
    "all_regions": "All regions you may see",
    "all_stops": "All stops",
    "whole_period": "Whole period",
    "from_to": "from {since} to {until}",
    "since_only": "from {since}",
    "until_only": "until {until}",
    "all_statuses": "New and reviewed",
    "spam_excluded": "excluded (spam)",
    "by_region": "By region",
    "col_region": "Region",
    "col_stops_held": "Stops held",
    "col_submissions": "Submissions",
    "col_shortlisted": "Shortlisted proposals",
    "total": "Total",
    "by_category": "Submissions by professional category",
    "top_themes": "Most cited themes, by kind",
    "col_count": "Count",
    "chart_title": "Submissions by region",
    "columns": {
        "date": "Date", "city": "Stop (city)", "organisation": "Organisation",
        "category": "Category", "kind": "Kind", "theme": "Theme", "text": "Text",
        "priority": "Priority", "status": "Status", "shortlisted": "Shortlisted",
        "reference": "Reference", "person_name": "Name", "job_title": "Job title",
        "email": "Email", "phone": "Phone", "region": "Region", "proposal": "Proposal",
    },
    "kinds": {"need": "Need", "opportunity": "Opportunity", "challenge": "Challenge",
              "proposal": "Proposal"},
    "kinds_plural": {"need": "Needs", "opportunity": "Opportunities",
                     "challenge": "Challenges", "proposal": "Proposals"},
    "kind_hints": {
        "need": "What professionals lack to work better.",
        "opportunity": "What the region could make more of.",
        "challenge": "What holds business back.",
        "proposal": "A concrete action the professional proposes.",
    },
    "priorities": {"high": "High", "medium": "Medium", "low": "Low"},
    "statuses": {"new": "New", "reviewed": "Reviewed", "spam": "Spam"},
    "yes": "Yes",
    "about_title": "About this workbook",
    "about_sheets": "What each sheet holds",
    "about_sheet_synthesis": "Figures by region (stops held, submissions, entries by kind, "
                             "shortlisted proposals), the split by professional category, the "
                             "most cited themes and a chart.",
    "about_sheet_region": "One sheet per region, in the official order, even when empty: one "
                          "row per entry (need, opportunity, challenge or proposal).",
    "about_sheet_proposals": "The proposals shortlisted by the delegates across regions, ready "
                             "to paste into an action plan.",
    "about_region_sheets": "Region sheets",
    "about_kinds": "Kinds of entries",
    "about_categories": "Professional categories",
    "category_hints": {
        "hebergement": "Hotels, riads, guest houses, campsites and holiday residences.",
        "agence_voyages": "Travel agencies and tour operators.",
        "transport_touristique": "Tourist passenger transport and vehicle hire.",
        "restauration": "Restaurants, cafés and caterers serving visitors.",
        "crt": "Representatives of the regional tourism council.",
        "guide": "Tourist guides and escorts.",
        "animation_loisirs": "Leisure, sport, entertainment and events.",
        "institution": "Public bodies, local authorities and chambers.",
        "autre": "Any other tourism-related activity.",
    },
    "about_privacy": "Personal data protection",
    "privacy": (
        "This workbook holds what tourism professionals said during the regional tour. It is "
        "for the internal use of the Moroccan National Tourist Office and its regional "
        "delegates, to adapt each territory's strategy and promotion.",
        "Contact details (name, job title, email, phone) appear only for people who explicitly "
        "agreed to be contacted again. Use them only for that follow-up, do not pass them on "
        "and delete copies you no longer need.",
        "Under Moroccan law 09-08 on the protection of individuals with regard to the "
        "processing of personal data, anyone may ask the Office for access to, correction or "
        "deletion of their data.",
    ),
}

AR: dict[str, object] = {
    "sheet_synthesis": "الخلاصة",
    "sheet_proposals": "المقترحات المعتمدة",
    "sheet_about": "حول المصنف",
    "title": "خلاصة الجولة الجهوية للسياحة",
    "generated": "أُنشئ في {when} من طرف {who}",
    "when_format": "%d/%m/%Y %H:%M",
    "date_format": "dd/mm/yyyy",
    "filters": "عوامل التصفية",
    "filter_regions": "الجهات",
    "filter_stops": "المحطات",
    "filter_period": "الفترة",
    "filter_status": "الحالة",
    "filter_spam": "المساهمات غير المرغوب فيها",
    "all_regions": "جميع الجهات المتاحة",
    "all_stops": "جميع المحطات",
    "whole_period": "الفترة كاملة",
    "from_to": "من {since} إلى {until}",
    "since_only": "ابتداءً من {since}",
    "until_only": "إلى غاية {until}",
    "all_statuses": "الجديدة والمعالجة",
    "spam_excluded": "مستبعدة",
    "by_region": "حسب الجهة",
    "col_region": "الجهة",
    "col_stops_held": "المحطات المنعقدة",
    "col_submissions": "المساهمات",
    "col_shortlisted": "المقترحات المعتمدة",
    "total": "المجموع",
    "by_category": "المساهمات حسب الفئة المهنية",
    "top_themes": "المحاور الأكثر ذكرًا حسب النوع",
    "col_count": "العدد",
    "chart_title": "المساهمات حسب الجهة",
    "columns": {
        "date": "التاريخ", "city": "المحطة (المدينة)", "organisation": "المؤسسة",
        "category": "الفئة", "kind": "النوع", "theme": "المحور", "text": "النص",
        "priority": "الأولوية", "status": "الحالة", "shortlisted": "معتمد",
        "reference": "المرجع", "person_name": "الاسم", "job_title": "الصفة",
        "email": "البريد الإلكتروني", "phone": "الهاتف", "region": "الجهة",
        "proposal": "المقترح",
    },
    "kinds": {"need": "حاجة", "opportunity": "فرصة", "challenge": "تحدٍّ", "proposal": "مقترح"},
    "kinds_plural": {"need": "الحاجيات", "opportunity": "الفرص", "challenge": "التحديات",
                     "proposal": "المقترحات"},
    "kind_hints": {
        "need": "ما ينقص المهنيين للعمل بشكل أفضل.",
        "opportunity": "ما يمكن للجهة أن تثمّنه أكثر.",
        "challenge": "ما يعيق النشاط.",
        "proposal": "إجراء ملموس يقترحه المهني.",
    },
    "priorities": {"high": "عالية", "medium": "متوسطة", "low": "منخفضة"},
    "statuses": {"new": "جديدة", "reviewed": "معالجة", "spam": "غير مرغوب فيها"},
    "yes": "نعم",
    "about_title": "حول هذا المصنف",
    "about_sheets": "محتوى الأوراق",
    "about_sheet_synthesis": "الأرقام حسب الجهة، والتوزيع حسب الفئة المهنية، والمحاور الأكثر "
                             "ذكرًا، ورسم بياني.",
    "about_sheet_region": "ورقة لكل جهة حسب الترتيب الرسمي، ولو كانت فارغة: سطر لكل مدخل.",
    "about_sheet_proposals": "المقترحات التي اعتمدها المندوبون في جميع الجهات، جاهزة لخطة عمل.",
    "about_region_sheets": "أوراق الجهات",
    "about_kinds": "أنواع المدخلات",
    "about_categories": "الفئات المهنية",
    "category_hints": {
        "hebergement": "الفنادق والرياضات ودور الضيافة والمخيمات والإقامات السياحية.",
        "agence_voyages": "وكالات الأسفار ومنظمو الرحلات.",
        "transport_touristique": "النقل السياحي للأشخاص وكراء السيارات.",
        "restauration": "المطاعم والمقاهي وممونو الحفلات.",
        "crt": "ممثلو المجلس الجهوي للسياحة.",
        "guide": "المرشدون السياحيون والمرافقون.",
        "animation_loisirs": "أنشطة الترفيه والرياضة والتنشيط والتظاهرات.",
        "institution": "الإدارات والجماعات الترابية والغرف المهنية.",
        "autre": "كل نشاط آخر مرتبط بالسياحة.",
    },
    "about_privacy": "حماية المعطيات الشخصية",
    "privacy": (
        "يتضمن هذا المصنف ما أدلى به مهنيو السياحة خلال الجولة الجهوية، وهو مخصص للاستعمال "
        "الداخلي للمكتب الوطني المغربي للسياحة ومندوبيه الجهويين.",
        "لا تظهر معلومات الاتصال إلا للأشخاص الذين وافقوا صراحة على إعادة الاتصال بهم. لا "
        "تستعملوها إلا لهذه المتابعة ولا تنقلوها إلى الغير.",
        "طبقًا للقانون 09-08 المتعلق بحماية الأشخاص الذاتيين تجاه معالجة المعطيات ذات الطابع "
        "الشخصي، يحق لكل شخص طلب الولوج إلى معطياته أو تصحيحها أو حذفها.",
    ),
}

LABELS: Mapping[str, Mapping[str, object]] = {"fr": FR, "en": EN, "ar": AR}


class Labels:
    """Attribute-free access to one language's words: `labels["title"]`, `labels.kind("need")`."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LABELS else "fr"
        self._table = LABELS[self.language]
        self.rtl = self.language in RTL_LANGUAGES

    def __getitem__(self, key: str) -> str:
        value = self._table.get(key, FR[key])
        assert isinstance(value, str)
        return value

    def _sub(self, group: str, key: str) -> str:
        table = self._table.get(group, FR[group])
        assert isinstance(table, dict)
        return table.get(key, key)

    def column(self, key: str) -> str:
        return self._sub("columns", key)

    def kind(self, code: str) -> str:
        return self._sub("kinds", code)

    def kind_plural(self, code: str) -> str:
        return self._sub("kinds_plural", code)

    def kind_hint(self, code: str) -> str:
        return self._sub("kind_hints", code)

    def priority(self, code: str) -> str:
        return self._sub("priorities", code)

    def status(self, code: str) -> str:
        return self._sub("statuses", code)

    def category_hint(self, code: str) -> str:
        return self._sub("category_hints", code) if code in FR["category_hints"] else ""  # type: ignore[operator]

    def paragraphs(self, key: str) -> tuple[str, ...]:
        value = self._table.get(key, FR[key])
        assert isinstance(value, tuple)
        return value
