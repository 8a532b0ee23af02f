"""What the demonstration's professionals say: ideas that recur, each said several ways.

Each idea has a theme and French and Arabic wordings; a demo respondent picks an idea (some
ideas are far more common than others, as at a real tour) and one of its wordings, sometimes
with a few words of their own around it. So the demo shows varied themes, ideas that come back
across participants and regions, and groups in both languages. bench/grouping.py reuses it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from feedback_app.models import ItemKind


@dataclass(frozen=True)
class Idea:
    theme: str
    french: tuple[str, ...]
    arabic: tuple[str, ...] = ()


IDEAS: dict[ItemKind, tuple[Idea, ...]] = {
    ItemKind.NEED: (
        Idea(
            "formation-rh",
            (
                "Former nos réceptionnistes aux langues étrangères, surtout l'anglais.",
                "Des cours d'anglais et d'espagnol pour le personnel d'accueil.",
                "Formation en langues étrangères pour les employés de la réception.",
            ),
            (
                "تكوين موظفي الاستقبال في اللغات الأجنبية.",
                "دورات في اللغات الأجنبية لفائدة موظفي الاستقبال.",
            ),
        ),
        Idea(
            "infrastructures",
            (
                "Une signalétique touristique claire entre l'aéroport et la médina de {c}.",
                "Améliorer la signalétique routière vers les sites touristiques de {c}.",
                "Des panneaux de signalisation vers les sites touristiques.",
            ),
            ("وضع لوحات إرشادية واضحة للزوار قرب المآثر.",),
        ),
        Idea(
            "financement-investissement",
            (
                "Un accès simplifié aux financements pour rénover les petits établissements.",
                "Faciliter le crédit bancaire pour la rénovation des petits hôtels.",
                "Des financements accessibles pour rénover nos petits établissements.",
            ),
            ("تسهيل الولوج إلى التمويل البنكي لتجديد المؤسسات الصغيرة.",),
        ),
        Idea(
            "connectivite-aerienne",
            (
                "Plus de vols directs depuis l'Europe pendant la basse saison.",
                "Davantage de liaisons aériennes directes avec l'Europe hors saison.",
            ),
            ("المزيد من الرحلات الجوية المباشرة مع أوروبا خارج الموسم.",),
        ),
        Idea(
            "digitalisation",
            (
                "Des formations au marketing digital pour les agences locales.",
                "Former les agences locales au marketing numérique et aux réseaux sociais.",
            ),
            ("تكوين الوكالات المحلية في التسويق الرقمي.",),
        ),
        Idea(
            "reglementation",
            (
                "Un guichet unique pour les autorisations d'activités de plein air.",
                "Simplifier les autorisations des activités de plein air avec un guichet unique.",
            ),
        ),
        Idea(
            "infrastructures",
            (
                "Des routes goudronnées vers les sites touristiques ruraux.",
                "Améliorer l'état des routes qui mènent aux sites ruraux.",
            ),
            (
                "نطالب بتحسين الطرق المؤدية إلى المواقع السياحية القروية.",
                "إصلاح الطرق نحو المواقع السياحية في العالم القروي.",
            ),
        ),
    ),
    ItemKind.OPPORTUNITY: (
        Idea(
            "diversification-offre",
            (
                "Le tourisme de nature autour de {c} attire une clientèle nouvelle.",
                "L'écotourisme et la randonnée autour de {c} attirent de nouveaux visiteurs.",
            ),
            ("السياحة البيئية حول {c} تجذب زبناء جدد.",),
        ),
        Idea(
            "evenementiel",
            (
                "Les festivals locaux pourraient devenir des rendez-vous internationaux.",
                "Nos festivals locaux peuvent attirer un public international.",
            ),
            ("المهرجانات المحلية يمكن أن تصبح مواعيد دولية.",),
        ),
        Idea(
            "diversification-offre",
            (
                "Le télétravail fait venir des séjours longs hors saison.",
                "Les télétravailleurs restent longtemps, même hors saison.",
            ),
        ),
        Idea(
            "promotion-marketing",
            (
                "La gastronomie du terroir est un argument encore peu mis en avant.",
                "Mettre en avant la gastronomie du terroir dans la promotion.",
            ),
            ("المطبخ المحلي ورقة رابحة غير مستغلة في الترويج.",),
        ),
        Idea(
            "diversification-offre",
            (
                "Les circuits combinant désert et littoral intéressent les agences européennes.",
                "Des circuits désert et littoral demandés par les agences européennes.",
            ),
        ),
        Idea(
            "diversification-offre",
            ("La médina et le patrimoine culturel attirent de nouveaux visiteurs.",),
            (
                "السياحة الثقافية في المدينة العتيقة فرصة كبيرة لجلب زوار جدد.",
                "التراث الثقافي للمدينة العتيقة يجلب زوارا جددا.",
            ),
        ),
    ),
    ItemKind.CHALLENGE: (
        Idea(
            "promotion-marketing",
            (
                "La saisonnalité : nos chambres restent vides de novembre à février.",
                "Forte saisonnalité, l'hiver nos chambres restent vides.",
                "La basse saison est trop longue, les chambres restent vides.",
            ),
            ("الموسمية: الغرف تبقى فارغة في فصل الشتاء.",),
        ),
        Idea(
            "formation-rh",
            (
                "Le manque de personnel qualifié et la rotation des employés.",
                "Difficile de recruter et de garder du personnel qualifié.",
                "Pénurie de personnel qualifié, les employés partent vite.",
            ),
            ("نقص اليد العاملة المؤهلة في الفنادق.", "صعوبة توظيف يد عاملة مؤهلة."),
        ),
        Idea(
            "reglementation",
            (
                "La concurrence de l'hébergement non déclaré sur les plateformes.",
                "Concurrence déloyale de l'hébergement non déclaré en ligne.",
            ),
            ("منافسة غير شريفة من الإيواء غير المصرح به.",),
        ),
        Idea(
            "durabilite",
            (
                "Les coûts de l'énergie et de l'eau qui augmentent chaque année.",
                "Les factures d'eau et d'énergie augmentent chaque année.",
            ),
        ),
        Idea(
            "reglementation",
            (
                "Les délais administratifs pour obtenir le classement.",
                "Le classement des établissements prend trop de temps administratif.",
            ),
        ),
        Idea(
            "financement-investissement",
            ("Difficile d'obtenir un crédit bancaire pour les petits projets.",),
            (
                "صعوبة الحصول على التمويل البنكي للمشاريع الصغيرة.",
                "الأبناك لا تمول المشاريع السياحية الصغيرة.",
            ),
        ),
    ),
    ItemKind.PROPOSAL: (
        Idea(
            "promotion-marketing",
            (
                "Créer une carte touristique régionale donnant accès aux musées et transports.",
                "Une carte touristique régionale pour les musées et les transports.",
            ),
        ),
        Idea(
            "promotion-marketing",
            (
                "Organiser des éductours pour les agences étrangères à {c}.",
                "Inviter les agences étrangères à des éductours dans la région.",
            ),
            ("تنظيم رحلات تعريفية لفائدة الوكالات الأجنبية.",),
        ),
        Idea(
            "formation-rh",
            (
                "Mettre en place une formation continue certifiante avec l'ISTAHT.",
                "Une formation continue certifiante pour les employés, avec l'ISTAHT.",
            ),
        ),
        Idea(
            "durabilite",
            (
                "Développer un label de tourisme durable pour les établissements engagés.",
                "Un label tourisme durable pour récompenser les établissements engagés.",
            ),
            ("إحداث علامة للسياحة المستدامة للمؤسسات الملتزمة.",),
        ),
        Idea(
            "connectivite-aerienne",
            (
                "Ouvrir une ligne aérienne saisonnière vers {c} avec une compagnie à bas coût.",
                "Une ligne aérienne à bas coût vers {c} pendant la saison.",
            ),
        ),
        Idea(
            "digitalisation",
            (
                "Créer une plateforme numérique régionale de réservation des activités.",
                "Une plateforme de réservation en ligne pour les activités de la région.",
            ),
            (
                "اقتراح إنشاء منصة رقمية جهوية لحجز الأنشطة السياحية.",
                "منصة إلكترونية جهوية لحجز الأنشطة السياحية.",
            ),
        ),
        Idea(
            "diversification-offre",
            (
                "Associer les coopératives locales aux circuits pour valoriser l'artisanat.",
                "Intégrer les coopératives d'artisanat dans les circuits touristiques.",
            ),
        ),
        Idea(
            "evenementiel",
            ("Organiser un salon régional du tourisme chaque année à {c}.",),
            ("تنظيم معرض جهوي سنوي للسياحة.",),
        ),
    ),
}

# A few words some respondents put around their idea.
_LEADS = ("", "", "", "À {c}, ", "Pour nous, ", "Urgent : ", "Il faut : ")
_ARABIC_LEADS = ("", "", "في {c}، ", "بالنسبة لنا، ")


def pick(rng: random.Random, kind: ItemKind, city: str, *, arabic: bool) -> tuple[str, str]:
    """(text, theme code) of what one respondent says of `kind`; common ideas come often."""
    ideas = IDEAS[kind]
    if arabic:
        ideas = tuple(i for i in ideas if i.arabic) or ideas
    # Zipf-like: the first ideas of the list are the most said, the last ones rarely.
    idea = rng.choices(ideas, weights=[1 / (n + 1) for n in range(len(ideas))])[0]
    wordings = idea.arabic if arabic and idea.arabic else idea.french
    leads = _ARABIC_LEADS if arabic and idea.arabic else _LEADS
    text = rng.choice(leads) + rng.choice(wordings)
    return text.format(c=city), idea.theme
