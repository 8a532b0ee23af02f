"""A labelled corpus for the idea grouping: what professionals say, and which say the same thing.

Each group is one idea said by different people with their own words (French or Arabic, as
at the tour's meetings); the label is the idea, never seen by the grouping. Singletons are
ideas said once, some close in vocabulary to a group (same theme, another idea) so that a
grouping that only matches topics loses precision. Used by tests/test_idea_quality.py and
bench/grouping.py.
"""

from __future__ import annotations

import itertools

# (label, kind, text). Items with a label starting with "solo-" are alone in their idea.
CORPUS: tuple[tuple[str, str, str], ...] = (
    # --- needs ---------------------------------------------------------------------------
    ("guides-langues", "need", "Former les guides touristiques aux langues étrangères"),
    ("guides-langues", "need", "Formation linguistique des guides : anglais, allemand, chinois"),
    (
        "guides-langues",
        "need",
        "Nos guides doivent être formés aux langues des visiteurs étrangers",
    ),
    ("guides-langues", "need", "Des cours de langues étrangères pour les guides touristiques"),
    ("guides-langues-ar", "need", "تكوين المرشدين السياحيين في اللغات الأجنبية"),
    ("guides-langues-ar", "need", "نحتاج إلى تكوين لغوي للمرشدين السياحيين"),
    ("guides-langues-ar", "need", "دورات في اللغات الأجنبية لفائدة المرشدين السياحيين"),
    ("signaletique", "need", "Améliorer la signalétique routière vers les sites touristiques"),
    ("signaletique", "need", "Une signalétique claire pour trouver les sites depuis la route"),
    ("signaletique", "need", "Panneaux de signalisation vers les sites touristiques absents"),
    ("signaletique", "need", "Installer une signalétique touristique sur les routes d'accès"),
    ("financement", "need", "Accès au financement bancaire pour les petites entreprises"),
    (
        "financement",
        "need",
        "Faciliter l'accès au crédit bancaire des petites entreprises touristiques",
    ),
    ("financement", "need", "Les petites entreprises n'obtiennent pas de crédit des banques"),
    ("financement-ar", "need", "تسهيل الولوج إلى التمويل البنكي للمقاولات الصغيرة"),
    ("financement-ar", "need", "صعوبة حصول المقاولات الصغيرة على التمويل من الأبناك"),
    ("financement-ar", "need", "تمويل بنكي ميسر لفائدة المقاولات السياحية الصغيرة"),
    ("solo-need-1", "need", "Un guichet unique pour les autorisations d'ouverture d'hôtel"),
    ("solo-need-2", "need", "Former les réceptionnistes à l'accueil des personnes handicapées"),
    ("solo-need-3", "need", "توفير مواقف السيارات قرب المواقع الأثرية"),
    # --- challenges ------------------------------------------------------------------------
    ("saisonnalite", "challenge", "La saisonnalité : hôtels vides en hiver, pleins l'été"),
    ("saisonnalite", "challenge", "Forte saisonnalité de l'activité, basse saison trop longue"),
    ("saisonnalite", "challenge", "Activité saisonnière : la basse saison est trop longue"),
    ("saisonnalite", "challenge", "Trop de saisonnalité, l'hiver nos hôtels restent vides"),
    ("main-oeuvre", "challenge", "Manque de main-d'œuvre qualifiée dans l'hôtellerie"),
    ("main-oeuvre", "challenge", "Difficile de recruter du personnel qualifié en hôtellerie"),
    ("main-oeuvre", "challenge", "Pénurie de personnel qualifié pour nos hôtels"),
    ("main-oeuvre", "challenge", "Le recrutement de main-d'œuvre qualifiée est difficile"),
    ("main-oeuvre-ar", "challenge", "نقص اليد العاملة المؤهلة في قطاع الفندقة"),
    ("main-oeuvre-ar", "challenge", "صعوبة توظيف يد عاملة مؤهلة في الفنادق"),
    ("main-oeuvre-ar", "challenge", "قلة اليد العاملة المؤهلة في الفنادق والمطاعم"),
    ("informel", "challenge", "Concurrence déloyale de l'hébergement informel non déclaré"),
    ("informel", "challenge", "Les hébergements non déclarés nous font une concurrence déloyale"),
    ("informel", "challenge", "Concurrence de l'hébergement informel non déclaré aux impôts"),
    ("solo-challenge-1", "challenge", "Les vols vers la région sont trop chers"),
    ("solo-challenge-2", "challenge", "ارتفاع أسعار تذاكر الطيران نحو الجهة"),
    ("solo-challenge-3", "challenge", "Les taxes locales sur les hôtels augmentent chaque année"),
    # --- proposals -------------------------------------------------------------------------
    ("plateforme", "proposal", "Créer une plateforme numérique de réservation régionale"),
    ("plateforme", "proposal", "Une plateforme de réservation en ligne pour toute la région"),
    ("plateforme", "proposal", "Plateforme numérique régionale pour réserver en ligne"),
    ("plateforme", "proposal", "Mettre en ligne une plateforme de réservation régionale"),
    ("plateforme-ar", "proposal", "إحداث منصة رقمية جهوية للحجز"),
    ("plateforme-ar", "proposal", "منصة إلكترونية جهوية للحجز عبر الإنترنت"),
    ("plateforme-ar", "proposal", "إطلاق منصة رقمية للحجز على مستوى الجهة"),
    ("salon", "proposal", "Organiser un salon régional du tourisme chaque année"),
    ("salon", "proposal", "Un salon annuel du tourisme dans la région"),
    ("salon", "proposal", "Salon du tourisme régional organisé tous les ans"),
    ("rural", "proposal", "Développer le tourisme rural chez l'habitant dans les villages"),
    ("rural", "proposal", "Encourager l'hébergement chez l'habitant en milieu rural"),
    ("rural", "proposal", "Tourisme rural : l'accueil chez l'habitant dans les villages"),
    ("rural-ar", "proposal", "تشجيع السياحة القروية والإيواء عند الساكنة"),
    ("rural-ar", "proposal", "تطوير السياحة القروية في الدواوير"),
    ("rural-ar", "proposal", "دعم السياحة القروية والإيواء لدى السكان"),
    ("solo-proposal-1", "proposal", "Une navette gratuite entre l'aéroport et le centre-ville"),
    ("solo-proposal-2", "proposal", "Créer un label qualité pour les restaurants"),
    ("solo-proposal-3", "proposal", "تنظيم مهرجان للفنون الشعبية"),
    # --- opportunities ---------------------------------------------------------------------
    ("ecotourisme", "opportunity", "L'écotourisme dans les montagnes et les oasis"),
    ("ecotourisme", "opportunity", "Potentiel d'écotourisme en montagne et dans les oasis"),
    ("ecotourisme", "opportunity", "Randonnées d'écotourisme dans les oasis et la montagne"),
    ("ecotourisme-ar", "opportunity", "السياحة البيئية في الجبال والواحات"),
    ("ecotourisme-ar", "opportunity", "إمكانات السياحة البيئية في الواحات والجبال"),
    ("ecotourisme-ar", "opportunity", "فرص السياحة البيئية بالواحات والمناطق الجبلية"),
    ("golf", "opportunity", "Le golf attire une clientèle européenne l'hiver"),
    ("golf", "opportunity", "Clientèle de golfeurs européens en hiver"),
    ("golf", "opportunity", "Les golfs attirent des Européens pendant l'hiver"),
    ("solo-opportunity-1", "opportunity", "Le tourisme médical et les cliniques privées"),
    ("solo-opportunity-2", "opportunity", "La gastronomie locale attire les visiteurs"),
    ("solo-opportunity-3", "opportunity", "التراث المعماري للمدن العتيقة"),
)


def idea_of(label: str) -> str:
    """The idea a label names: "x-ar" is idea "x" said in Arabic."""
    return label.removesuffix("-ar")


def pairwise_scores() -> tuple[float, float, int, int]:
    """The grouping's precision and recall over the corpus's pairs of items of one kind (by
    letters and sentence vectors, as the regrouper does), with the number of pairs it put
    together and of pairs that say the same idea (in either language)."""
    from feedback_app.services.ideas.clustering import cluster
    from feedback_app.services.ideas.vectors import encode

    together = right = same = 0
    for kind in sorted({k for _label, k, _text in CORPUS}):
        items = [(idea_of(label), text) for label, k, text in CORPUS if k == kind]
        texts = [t for _l, t in items]
        clusters = cluster(texts, meaning=encode(texts))
        found = {i: n for n, members in enumerate(clusters) for i in members}
        for i, j in itertools.combinations(range(len(items)), 2):
            said_same = items[i][0] == items[j][0] and not items[i][0].startswith("solo-")
            put_together = found[i] == found[j]
            together += put_together
            same += said_same
            right += said_same and put_together
    return right / together, right / same, together, same
