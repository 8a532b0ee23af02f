"""How an item's text is reduced before two items are compared (services/ideas/clustering.py).

What the comparison must ignore: case, French accents (é/e, œ/oe), Arabic vowel marks and
tatweel (all done by models.search.fold), Arabic letter variants that writers use
interchangeably (أ إ آ ٱ → ا, ى → ي, ة → ه, ؤ → و, ئ → ي), punctuation, and the small words that
every sentence has ("de", "les", "في", "على"...). What is left is stemmed with the Snowball
stemmers (French, Arabic), so "formation", "former" and "formés" meet on "form", and "تكوين" and
"التكوين" on "تكوين".
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
import snowballstemmer

from feedback_app.models.search import fold

_ARABIC_LETTERS = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        "ـ": "",
        "ء": "",
    }
)
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_ARABIC_RUNS = re.compile(r"[\u0600-\u06ff]+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Function words and the filler of feedback sentences: they carry no idea.
_FRENCH_WORDS = """
a au aux avec ce ces cet cette d dans de des du elle en est et etre il ils l la le les leur
leurs lui mais me meme mes moi mon n ne nos notre nous on ou par pas pour plus qu que qui sa se
ses son sont sur ta te tes toi ton tu un une vos votre vous y c s j m t aussi tres bien faut
faire fait il avoir ont sont etre peu beaucoup tout tous toute toutes nous afin entre sans sous
chez dont donc car si deja encore ainsi comme quand nombre plus moins trop davantage
"""
_ARABIC_WORDS = """
في من على الى إلى عن مع هذا هذه ذلك تلك التي الذي الذين و او أو ثم لا لم لن ما ان أن إن كان
كانت يكون هناك هنا كل بعض كما لكن بين عند حتى قد ب ل ك ف به بها له لها فيه فيها الى عبر اكثر
أكثر جدا يجب ينبغي نحتاج نحن هم هو هي
"""
_FRENCH_STOPWORDS = frozenset(_FRENCH_WORDS.split())
_ARABIC_STOPWORDS = frozenset(fold(w).translate(_ARABIC_LETTERS) for w in _ARABIC_WORDS.split())
_STOPWORDS = _FRENCH_STOPWORDS | _ARABIC_STOPWORDS

_french = snowballstemmer.stemmer("french")
_arabic = snowballstemmer.stemmer("arabic")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if _ARABIC.search(word):
        return str(_arabic.stemWord(word)).translate(_ARABIC_LETTERS)
    return str(_french.stemWord(word))


def words(text: str) -> list[str]:
    """The stems of the words that carry meaning, in order."""
    folded = fold(text).translate(_ARABIC_LETTERS)
    return [_stem(w) for w in _WORD.findall(folded) if w not in _STOPWORDS and len(w) > 1]


def normalise(text: str) -> str:
    """The text as the vectoriser sees it: its meaningful stems, separated by spaces."""
    return " ".join(words(text))


def language_of(text: str) -> str:
    """'ar' when the text is mostly Arabic letters, else 'fr' (enough to keep languages apart)."""
    # Counted by C loops (map, findall), not character by character in Python: every quote
    # and title of a workbook's idea sheets is checked (bench/export.py profile).
    letters = sum(map(str.isalpha, text))
    if not letters:
        return "fr"
    arabic = sum(map(str.isalpha, "".join(_ARABIC_RUNS.findall(text))))
    return "ar" if arabic * 2 >= letters else "fr"


TITLE_LENGTH = 120

# What people put before the idea itself, removed from the start of an automatic title (each
# alternative ends on a word boundary or a punctuation mark; several may follow each other:
# "Pour nous, il faut : ..."). Tested line by line in tests/test_idea_synthesis.py.
_LEADING_FILLER = re.compile(
    r"""^(?:
        [-–—•*·▪>]+                                    # a bullet
      | \(?\d{1,2}\s*[).:-]                            # a number: "1)", "2." , "(3)"
      | (?:pour|selon|chez)\s+(?:nous|moi)\b             # pour nous, selon moi, chez nous
      | (?:à|a)\s+(?:notre|mon)\s+avis\b
      | (?:nous|je)\s+(?:pensons|pense|croyons|crois|trouvons|trouve)\s+qu(?:e\b|')
      | (?:nous|je)\s+(?:demandons|demande|souhaitons|souhaite|proposons|propose
                       |voudrions|voudrais|suggérons|suggère)\b(?:\s+qu(?:e\b|'))?
      | (?:nous\s+avons|j'ai|on\s+a)\s+besoin\s+(?:de\b|d')
      | il\s+(?:faut|faudrait|est\s+(?:nécessaire|urgent|important)\s+de\b)(?:\s+qu(?:e\b|'))?
      | (?:besoin|proposition|défi|opportunité|idée|remarque)\s*[:：]
      | (?:ici|aujourd'hui|actuellement)\b(?=\s*,)
      | (?:à|a|au|aux|en|dans)\s+(?:la\s+(?:région|ville)\s+d[e']\s*)?
            (?-i:[A-ZÀ-Þ][\w'’-]*)(?:[\s-]+(?-i:[A-ZÀ-Þ][\w'’-]*)){0,2}(?=\s*[,:])
                                                          # "À Fès," "Au Maroc," "À Béni Mellal :"
      | بالنسبة\s*(?:لنا|لي)                             # for us, for me
      | (?:في|ف)\s*(?:رأينا|رأيي|نظرنا|نظري)              # in our opinion
      | نحن\s+(?:نحتاج|بحاجة|نطالب|نقترح|نريد|نتمنى)\s*(?:إلى|الى|ل|ب)?
      | (?:نحتاج|نطالب|نقترح|نريد|نتمنى)\s*(?:إلى|الى)?
      | نحن
      | (?:يجب|ينبغي|يلزم|لابد|لا\s+بد)\s*(?:من|أن|ان)?
      | من\s+(?:الضروري|اللازم|المهم)\s*(?:أن|ان)?
      | (?:في|ب)\s*(?:مدينة|جهة|منطقة)\s+\S+(?:\s+\S+)?(?=\s*[،,:])   # "في مدينة فاس،"
    )\s*[,:;،؛：]?\s*""",
    re.IGNORECASE | re.VERBOSE,
)
_TRAILING = re.compile(r"[\s.,;:!?…·\-–—،؛؟]+$")
_MIN_TITLE = 3  # a title reduced to less than this keeps its filler: better than nothing


def strip_filler(text: str) -> str:
    """The idea without the words before it and the punctuation after it, on one line."""
    text = " ".join(text.split())
    stripped = text
    for _round in range(4):  # "Pour nous, il faut : ..." is two fillers
        shorter = _LEADING_FILLER.sub("", stripped, count=1)
        if shorter == stripped:
            break
        stripped = shorter
    stripped = _TRAILING.sub("", stripped)
    if len(stripped) < _MIN_TITLE:
        stripped = _TRAILING.sub("", text) or text
    if stripped[:1].islower() and stripped != text:
        stripped = stripped[0].upper() + stripped[1:]
    return stripped


_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


def carries_contact(text: str) -> bool:
    """An e-mail address or a phone number (Moroccan or international) in the text: such an
    entry is never quoted nor made a title, since both repeat the words as they are."""
    if _EMAIL.search(text):
        return True
    return any(True for _match in phonenumbers.PhoneNumberMatcher(text, "MA"))


def title_candidate(text: str) -> tuple[str, str] | None:
    """(language, automatic title) of a member's text, or None when it may not title a group
    (it carries contact details)."""
    if carries_contact(text):
        return None
    return language_of(text), short_title(text)


# Per group: how many of the most central members the reader sees are candidates for the French
# and the Arabic automatic titles (a group's texts are mostly of one script: a script absent from
# its TITLE_CANDIDATES most central members gets no automatic title).
TITLE_CANDIDATES = 20


def has_arabic(text: str) -> bool:
    """Whether the text holds an Arabic letter (as services/ideas/queries.arabic_of in SQL)."""
    return _ARABIC.search(text) is not None


class AutomaticTitles:
    """A group's French and Arabic automatic titles, from its visible members' texts offered
    most central first: each the first title candidate of its language among the
    TITLE_CANDIDATES most central. One rule for the titles counted at reading time
    (services/ideas/queries.py) and those stored per region (services/ideas/tallies.py)."""

    __slots__ = ("found", "offered")

    def __init__(self) -> None:
        self.offered = 0
        self.found: dict[str, str] = {}

    def offer(self, text: str, arabic: bool | None = None) -> None:
        """The next most central text (`arabic`: whether it holds an Arabic letter, when the
        database told already)."""
        if self.offered >= TITLE_CANDIDATES:
            return
        self.offered += 1
        if arabic is None:
            arabic = has_arabic(text)
        # A text without Arabic letters is French: once a French title is found, the other
        # French candidates are skipped unexamined (the contact check is the costly part).
        if len(self.found) == 2 or (not arabic and "fr" in self.found):
            return
        if candidate := title_candidate(text):
            self.found.setdefault(*candidate)

    @property
    def titles(self) -> tuple[str, str]:
        """(French, Arabic), "" for a language none of the candidates is written in."""
        return self.found.get("fr", ""), self.found.get("ar", "")


def short_title(text: str) -> str:
    """A group's automatic title from an item's text: without its filler (strip_filler), one
    line, at most TITLE_LENGTH characters. Never applied to what a person typed as a title."""
    text = strip_filler(text)
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"
