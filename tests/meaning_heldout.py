"""A held-out labelled corpus across languages, written before any tuning (issue 23).

Same format as tests/meaning_corpus.py (French, Modern Standard Arabic `ar`, darija in Arabic
script `dar`, darija in Latin script `lat`), other ideas of the tourism domain. Nothing of the
grouping is tuned on it: it only tells whether what was tuned on meaning_corpus holds on texts
it never saw (bench/grouping.py --corpus-only prints both).
"""

from __future__ import annotations

from tests.meaning_corpus import Item, corpus_items

# label -> kind, then (language, text) wordings.
IDEAS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    # --- needs -----------------------------------------------------------------------------
    (
        "formation-numerique",
        "need",
        (
            ("fr", "Former les petits hôtels au marketing digital"),
            ("fr", "Apprendre aux gérants de maisons d'hôtes à utiliser les réseaux sociaux"),
            ("ar", "تكوين الفنادق الصغيرة في التسويق الرقمي"),
            ("ar", "تعليم مسيري دور الضيافة استعمال شبكات التواصل الاجتماعي"),
            ("dar", "خاصنا نتعلمو كيفاش نديرو الإشهار فالفيسبوك وانستغرام"),
            ("lat", "khassna n9raw kifach ndiro la pub 3la les réseaux sociaux"),
        ),
    ),
    (
        "eclairage",
        "need",
        (
            ("fr", "Éclairer les rues touristiques la nuit"),
            ("fr", "L'éclairage public manque dans les ruelles de la médina"),
            ("ar", "تحسين الإنارة العمومية في الشوارع السياحية ليلا"),
            ("ar", "غياب الإنارة في أزقة المدينة العتيقة"),
            ("dar", "الزناقي ديال المدينة ظلمة فالليل ما فيهاش الضو"),
            ("lat", "zna9i dyal lmdina dlam f lil, makaynch do"),
        ),
    ),
    (
        "bureau-information",
        "need",
        (
            ("fr", "Un bureau d'information touristique au centre-ville"),
            ("fr", "Les visiteurs ne savent pas où demander des renseignements"),
            ("ar", "مكتب للإرشاد السياحي في وسط المدينة"),
            ("ar", "لا يجد الزوار مكانا للحصول على المعلومات السياحية"),
            ("dar", "السياح ما كيلقاوش فين يسولو على المعلومات"),
            ("lat", "les touristes ma kayl9awch fin ysowlo 3la les informations"),
        ),
    ),
    # --- challenges --------------------------------------------------------------------------
    (
        "coupures",
        "challenge",
        (
            ("fr", "Les coupures d'électricité fréquentes dans les gîtes ruraux"),
            ("fr", "Le courant saute souvent dans nos auberges de campagne"),
            ("ar", "الانقطاعات المتكررة للكهرباء في المآوي القروية"),
            ("ar", "انقطاع التيار الكهربائي باستمرار في دور الضيافة بالبادية"),
            ("dar", "الضو كيقطع بزاف فالمآوي ديال العروبية"),
            ("lat", "do kayt9te3 bzaf f les gîtes dyal l3robiya"),
        ),
    ),
    (
        "taxis",
        "challenge",
        (
            ("fr", "Les taxis refusent d'utiliser le compteur avec les touristes"),
            ("fr", "Les chauffeurs de taxi font payer trop cher aux visiteurs"),
            ("ar", "سائقو سيارات الأجرة يرفضون تشغيل العداد مع السياح"),
            ("ar", "أسعار مبالغ فيها يفرضها سائقو الطاكسي على الزوار"),
            ("dar", "مالين الطاكسيات كيزيدو فالثمن على السياح وما كيشعلوش الكونتور"),
            ("lat", "taxiyat ma kaydirouch compteur m3a les touristes"),
        ),
    ),
    (
        "chiens",
        "challenge",
        (
            ("fr", "Les chiens errants effraient les touristes sur les plages"),
            ("fr", "Trop de chiens abandonnés dans les rues près des hôtels"),
            ("ar", "الكلاب الضالة تخيف السياح في الشواطئ"),
            ("ar", "كثرة الكلاب المشردة في الشوارع قرب الفنادق"),
            ("dar", "الكلاب الضايعين عامرين الشطوط وكيخلعو السياح"),
            ("lat", "lklab li ma3ndhom mol 3amrin l plage w kaykhl3o les touristes"),
        ),
    ),
    # --- proposals ---------------------------------------------------------------------------
    (
        "randonnee",
        "proposal",
        (
            ("fr", "Baliser des sentiers de randonnée dans la montagne"),
            ("fr", "Créer des circuits de marche balisés pour les randonneurs"),
            ("ar", "تهيئة مسارات مشي معلمة في الجبل"),
            ("ar", "إحداث مسالك للمشي لفائدة هواة المشي الجبلي"),
            ("dar", "نديرو طرقان ديال المشي فالجبل فيهم علامات"),
            ("lat", "ndiro des circuits dyal randonnée f jbel m3a des panneaux"),
        ),
    ),
    (
        "pass-musees",
        "proposal",
        (
            ("fr", "Un billet unique pour visiter tous les musées de la ville"),
            ("fr", "Créer un pass qui donne accès à tous les monuments"),
            ("ar", "تذكرة موحدة لزيارة جميع متاحف المدينة"),
            ("ar", "إحداث بطاقة تخول الدخول إلى كل المآثر"),
            ("dar", "ورقة وحدة تدخل بيها لكاع المتاحف ديال المدينة"),
            ("lat", "un seul ticket bach tdkhol l ga3 les musées"),
        ),
    ),
    (
        "marche-nocturne",
        "proposal",
        (
            ("fr", "Un marché nocturne des produits du terroir"),
            ("fr", "Organiser chaque soir un marché où les coopératives vendent leurs produits"),
            ("ar", "سوق ليلي للمنتوجات المحلية"),
            ("ar", "تنظيم سوق مسائي تعرض فيه التعاونيات منتوجاتها"),
            ("dar", "نديرو سوق فالليل فين التعاونيات يبيعو السلعة ديالهم"),
            ("lat", "ndiro souk f lil l les coopératives ybi3o sel3a dyalhom"),
        ),
    ),
    # --- opportunities -----------------------------------------------------------------------
    (
        "croisieres",
        "opportunity",
        (
            ("fr", "Les bateaux de croisière peuvent faire escale dans notre port"),
            ("fr", "Accueillir les croisiéristes au port de la ville"),
            ("ar", "يمكن لسفن الرحلات البحرية أن ترسو في ميناءنا"),
            ("ar", "استقبال سياح الرحلات البحرية في ميناء المدينة"),
            ("dar", "البابورات ديال السياح يقدرو يوقفو فالمرسى ديالنا"),
            ("lat", "les bateaux dyal croisière y9dro yw9fo f lmarsa dyalna"),
        ),
    ),
    (
        "spirituel",
        "opportunity",
        (
            ("fr", "Le tourisme spirituel autour des zaouïas"),
            ("fr", "Les moussems et les sanctuaires attirent des pèlerins"),
            ("ar", "السياحة الروحية حول الزوايا"),
            ("ar", "المواسم والأضرحة تجذب الزوار من كل مكان"),
            ("dar", "الزوايا والمواسم كيجيبو بزاف ديال الزوار"),
            ("lat", "zwaya w lmwasem kayjibo bzaf dyal nas"),
        ),
    ),
    (
        "argan-safran",
        "opportunity",
        (
            ("fr", "L'huile d'argan et le safran intéressent les visiteurs"),
            ("fr", "Faire visiter les coopératives d'argan aux touristes"),
            ("ar", "زيت الأركان والزعفران يثيران اهتمام الزوار"),
            ("ar", "تنظيم زيارات للسياح إلى تعاونيات الأركان"),
            ("dar", "السياح كيعجبهم زيت أركان والزعفران"),
            ("lat", "les touristes kay3jbhom zit argan w z3fran"),
        ),
    ),
)

# Ideas said once, several near a group's topic.
SOLOS: tuple[tuple[str, str, str], ...] = (
    ("need", "fr", "Des bancs et de l'ombre sur la promenade du front de mer"),
    ("need", "ar", "توفير سيارات الإسعاف في الطرق الجبلية"),
    ("need", "dar", "خاصنا مدرسة ديال الطبخ للشباب"),
    ("need", "lat", "khassna des distributeurs dyal flous f douar"),
    ("challenge", "fr", "Le bruit des discothèques gêne les clients des riads"),
    ("challenge", "ar", "ارتفاع أسعار المحروقات يرفع تكلفة الرحلات"),
    ("challenge", "dar", "الموظفين ما كيهضروش الانجليزية مع السياح"),
    ("challenge", "lat", "lkra dyal les magasins ghali bzaf f lmdina"),
    ("proposal", "fr", "Un concours de la meilleure maison d'hôtes de la région"),
    ("proposal", "ar", "إنشاء حديقة للألعاب المائية للأطفال"),
    ("proposal", "dar", "نديرو تيليفيريك كيطلع للجبل"),
    ("proposal", "lat", "ndiro des visites f lil l les monuments"),
    ("opportunity", "fr", "Les écoles de langue arabe attirent des étudiants étrangers"),
    ("opportunity", "ar", "مراقبة النجوم في سماء الصحراء الصافية"),
    ("opportunity", "dar", "الخيل والتبوريدة كيعجبو السياح"),
)


def items() -> list[Item]:
    return corpus_items(IDEAS, SOLOS)
