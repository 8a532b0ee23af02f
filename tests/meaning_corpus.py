"""A labelled corpus across languages for the grouping by meaning (bench/grouping.py, tests).

Each idea is said by several people in French, Modern Standard Arabic (`ar`), Moroccan darija
in Arabic script (`dar`) and darija in Latin script (`lat`, often mixed with French words, as
people type it on a phone). The same label across languages is the same idea: a French and an
Arabic wording share no word at all, which is what a comparison of letters cannot see.
Singletons (`solo-…`) are ideas said once, several of them close in topic to a group (same
theme, another idea) so that a grouping that only matches topics loses precision.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# label -> kind, then (language, text) wordings.
IDEAS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    # --- needs -----------------------------------------------------------------------------
    (
        "guides-langues",
        "need",
        (
            ("fr", "Former les guides touristiques aux langues étrangères"),
            ("fr", "Des cours d'anglais et d'allemand pour nos guides"),
            ("ar", "تكوين المرشدين السياحيين في اللغات الأجنبية"),
            ("ar", "دورات في اللغات الأجنبية لفائدة المرشدين السياحيين"),
            ("dar", "خاصنا نكونو المرشدين فاللغات الأجنبية"),
            ("lat", "khassna formation dyal les guides f les langues"),
        ),
    ),
    (
        "signaletique",
        "need",
        (
            ("fr", "Améliorer la signalétique routière vers les sites touristiques"),
            ("fr", "Des panneaux pour trouver les sites depuis la route"),
            ("ar", "تحسين علامات التشوير الطرقي نحو المواقع السياحية"),
            ("ar", "وضع لوحات إرشادية توجه الزوار إلى المواقع السياحية"),
            ("dar", "ما كايناش اللوحات اللي كتوري الطريق للمواقع السياحية"),
            ("lat", "makaynach les panneaux li kaywriw triq l les sites"),
        ),
    ),
    (
        "financement",
        "need",
        (
            ("fr", "Accès au financement bancaire pour les petites entreprises"),
            ("fr", "Les banques ne prêtent pas aux petites entreprises touristiques"),
            ("ar", "تسهيل الولوج إلى التمويل البنكي للمقاولات الصغيرة"),
            ("ar", "صعوبة حصول المقاولات الصغيرة على قروض من الأبناك"),
            ("dar", "البنكة ما بغاتش تعطينا الكريدي حنا المقاولات الصغار"),
            ("lat", "lbanka ma bghatch t3tina credit l les petites entreprises"),
        ),
    ),
    (
        "internet",
        "need",
        (
            ("fr", "Une bonne connexion internet dans les zones rurales"),
            ("fr", "Le réseau internet est trop faible dans les villages"),
            ("ar", "توفير صبيب جيد للإنترنت في المناطق القروية"),
            ("ar", "ضعف شبكة الإنترنت في القرى"),
            ("dar", "الانترنيت ضعيفة بزاف فالدواوير"),
            ("lat", "lconnexion internet d3ifa bzaf f douar"),
        ),
    ),
    (
        "transport",
        "need",
        (
            ("fr", "Plus de bus entre la ville et les sites touristiques"),
            ("fr", "Un transport public régulier vers les sites"),
            ("ar", "توفير النقل العمومي نحو المواقع السياحية"),
            ("ar", "حافلات منتظمة بين المدينة والمواقع السياحية"),
            ("dar", "خاصنا طوبيسات كثر من المدينة للمواقع"),
            ("lat", "khassna tobisat ktar mn lmdina l les sites"),
        ),
    ),
    (
        "promotion",
        "need",
        (
            ("fr", "Promouvoir la destination dans les salons internationaux"),
            ("fr", "Faire connaître la région aux touristes étrangers"),
            ("ar", "الترويج للوجهة في المعارض الدولية"),
            ("ar", "التعريف بالجهة لدى السياح الأجانب"),
            ("dar", "خاص يعرفو بالجهة عند السياح البرانيين"),
            ("lat", "khass y3rfo b la région 3nd les touristes étrangers"),
        ),
    ),
    (
        "eau",
        "need",
        (
            ("fr", "L'eau potable manque dans les gîtes de montagne"),
            ("fr", "Accès à l'eau potable pour les hébergements ruraux"),
            ("ar", "نقص الماء الصالح للشرب في مآوي الجبل"),
            ("ar", "تزويد المآوي القروية بالماء الشروب"),
            ("dar", "الما ديال الشرب ما كاينش فالمآوي ديال الجبل"),
        ),
    ),
    (
        "securite",
        "need",
        (
            ("fr", "Renforcer la sécurité des touristes dans la médina"),
            ("fr", "Plus de policiers dans la vieille ville pour les visiteurs"),
            ("ar", "تعزيز أمن السياح في المدينة العتيقة"),
            ("ar", "الرفع من عدد رجال الأمن في المدينة القديمة"),
            ("dar", "خاص البوليس يكونو كثر فالمدينة القديمة باش السياح يكونو مرتاحين"),
        ),
    ),
    (
        "guichet",
        "need",
        (
            ("fr", "Un guichet unique pour les autorisations d'hôtel"),
            ("fr", "Simplifier les démarches pour ouvrir un établissement touristique"),
            ("ar", "شباك وحيد لرخص فتح الفنادق"),
            ("ar", "تبسيط المساطر الإدارية لفتح مؤسسة سياحية"),
            ("dar", "الوراق ديال الرخصة طويلين بزاف باش تحل فندق"),
            ("lat", "lwra9 dyal rokhsa twal bzaf bach t7el hotel"),
        ),
    ),
    (
        "sanitaires",
        "need",
        (
            ("fr", "Des toilettes publiques propres près des sites"),
            ("fr", "Il n'y a pas de sanitaires sur les aires touristiques"),
            ("ar", "مراحيض عمومية نظيفة قرب المواقع"),
            ("ar", "غياب المرافق الصحية في الفضاءات السياحية"),
            ("dar", "ما كاينينش الطواليط قريب من المواقع"),
        ),
    ),
    (
        "accessibilite",
        "need",
        (
            ("fr", "Rendre les sites accessibles aux personnes handicapées"),
            ("fr", "Des rampes et des accès pour les fauteuils roulants"),
            ("ar", "تهيئة المواقع لولوج الأشخاص في وضعية إعاقة"),
            ("ar", "ولوجيات للكراسي المتحركة في المواقع السياحية"),
        ),
    ),
    # Said once in French and once in Arabic, word for word: one idea (these two were listed
    # as two singletons at first, a labelling error).
    (
        "parkings",
        "need",
        (
            ("fr", "Des parkings près des sites archéologiques"),
            ("ar", "توفير مواقف السيارات قرب المواقع الأثرية"),
        ),
    ),
    # --- challenges --------------------------------------------------------------------------
    (
        "saisonnalite",
        "challenge",
        (
            ("fr", "La saisonnalité : hôtels vides en hiver, pleins l'été"),
            ("fr", "Forte saisonnalité, la basse saison est trop longue"),
            ("ar", "موسمية النشاط السياحي وطول الموسم المنخفض"),
            ("ar", "الفنادق فارغة في الشتاء وممتلئة في الصيف"),
            ("dar", "فالشتا الأوطيلات خاويين وفالصيف عامرين"),
            ("lat", "f chta les hôtels khawyin w f sif 3amrin"),
        ),
    ),
    (
        "main-oeuvre",
        "challenge",
        (
            ("fr", "Manque de main-d'œuvre qualifiée dans l'hôtellerie"),
            ("fr", "Difficile de recruter du personnel qualifié pour nos hôtels"),
            ("ar", "نقص اليد العاملة المؤهلة في قطاع الفندقة"),
            ("ar", "صعوبة توظيف مستخدمين مؤهلين في الفنادق"),
            ("dar", "ما كانلقاوش الخدامة اللي عارفين الخدمة فالأوطيل"),
            ("lat", "manl9awch personnel qualifié l l'hôtel"),
        ),
    ),
    (
        "informel",
        "challenge",
        (
            ("fr", "Concurrence déloyale de l'hébergement informel non déclaré"),
            ("fr", "Les locations non déclarées nous font une concurrence déloyale"),
            ("ar", "المنافسة غير الشريفة للإيواء غير المرخص"),
            ("ar", "الإيواء غير المصرح به ينافسنا بشكل غير عادل"),
            ("dar", "الناس اللي كيكريو الديور بلا رخصة كيضربونا"),
            ("lat", "nas li kaykriw dyorhom bla autorisation kaydrbona f l prix"),
        ),
    ),
    (
        "vols",
        "challenge",
        (
            ("fr", "Les billets d'avion vers la région sont trop chers"),
            ("fr", "Trop peu de vols directs vers notre aéroport"),
            ("ar", "ارتفاع أسعار تذاكر الطيران نحو الجهة"),
            ("ar", "قلة الرحلات الجوية المباشرة نحو مطار الجهة"),
            ("dar", "البياي ديال الطيارة غالي بزاف للجهة"),
            ("lat", "l billet dyal tiyara ghali bzaf"),
        ),
    ),
    (
        "routes",
        "challenge",
        (
            ("fr", "Les routes vers les villages sont en mauvais état"),
            ("fr", "Des pistes dégradées qui découragent les visiteurs"),
            ("ar", "الطرق المؤدية إلى القرى في حالة سيئة"),
            ("ar", "تدهور المسالك الطرقية ينفر الزوار"),
            ("dar", "الطريق للدوار مخسرة بزاف"),
            ("lat", "triq l douar m5esra bzaf"),
        ),
    ),
    (
        "dechets",
        "challenge",
        (
            ("fr", "Les déchets et la saleté autour des plages"),
            ("fr", "Les plages sont sales, les ordures ne sont pas ramassées"),
            ("ar", "انتشار النفايات حول الشواطئ"),
            ("ar", "الشواطئ متسخة ولا يتم جمع الأزبال"),
            ("dar", "الزبل عامر البحر وحتى واحد ما كيجمعو"),
            ("lat", "zbel 3amer lb7ar w 7ta wa7ed ma kayjm3o"),
        ),
    ),
    (
        "taxes",
        "challenge",
        (
            ("fr", "Les taxes locales sur les hôtels augmentent chaque année"),
            ("fr", "Trop d'impôts et de taxes pour les petits hôtels"),
            ("ar", "ارتفاع الضرائب المحلية على الفنادق كل سنة"),
            ("ar", "كثرة الضرائب والرسوم على الفنادق الصغيرة"),
            ("dar", "الضرائب كتزاد علينا كل عام"),
        ),
    ),
    (
        "faux-guides",
        "challenge",
        (
            ("fr", "Les faux guides harcèlent les touristes"),
            ("fr", "Le harcèlement des visiteurs par des guides clandestins"),
            ("ar", "المرشدون المزيفون يضايقون السياح"),
            ("ar", "تحرش الأدلاء غير المرخصين بالزوار"),
            ("dar", "الفو كيد كيتبعو السياح وكيقلقوهم"),
            ("lat", "les faux guides kaytb3o les touristes w kayqal9ohom"),
        ),
    ),
    (
        "secheresse",
        "challenge",
        (
            ("fr", "La sécheresse menace les oasis et l'agriculture"),
            ("fr", "Le manque de pluie assèche les palmeraies"),
            ("ar", "الجفاف يهدد الواحات والفلاحة"),
            ("ar", "قلة الأمطار تسببت في جفاف النخيل"),
            ("dar", "الشتا ما بقاتش كتصب والنخل كيموت"),
        ),
    ),
    # --- proposals ---------------------------------------------------------------------------
    (
        "plateforme",
        "proposal",
        (
            ("fr", "Créer une plateforme numérique de réservation régionale"),
            ("fr", "Un site web pour réserver en ligne les hôtels de la région"),
            ("ar", "إحداث منصة رقمية جهوية للحجز"),
            ("ar", "موقع إلكتروني للحجز عبر الإنترنت في فنادق الجهة"),
            ("dar", "نديرو سيت فين الناس يريزيرفيو الأوطيلات ديال الجهة"),
            ("lat", "ndiro site fin nas y reserviw les hôtels dyal la région"),
        ),
    ),
    (
        "salon",
        "proposal",
        (
            ("fr", "Organiser un salon régional du tourisme chaque année"),
            ("fr", "Une foire annuelle du tourisme dans la région"),
            ("ar", "تنظيم معرض جهوي للسياحة كل سنة"),
            ("ar", "معرض سنوي للسياحة في الجهة"),
            ("dar", "نديرو معرض ديال السياحة كل عام فالجهة"),
        ),
    ),
    (
        "rural",
        "proposal",
        (
            ("fr", "Développer le tourisme rural chez l'habitant"),
            ("fr", "Encourager l'hébergement chez les familles dans les villages"),
            ("ar", "تشجيع السياحة القروية والإيواء عند الساكنة"),
            ("ar", "تطوير الإيواء لدى الأسر في القرى"),
            ("dar", "السياح يباتو عند العائلات فالدواوير"),
            ("lat", "les touristes ybatu 3nd les familles f douar"),
        ),
    ),
    (
        "label",
        "proposal",
        (
            ("fr", "Créer un label de qualité pour les restaurants"),
            ("fr", "Une certification de qualité pour la restauration"),
            ("ar", "إحداث علامة جودة للمطاعم"),
            ("ar", "شهادة جودة لقطاع المطاعم"),
            ("dar", "نديرو لابيل ديال الجودة للريسطورات"),
            ("lat", "ndiro label dyal qualité l les restaurants"),
        ),
    ),
    (
        "navette",
        "proposal",
        (
            ("fr", "Une navette gratuite entre l'aéroport et le centre-ville"),
            ("fr", "Un bus de l'aéroport jusqu'au centre, sans payer"),
            ("ar", "حافلة مجانية بين المطار ووسط المدينة"),
            ("ar", "نقل مجاني من المطار إلى مركز المدينة"),
            ("dar", "طوبيس بلاش من لاييروبور حتى لوسط المدينة"),
            ("lat", "tobis bla flous mn l'aéroport l centre ville"),
        ),
    ),
    (
        "festival",
        "proposal",
        (
            ("fr", "Organiser un festival des arts populaires"),
            ("fr", "Une fête annuelle de la musique et de la danse traditionnelles"),
            ("ar", "تنظيم مهرجان للفنون الشعبية"),
            ("ar", "مهرجان سنوي للموسيقى والرقص التقليدي"),
            ("dar", "نديرو موسم ديال الفن الشعبي والعيطة"),
        ),
    ),
    (
        "formation-jeunes",
        "proposal",
        (
            ("fr", "Former les jeunes de la région aux métiers du tourisme"),
            ("fr", "Un centre de formation hôtelière pour les jeunes"),
            ("ar", "تكوين شباب الجهة في مهن السياحة"),
            ("ar", "مركز للتكوين الفندقي لفائدة الشباب"),
            ("dar", "خاص الشباب يتكونو فالخدمة ديال السياحة"),
            ("lat", "khass chabab yt9awno f l5dma dyal tourisme"),
        ),
    ),
    (
        "artisanat",
        "proposal",
        (
            ("fr", "Ouvrir une maison de l'artisanat pour vendre aux touristes"),
            ("fr", "Un espace où les artisans vendent directement aux visiteurs"),
            ("ar", "فتح دار للصناعة التقليدية لبيع المنتوجات للسياح"),
            ("ar", "فضاء يبيع فيه الصناع التقليديون مباشرة للزوار"),
            ("dar", "الصنايعية خاصهم بلاصة يبيعو فيها للسياح نيشان"),
        ),
    ),
    (
        "patrimoine",
        "proposal",
        (
            ("fr", "Restaurer les kasbahs et les monuments anciens"),
            ("fr", "Réhabiliter le patrimoine bâti en ruine"),
            ("ar", "ترميم القصبات والمآثر التاريخية"),
            ("ar", "إعادة تأهيل التراث المعماري المتدهور"),
            ("dar", "القصبات كيطيحو خاص يصلحوهم"),
            ("lat", "les kasbahs kayti7o khass ysl7ohom"),
        ),
    ),
    # --- opportunities -----------------------------------------------------------------------
    (
        "ecotourisme",
        "opportunity",
        (
            ("fr", "L'écotourisme dans les montagnes et les oasis"),
            ("fr", "Randonnées nature en montagne et dans les oasis"),
            ("ar", "السياحة البيئية في الجبال والواحات"),
            ("ar", "إمكانات السياحة الطبيعية بالواحات والمناطق الجبلية"),
            ("dar", "الجبل والواحات فيهم بزاف ديال الرندونيات فالطبيعة"),
        ),
    ),
    (
        "golf",
        "opportunity",
        (
            ("fr", "Le golf attire une clientèle européenne l'hiver"),
            ("fr", "Les golfeurs européens viennent pendant l'hiver"),
            ("ar", "الغولف يجذب زبناء أوروبيين في فصل الشتاء"),
            ("ar", "لاعبو الغولف الأوروبيون يأتون في الشتاء"),
            ("lat", "l golf kayjib les européens f chta"),
        ),
    ),
    (
        "surf",
        "opportunity",
        (
            ("fr", "Le surf attire des jeunes du monde entier sur nos plages"),
            ("fr", "Nos vagues sont parfaites pour le surf"),
            ("ar", "ركوب الأمواج يجذب الشباب من كل العالم إلى شواطئنا"),
            ("ar", "أمواجنا مثالية لرياضة ركوب الأمواج"),
            ("dar", "الموج عندنا زوين للسورف والشباب كيجيو من كل بلاد"),
            ("lat", "lmouj 3ndna zwin l surf"),
        ),
    ),
    (
        "gastronomie",
        "opportunity",
        (
            ("fr", "La gastronomie locale attire les visiteurs"),
            ("fr", "Notre cuisine traditionnelle est un atout touristique"),
            ("ar", "فن الطبخ المحلي يجذب الزوار"),
            ("ar", "المطبخ التقليدي ورقة رابحة للسياحة"),
            ("dar", "الماكلة ديالنا التقليدية كتجيب السياح"),
            ("lat", "lmakla dyalna katjib les touristes"),
        ),
    ),
    (
        "diaspora",
        "opportunity",
        (
            ("fr", "Les Marocains résidant à l'étranger reviennent chaque été"),
            ("fr", "La diaspora marocaine est une clientèle fidèle en été"),
            ("ar", "مغاربة العالم يعودون كل صيف"),
            ("ar", "الجالية المغربية بالخارج زبون وفي في الصيف"),
            ("dar", "ولاد البلاد اللي فالخارج كيجيو كل صيف"),
            ("lat", "lmhajrin kayjiw kol sif"),
        ),
    ),
    (
        "medical",
        "opportunity",
        (
            ("fr", "Le tourisme médical et les cliniques privées"),
            ("fr", "Des patients étrangers viennent se soigner dans nos cliniques"),
            ("ar", "السياحة العلاجية والمصحات الخاصة"),
            ("ar", "مرضى أجانب يأتون للعلاج في مصحاتنا"),
        ),
    ),
    (
        "desert",
        "opportunity",
        (
            ("fr", "Les nuits dans le désert sous la tente"),
            ("fr", "Bivouac et nuit sous les étoiles dans les dunes"),
            ("ar", "المبيت في الصحراء تحت الخيام"),
            ("ar", "التخييم وقضاء الليل تحت النجوم في الكثبان الرملية"),
            ("dar", "السياح كيبغيو يباتو فالخيمة فالصحرا"),
            ("lat", "les touristes kaybghiw ybatu f lkhayma f sahra"),
        ),
    ),
    (
        "thermal",
        "opportunity",
        (
            ("fr", "Les sources thermales peuvent attirer des curistes"),
            ("fr", "Valoriser nos eaux thermales pour le tourisme de bien-être"),
            ("ar", "العيون الحرارية يمكن أن تجذب السياح للاستشفاء"),
            ("ar", "تثمين المياه الحارة لسياحة الاستجمام"),
            ("dar", "الحامة ديالنا تقدر تجيب الناس يتداواو"),
        ),
    ),
    (
        "patrimoine-medinas",  # also two singletons at first: the same words in two languages
        "opportunity",
        (
            ("fr", "Le patrimoine architectural des médinas"),
            ("ar", "التراث المعماري للمدن العتيقة"),
        ),
    ),
)

# Ideas said once, several near a group's topic.
SOLOS: tuple[tuple[str, str, str], ...] = (
    ("need", "fr", "Former les réceptionnistes à l'accueil des personnes handicapées"),
    ("need", "fr", "Un hôpital plus proche pour les randonneurs blessés"),
    ("need", "ar", "تكوين الطباخين في المطبخ العالمي"),
    ("need", "dar", "خاصنا شي مكتب ديال الصرف فالقرية"),
    ("need", "lat", "khassna wifi f la gare routière"),
    ("need", "fr", "Des poubelles de tri dans les hôtels"),
    ("challenge", "fr", "Les prix des terrains flambent près de la côte"),
    ("challenge", "ar", "ضعف التنسيق بين المتدخلين في القطاع"),
    ("challenge", "fr", "Les jeunes diplômés quittent la région"),
    ("challenge", "dar", "الكرا ديال الحوانت غالي فالمدينة القديمة"),
    ("challenge", "lat", "les cartes bancaires ma khdaminch f les souks"),
    ("challenge", "fr", "Les avis négatifs en ligne nuisent aux petits hôtels"),
    ("challenge", "ar", "قلة الفنادق المصنفة في الجهة"),
    ("proposal", "fr", "Créer une application mobile de visite guidée audio"),
    ("proposal", "ar", "إحداث متحف للتاريخ المحلي"),
    ("proposal", "fr", "Un marathon international dans le désert"),
    ("proposal", "dar", "نديرو بلاصة ديال الكامبينغ قرب البحر"),
    ("proposal", "lat", "ndiro des pistes cyclables f la corniche"),
    ("proposal", "fr", "Jumeler notre ville avec une ville européenne"),
    ("proposal", "ar", "تخفيض أسعار المبيت للطلبة"),
    ("opportunity", "fr", "Les congrès et séminaires d'entreprise"),
    ("opportunity", "dar", "السياح الصينيين بداو كيجيو بزاف"),
    ("opportunity", "lat", "l'observation dyal les oiseaux f la lagune"),
    ("opportunity", "fr", "Les tournages de films dans nos paysages"),
    ("opportunity", "ar", "الرياضات الجبلية في فصل الشتاء والتزلج"),
)


@dataclass(frozen=True)
class Item:
    label: str  # the idea; "" for an idea said once
    kind: str
    language: str  # fr, ar, dar (darija, Arabic script), lat (darija, Latin script)
    text: str


Ideas = tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]
Solos = tuple[tuple[str, str, str], ...]


def corpus_items(ideas: Ideas, solos: Solos) -> list[Item]:
    """A corpus's items: every wording of its ideas, then its singletons (no label)."""
    out = [
        Item(label, kind, language, text)
        for label, kind, wordings in ideas
        for language, text in wordings
    ]
    out.extend(Item("", kind, language, text) for kind, language, text in solos)
    return out


def items() -> list[Item]:
    return corpus_items(IDEAS, SOLOS)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    together: int  # pairs put together
    same: int  # pairs that say the same idea


def _score(pairs: Sequence[tuple[bool, bool]]) -> Scores:
    together = sum(t for _s, t in pairs)
    same = sum(s for s, _t in pairs)
    right = sum(s and t for s, t in pairs)
    return Scores(
        right / together if together else 1.0, right / same if same else 1.0, together, same
    )


def pairwise(
    corpus: Sequence[Item], cluster: Callable[[list[Item]], list[list[int]]]
) -> tuple[Scores, Scores]:
    """Pairwise precision and recall of `cluster` (run kind by kind, as the regrouper does),
    over every pair of items of one kind, then over the pairs in two different languages."""
    every: list[tuple[bool, bool]] = []
    across: list[tuple[bool, bool]] = []
    for kind in sorted({i.kind for i in corpus}):
        chosen = [i for i in corpus if i.kind == kind]
        found = {i: n for n, members in enumerate(cluster(chosen)) for i in members}
        for a, b in itertools.combinations(range(len(chosen)), 2):
            x, y = chosen[a], chosen[b]
            pair = (bool(x.label) and x.label == y.label, found[a] == found[b])
            every.append(pair)
            if x.language != y.language:
                across.append(pair)
    return _score(every), _score(across)
