"""Moroccan darija brought closer to Modern Standard Arabic before the sentence encoder reads it.

The encoder (services/ideas/vectors.py) knows MSA well and darija poorly: "خاصنا طوبيسات كثر"
and "نحتاج حافلات أكثر" say the same, but only the second lands near the French "il nous faut
plus de bus". This module rewrites, word by word, the frequent words of darija that MSA says
otherwise — function words (ديال, بزاف, ماكاينش, خاصنا, اللي...), everyday nouns (الدوار,
الخدمة, الفلوس...) and the common verbs with their darija inflection (present "ك-" prefix,
negation "ما ...ش", plural "-و") — into their MSA equivalents. The table is written from
general knowledge of darija, a few hundred entries, none for a particular sentence.

Only Arabic letters are touched: a French word (or a French text) is left as it is. Darija
typed in Latin letters is first written in Arabic letters (arabizi.py), then normalised here.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Whole words: darija -> MSA. Several spellings of one word are listed (people write darija as
# they say it). An empty value drops the word (a particle MSA has no word for).
_WORDS: dict[str, str] = {
    # possession, relatives, particles
    "ديال": "",
    "ديالي": "لي",
    "ديالك": "لك",
    "ديالو": "له",
    "ديالها": "لها",
    "ديالنا": "لنا",
    "ديالكم": "لكم",
    "ديالهم": "لهم",
    "ديالهوم": "لهم",
    "اللي": "الذي",
    "بزاف": "كثيرا",
    "بزااف": "كثيرا",
    "شوية": "قليلا",
    "شويا": "قليلا",
    "كثر": "أكثر",
    "كتر": "أكثر",
    "كتار": "أكثر",
    "كاع": "كل",
    "ڭاع": "كل",
    "كولشي": "كل شيء",
    "والو": "لا شيء",
    "شي": "بعض",
    "دابا": "الآن",
    "ديما": "دائما",
    "ديمة": "دائما",
    "بلا": "بدون",
    "بلاش": "مجانا",
    "فابور": "مجانا",
    "باش": "لكي",
    "حيت": "لأن",
    "ملي": "عندما",
    "بحال": "مثل",
    "واش": "هل",
    "فين": "أين",
    "فاين": "أين",
    "كيفاش": "كيف",
    "علاش": "لماذا",
    "شنو": "ماذا",
    "اشنو": "ماذا",
    "آش": "ماذا",
    "شحال": "كم",
    "بشحال": "بكم",
    "تما": "هناك",
    "تماك": "هناك",
    "هنايا": "هنا",
    "حدا": "بجانب",
    "قدام": "أمام",
    "ورا": "وراء",
    "ف": "في",
    "فال": "في",
    "عندنا": "لدينا",
    "عندي": "لدي",
    "عندهم": "لديهم",
    "عندو": "لديه",
    "عندها": "لديها",
    "عندكم": "لديكم",
    # being, having to
    "كاين": "يوجد",
    "كاينة": "توجد",
    "كاينين": "يوجد",
    "خاص": "يجب",
    "خص": "يجب",
    "خاصنا": "نحتاج",
    "خصنا": "نحتاج",
    "خاصني": "أحتاج",
    "خصني": "أحتاج",
    "خاصك": "تحتاج",
    "خاصو": "يحتاج",
    "خاصها": "تحتاج",
    "خاصهم": "يحتاجون",
    "خصهم": "يحتاجون",
    "خاصكم": "تحتاجون",
    "بغينا": "نريد",
    "بغيت": "أريد",
    "بغا": "أراد",
    "بغاو": "أرادوا",
    # pronouns, demonstratives
    "حنا": "نحن",
    "احنا": "نحن",
    "هوما": "هم",
    "نتا": "أنت",
    "نتي": "أنت",
    "نتوما": "أنتم",
    "هاد": "هذا",
    "هادا": "هذا",
    "هادي": "هذه",
    "هادو": "هؤلاء",
    "هادوك": "أولئك",
    "داك": "ذلك",
    "ديك": "تلك",
    "دوك": "أولئك",
    # adjectives
    "مزيان": "جيد",
    "مزيانة": "جيدة",
    "مزيانين": "جيدون",
    "زوين": "جميل",
    "زوينة": "جميلة",
    "زوينين": "جميلون",
    "خايب": "سيء",
    "خايبة": "سيئة",
    "صغار": "صغيرة",
    "الصغار": "الصغيرة",
    "كبار": "كبيرة",
    "الكبار": "الكبيرة",
    "غالي": "مرتفع الثمن",
    "غالية": "مرتفعة الثمن",
    "رخيص": "منخفض الثمن",
    "خاوي": "فارغ",
    "خاوية": "فارغة",
    "خاويين": "فارغة",
    "عامر": "مملوء",
    "عامرة": "مملوءة",
    "عامرين": "ممتلئة",
    "مخسر": "معطل",
    "مخسرة": "معطلة",
    "مسخ": "متسخ",
    "موسخ": "متسخ",
    "نقي": "نظيف",
    "نقية": "نظيفة",
    "برانيين": "أجانب",
    "البرانيين": "الأجانب",
    "براني": "أجنبي",
    # everyday nouns
    "الدوار": "القرية",
    "دوار": "قرية",
    "الدواوير": "القرى",
    "دواوير": "قرى",
    "العروبية": "البادية",
    "الخدمة": "العمل",
    "خدمة": "عمل",
    "الخدامة": "العمال",
    "خدامة": "عمال",
    "الفلوس": "المال",
    "فلوس": "مال",
    "الدار": "البيت",
    "الديور": "البيوت",
    "ديور": "بيوت",
    "الما": "الماء",
    "الضو": "الكهرباء",
    "الماكلة": "الطعام",
    "ماكلة": "طعام",
    "الطوبيس": "الحافلة",
    "طوبيس": "حافلة",
    "الطوبيسات": "الحافلات",
    "طوبيسات": "حافلات",
    "الطوموبيل": "السيارة",
    "طوموبيل": "سيارة",
    "الطاكسي": "سيارة الأجرة",
    "طاكسي": "سيارة أجرة",
    "الطاكسيات": "سيارات الأجرة",
    "الطيارة": "الطائرة",
    "طيارة": "طائرة",
    "البابور": "السفينة",
    "البابورات": "السفن",
    "المرسى": "الميناء",
    "لاكار": "المحطة",
    "الزنقة": "الشارع",
    "الزناقي": "الأزقة",
    "الحومة": "الحي",
    "البلاصة": "المكان",
    "بلاصة": "مكان",
    "البلايص": "الأماكن",
    "البلاد": "البلد",
    "الشطوط": "الشواطئ",
    "الشط": "الشاطئ",
    "الصحرا": "الصحراء",
    "الشتا": "الشتاء",
    "الأوطيل": "الفندق",
    "أوطيل": "فندق",
    "الأوطيلات": "الفنادق",
    "أوطيلات": "فنادق",
    "الريسطو": "المطعم",
    "الريسطورات": "المطاعم",
    "السبيطار": "المستشفى",
    "سبيطار": "مستشفى",
    "البوليس": "الشرطة",
    "الزبل": "النفايات",
    "زبل": "نفايات",
    "الحانوت": "المحل",
    "حانوت": "محل",
    "الحوانت": "المحلات",
    "حوانت": "محلات",
    "الكرا": "الكراء",
    "كرا": "كراء",
    "الثمن": "السعر",
    "السلعة": "البضاعة",
    "سلعة": "بضاعة",
    "الكريدي": "القرض",
    "كريدي": "قرض",
    "البنكة": "البنك",
    "الوراق": "الوثائق",
    "الدراري": "الأطفال",
    "دراري": "أطفال",
    "الولاد": "الأولاد",
    "العيالات": "النساء",
    "الصنايعية": "الحرفيون",
    "الصنايعي": "الحرفي",
    "البيرو": "المكتب",
    "بيرو": "مكتب",
    "السيت": "الموقع الإلكتروني",
    "سيت": "موقع إلكتروني",
    "الإشهار": "الإعلان",
    "الكونتور": "العداد",
}

# Common verbs: darija imperfect stem -> MSA imperfect stem (after the person prefix ي/ت/ن/ن).
# Their inflected forms (present "ك-", negation "ما ...ش", plural "-و") are generated below.
_VERBS: dict[str, str] = {
    "جي": "أتي",
    "جيب": "جلب",
    "بغي": "ريد",
    "دير": "صنع",
    "خدم": "عمل",
    "لقا": "جد",
    "لقى": "جد",
    "عطي": "عطي",
    "شوف": "رى",
    "مشي": "ذهب",
    "قدر": "ستطيع",
    "عرف": "عرف",
    "بيع": "بيع",
    "شري": "شتري",
    "سول": "سأل",
    "هضر": "تكلم",
    "تسنى": "نتظر",
    "خلص": "دفع",
    "طيح": "سقط",
    "صلح": "صلح",
    "بات": "بيت",
    "ولي": "صبح",
    "بقى": "بقى",
    "تبع": "تبع",
    "قلق": "زعج",
    "عجب": "عجب",
    "كري": "ؤجر",
    "جمع": "جمع",
    "دخل": "دخل",
    "خرج": "خرج",
    "تعلم": "تعلم",
    "قرا": "درس",
    "تكون": "تكون",
    "عاون": "ساعد",
    "حل": "فتح",
    "سد": "غلق",
    "طلع": "صعد",
    "نزل": "نزل",
    "زاد": "زيد",
    "نقص": "نقص",
    "ضرب": "ضر",
    "خاف": "خاف",
    "ساكن": "سكن",
    "تصب": "هطل",
    "قطع": "نقطع",
    "تقطع": "نقطع",
    "وقف": "توقف",
    "ركب": "ركب",
    "صيفط": "رسل",
    "خسر": "تعطل",
    "تخسر": "تعطل",
}

_PERSONS = "يتن"
# A verb with a person prefix and the plural -و: the MSA plural of that person.
_PLURAL = {"ي": "ون", "ت": "ون", "ن": ""}
_PRESENT = ("كا", "كي", "كن", "كت", "ك", "غا", "غ")
_ARABIC_WORD = re.compile(r"^[\u0621-\u064a]+$")


@lru_cache(maxsize=1)
def _verb_forms() -> dict[str, str]:
    """Every inflected form of `_VERBS` darija writes: يجيب, كيجيبو, نجيبو, تجيب..."""
    forms: dict[str, str] = {}
    for stem, msa in _VERBS.items():
        for person in _PERSONS:
            for plural in ("", "و"):
                said = person + stem + plural
                if not plural:
                    forms.setdefault(said, person + msa)
                elif msa.endswith("ي") and _PLURAL[person]:  # يأتي -> يأتون, يشتري -> يشترون
                    forms.setdefault(said, person + msa[:-1] + _PLURAL[person])
                else:
                    forms.setdefault(said, person + msa + _PLURAL[person])
    return forms


def _verb(word: str) -> str | None:
    """The MSA of a darija verb form (with or without the present prefix), or None."""
    forms = _verb_forms()
    if word in forms:
        return forms[word]
    for prefix in _PRESENT:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3:
            if rest in forms:
                return forms[rest]
            if prefix.endswith(("ن", "ت")) and prefix[-1] + rest in forms:
                return forms[prefix[-1] + rest]
    return None


@lru_cache(maxsize=100_000)
def _word(word: str) -> str:
    """One Arabic-letter word in MSA (itself when darija has nothing to change there)."""
    if word in _WORDS:
        return _WORDS[word]
    verb = _verb(word)
    if verb is not None:
        return verb
    # Negation wrapped around the word: ماكاينش, ما كنلقاوش -> لا + the word.
    if word.startswith("ما") and word.endswith("ش") and len(word) > 4:
        inner = word[2:-1]
        if inner.endswith("ا"):  # ماكايناش: the feminine ending before ش
            inner = inner[:-1] + "ة" if inner[:-1] + "ة" in _WORDS else inner
        return "لا " + _word(inner)
    if word.endswith("ش") and len(word) > 4:  # after a separate "ما": ما كيلقاوش, ما كاينش
        inner = word[:-1]
        if inner.endswith("ا") and inner[:-1] + "ة" in _WORDS:  # كايناش: كاينة
            inner = inner[:-1] + "ة"
        if inner in _WORDS or _verb(inner) is not None:
            return _word(inner)
    # "ف" glued to a noun with its article: فالمدينة -> في المدينة.
    if word.startswith("فال") and len(word) > 5:
        return "في " + _word(word[1:])
    # "و" glued to a darija word: والسياح stays, وكيجيو -> و + verb.
    if word.startswith("و") and len(word) > 3 and _word(word[1:]) != word[1:]:
        return "و" + _word(word[1:])
    return word


# Words of the table that MSA writes too, with another meaning ("خاص": private, "بلا": without):
# they never tell darija from MSA on their own.
_ALSO_MSA = frozenset({"خاص", "كثر", "بلا", "عامر", "عامرة", "نقي", "نقية", "الدار", "ف", "شي"})


def _is_marker(word: str) -> bool:
    """A word only darija writes: one of the table's, a verb with the present prefix ك, or a
    negation wrapped around a word (ماكاينش); also after a glued "و" (وكيجيو)."""
    if word.startswith("و") and len(word) > 3 and _is_marker(word[1:]):
        return True
    if word in _ALSO_MSA:
        return False
    if word in _WORDS:
        return True
    if word.startswith("ك") and word not in _verb_forms() and _verb(word) is not None:
        return True
    # The plural in -و where MSA says -ون: نديرو, يباتو.
    if word.endswith("و") and _verb(word) is not None:
        return True
    if word.endswith("ش") and len(word) > 4:  # a negation: ماكاينش, (ما) كاينينش, (ما) كيلقاوش
        return word.startswith("ما") or _word(word) != word
    return False


def is_darija(text: str) -> bool:
    """Written in darija (Arabic letters): at least one word only darija writes."""
    return any(_is_marker(w.strip('،,.;:!?()"«»')) for w in text.split())


def to_msa(text: str) -> str:
    """The text with its darija words in MSA; French words and anything else left alone.
    MSA, which has none of darija's own words (`is_darija`), is returned as it is."""
    if not is_darija(text):
        return text
    words = text.split()
    out: list[str] = []
    for index, raw in enumerate(words):
        core = raw.strip('،,.;:!?()"«»')
        if not core or not _ARABIC_WORD.match(core):
            out.append(raw)
            continue
        # "ما" before a verb ending in ش is the negation: ما كيلقاوش -> لا يجدون.
        if core == "ما" and index + 1 < len(words) and words[index + 1].endswith("ش"):
            out.append("لا")
            continue
        msa = _word(core)
        if msa:
            out.append(raw.replace(core, msa))
    return " ".join(out)
