"""Darija typed in Latin letters ("arabizi": "khassna tobisat ktar", "lmouj 3ndna zwin") written
back in Arabic letters, so that the sentence encoder (services/ideas/vectors.py) sees the darija
it knows instead of Latin letters it reads as noise.

Measured on tests/meaning_corpus.py: the encoder scores an arabizi wording 0.01–0.19 against
the same idea in French or Arabic, the same darija in Arabic letters 0.55–0.70. Only a text
that `is_arabizi` (digits standing for letters inside words, darija's small words) is
rewritten; a French sentence never is (tests/test_idea_arabizi.py checks every French text of
the corpora and of the demonstration). Inside an arabizi text, the French words people mix in
("les touristes", "qualité") stay as they are: the encoder reads French.
"""

from __future__ import annotations

import re

from feedback_app.models.search import fold

# Digits that stand for the Arabic letters Latin has no letter for.
_DIGITS = {"2": "ء", "3": "ع", "5": "خ", "7": "ح", "8": "ه", "9": "ق"}
# Two Latin letters for one Arabic letter, tried before single letters.
_PAIRS = {
    "kh": "خ",
    "gh": "غ",
    "ch": "ش",
    "sh": "ش",
    "ou": "و",
    "dj": "ج",
    "th": "ت",
}
_LETTERS = {
    "b": "ب",
    "c": "ك",
    "d": "د",
    "f": "ف",
    "g": "ك",
    "h": "ه",
    "j": "ج",
    "k": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "p": "ب",
    "q": "ق",
    "r": "ر",
    "s": "س",
    "t": "ت",
    "v": "ف",
    "w": "و",
    "x": "كس",
    "y": "ي",
    "z": "ز",
    "a": "ا",
    "i": "ي",
    "o": "و",
    "u": "و",
    "e": "",
}
# Small words of darija that French never uses alone (so "ma", "la", "fi" are not here).
_DARIJA_WORDS = frozenset(
    [
        "dyal",
        "dial",
        "diyal",
        "dyali",
        "dyalna",
        "dyalhom",
        "dyalkom",
        "f",
        "w",
        "l",
        "b",
        "mn",
        "mnin",
        "bzaf",
        "bzzaf",
        "khass",
        "khassna",
        "khasna",
        "khassni",
        "khasni",
        "khassek",
        "khassha",
        "khasshom",
        "kayn",
        "kayna",
        "kaynin",
        "makaynch",
        "makaynach",
        "makaynash",
        "makaynin",
        "lli",
        "li",
        "bach",
        "wach",
        "chi",
        "ghir",
        "daba",
        "kter",
        "ktar",
        "ktir",
        "mzyan",
        "mzyana",
        "zwin",
        "zwina",
        "bla",
        "hta",
        "walo",
        "ndiro",
        "ndir",
        "nta",
        "ana",
        "howa",
        "hiya",
        "hna",
        "ntouma",
        "rah",
        "kan",
        "kant",
        "kano",
        "3nd",
        "3ndna",
        "3ndhom",
        "fin",
        "fayn",
        "kifach",
        "3lach",
        "chno",
        "chnou",
        "bghina",
        "bghit",
        "kol",
        "koll",
        "lmdina",
        "nas",
        "douar",
    ]
)
# Short French words: their count tells a French sentence with a darija loan from darija.
_FRENCH_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "au",
        "aux",
        "et",
        "est",
        "sont",
        "pour",
        "par",
        "avec",
        "dans",
        "sur",
        "en",
        "pas",
        "plus",
        "ne",
        "que",
        "qui",
        "nous",
        "vous",
        "ils",
        "elles",
        "il",
        "on",
        "ce",
        "ces",
        "cette",
        "notre",
        "nos",
        "leur",
        "leurs",
        "tres",
        "trop",
        "aussi",
        "mais",
        "ou",
        "donc",
    ]
)
# The most common darija words, spelt as people write them in Arabic letters (letter rules
# cannot tell ص from س or ط from ت).
_SPELLINGS = {
    "khass": "خاص",
    "khassna": "خاصنا",
    "khasna": "خاصنا",
    "khassni": "خاصني",
    "khassek": "خاصك",
    "khasshom": "خاصهم",
    "hta": "حتى",
    "7ta": "حتى",
    "bla": "بلا",
    "bzaf": "بزاف",
    "bzzaf": "بزاف",
    "dyal": "ديال",
    "dial": "ديال",
    "3nd": "عند",
    "3ndna": "عندنا",
    "mn": "من",
    "men": "من",
    "li": "اللي",
    "lli": "اللي",
    "f": "ف",
    "fi": "في",
    "w": "و",
    "l": "ل",
    "b": "ب",
    "ma": "ما",
    "kol": "كل",
    "koll": "كل",
    "nas": "الناس",
    "daba": "دابا",
    "ghir": "غير",
    "walo": "والو",
    "chi": "شي",
    "bach": "باش",
    "triq": "الطريق",
    "chta": "الشتا",
    "sif": "الصيف",
}
# A word after a French article is French ("les panneaux", "des pistes").
_ARTICLES = frozenset({"les", "la", "le", "des", "du", "un", "une"})
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_DIGIT_IN_WORD = re.compile(r"[a-z][2-9]|[2-9][a-z]")
_DARIJA_SHAPES = re.compile(r"^(?:ka[ytn][a-z0-9]{3,}|ma[a-z0-9]{3,}ch|ta[a-z0-9]*ch)$")


def is_arabizi(text: str) -> bool:
    """Darija written in Latin letters (and not French): digits standing for letters inside
    words, or darija's small words and verb shapes outnumbering French small words."""
    if re.search(r"[\u0600-\u06ff]", text):
        return False
    words = [w.lower() for w in _WORD.findall(fold(text))]
    if not words:
        return False
    # A capital inside the sentence is a name, not a verb: "À Marrakech" has darija's
    # "ma…ch" negation shape (measured: a demonstration sentence naming it twice was read
    # as arabizi and garbled).
    names = {fold(w) for w in _WORD.findall(text)[1:] if w[:1].isupper()}
    digits = sum(1 for w in words if _DIGIT_IN_WORD.search(w) and not w.isdigit())
    darija = sum(
        1 for w in words if w in _DARIJA_WORDS or (_DARIJA_SHAPES.match(w) and w not in names)
    )
    french = sum(1 for w in words if w in _FRENCH_WORDS)
    if digits + darija == 0:
        return False
    return (digits + darija >= 2 and digits + darija >= french / 2) or (digits >= 1 and darija >= 1)


def _word_to_arabic(word: str) -> str:
    word = word.lower()
    out: list[str] = []
    i = 0
    while i < len(word):
        pair = word[i : i + 2]
        char = word[i]
        if i and char == word[i - 1] and char.isalpha():
            i += 1  # a doubled letter is one letter (shadda is not written)
            continue
        if pair in _PAIRS:
            out.append(_PAIRS[pair])
            i += 2
            continue
        if char in _DIGITS:
            out.append(_DIGITS[char])
        elif char in "aeiou" and i == 0:
            out.append("ا" if char in "aie" else "او")
        elif char == "a" and i == len(word) - 1 and len(word) > 2:
            # A final -a is the feminine ة of a noun ("lmdina"), except in short words ("bla",
            # "chta") and in the suffixes -na, -ha, -ya after a consonant ("dyalna": ours).
            suffix = word[i - 1] in "nhy" and word[i - 2] not in "aeiou"
            out.append("ا" if suffix or len(word) <= 4 else "ة")
        else:
            out.append(_LETTERS.get(char, char))
        i += 1
    return "".join(out)


def _looks_french(word: str) -> bool:
    folded = fold(word)
    return (
        folded != word.lower()  # it carried an accent: é, è, ç...
        or folded in _FRENCH_WORDS
        or "'" in word
        or "’" in word
    )


def to_arabic(text: str) -> str:
    """An arabizi text in Arabic letters, its French words kept ("les", "qualité")."""
    words = text.split()
    out: list[str] = []
    for index, raw in enumerate(words):
        word = raw.strip('.,;:!?()"«»')
        after_article = index > 0 and words[index - 1].lower() in _ARTICLES
        if not word or _looks_french(word) or after_article or not _WORD.fullmatch(word):
            out.append(raw)
            continue
        lower = word.lower()
        if lower in _SPELLINGS:
            out.append(_SPELLINGS[lower])
        elif len(lower) > 3 and lower[0] == "l" and lower[1] not in "aeiou":
            out.append("ال" + _word_to_arabic(lower[1:]))
        else:
            out.append(_word_to_arabic(lower))
    return " ".join(out)


def for_encoder(text: str) -> str:
    """What the sentence encoder reads for a text: arabizi in Arabic letters, else the text."""
    return to_arabic(text) if is_arabizi(text) else text
