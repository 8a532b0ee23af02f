"""Representative quotes of an idea group: what a few professionals wrote, word for word.

One rule for the group page, the region brief (page and sheet) and the "Idées récurrentes"
sheet (`pick_quotes`): up to QUOTES entries, most central first, from distinct organisations,
the most central entry of each language present taken first so that a group said in French and
in Arabic is quoted in both. Callers hand in only entries a reviewer has seen (status
`reviewed`, never spam) within the reader's scope; a quote is the entry's text verbatim (only
its spacing tidied: never shortened, corrected or translated) and never says who wrote it. An
entry whose text carries an e-mail address or a phone number is not quoted at all: quoting is
verbatim, so it cannot be quoted without the personal data.

`QuoteCandidates` keeps, of a long list of candidates, the few that `pick_quotes` can choose:
what services/ideas/tallies.py stores per group and region, so that the pages do not read every
reviewed member of the groups they show (1.5 s for a brief at 1,000,000 submissions).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feedback_app.exports.data import Quote
from feedback_app.models import fold
from feedback_app.services.ideas.text import carries_contact, has_arabic, language_of

QUOTES = 3


def pick_quotes(candidates: Iterable[tuple[str, str]], limit: int = QUOTES) -> tuple[Quote, ...]:
    """Quotes from `(text, organisation)` candidates given most central first.

    Organisations are compared as the search compares them ("Riad  ATLAS" is "riad atlas"),
    and the same words from two organisations are quoted once.
    """
    pool: list[tuple[int, Quote, str]] = []
    for position, (text, organisation) in enumerate(candidates):
        verbatim = " ".join(text.split())
        if not verbatim or carries_contact(verbatim):
            continue
        pool.append((position, Quote(verbatim, language_of(verbatim)), fold(organisation)))
    chosen: list[tuple[int, Quote, str]] = []

    def take(entry: tuple[int, Quote, str]) -> None:
        _pos, quote, organisation = entry
        if len(chosen) >= limit:
            return
        if any(organisation == o or quote.text == q.text for _p, q, o in chosen):
            return
        chosen.append(entry)

    for language in ("fr", "ar"):  # the most central entry of each language first
        for entry in pool:
            if entry[1].language == language:
                before = len(chosen)
                take(entry)
                if len(chosen) > before:
                    break
    for entry in pool:
        take(entry)
    return tuple(quote for _pos, quote, _org in sorted(chosen, key=lambda e: e[0]))


# Why a quotable entry can never be chosen, whatever the other entries (pick_quotes' fill, after
# the first entry of each language): more central entries among which QUOTES were surely
# chosen first. Either _MATCHED of pairwise distinct organisations and texts (each quote chosen
# rules out at most two of them, one by its organisation, one by its text), or _SAME of its
# own text with distinct organisations, or of its own organisation with distinct texts (each
# quote chosen rules out at most one of them; one quote of its text or organisation rules it
# out), or one with both its organisation and its text.
_MATCHED = 2 * QUOTES - 1
_SAME = QUOTES + 1

Where = tuple[float, int]  # (closeness, item id): most central first is -closeness, then id
Candidate = tuple[str, str, Where]  # (text, organisation, where)


def _order(where: Where) -> tuple[float, int]:
    return (-where[0], where[1])


class _Ruled:
    """What the kept entries so far rule out (see _MATCHED, _SAME)."""

    __slots__ = ("arabic", "french", "matched_orgs", "matched_texts", "orgs_of", "texts_of")

    def __init__(self) -> None:
        self.french = False
        self.arabic: set[str] = set()  # organisations of the first Arabic entries (two)
        self.matched_orgs: set[str] = set()
        self.matched_texts: set[str] = set()
        self.orgs_of: dict[str, set[str]] = {}  # text -> organisations
        self.texts_of: dict[str, set[str]] = {}  # organisation -> texts

    def decided(self) -> bool:
        """Nothing later can be kept: the common case of a long group, made cheap."""
        return len(self.matched_orgs) >= _MATCHED and self.french and len(self.arabic) >= 2

    def wanted(self, verbatim: str, language: str, organisation: str) -> bool:
        if language == "fr" and not self.french:
            return True
        if language == "ar" and len(self.arabic) < 2 and organisation not in self.arabic:
            return True
        if len(self.matched_orgs) >= _MATCHED:
            return False
        orgs = self.orgs_of.get(verbatim, set())
        texts = self.texts_of.get(organisation, set())
        return organisation not in orgs and len(orgs) < _SAME and len(texts) < _SAME

    def keep(self, verbatim: str, language: str, organisation: str) -> None:
        if language == "fr":
            self.french = True
        elif len(self.arabic) < 2:
            self.arabic.add(organisation)
        self.orgs_of.setdefault(verbatim, set()).add(organisation)
        self.texts_of.setdefault(organisation, set()).add(verbatim)
        matched = len(self.matched_orgs) < _MATCHED
        if matched and organisation not in self.matched_orgs and verbatim not in self.matched_texts:
            self.matched_orgs.add(organisation)
            self.matched_texts.add(verbatim)


def _quotable(text: str, organisation: str) -> tuple[str, str, str] | None:
    """(verbatim, language, folded organisation), as pick_quotes compares entries."""
    verbatim = " ".join(text.split())
    if not verbatim:
        return None
    return verbatim, language_of(verbatim) if has_arabic(verbatim) else "fr", fold(organisation)


@dataclass
class Rest:
    """Of a group's reviewed entries left when one submission's leave, those that can be kept
    once the first ones read have closed the matched clause (`QuoteCandidates.left_by`): the
    first French entry and the first Arabic entries of the first two organisations, each list
    None when the kept candidates cannot tell it (the entries are then read on)."""

    french: list[Candidate] | None
    arabic: list[Candidate] | None
    # The folded organisation whose own next Arabic entry completes `arabic`: looked up among
    # that organisation's entries alone (`next_of`), never by reading the group.
    ask: str | None = None

    def next_of(self, entries: Iterable[Candidate]) -> None:
        """`entries`: every reviewed entry of the group from the organisation `ask` (any order)."""
        found = [
            candidate
            for candidate in entries
            if (entry := _quotable(candidate[0], candidate[1])) is not None
            and entry[1] == "ar"
            and entry[2] == self.ask
            and not carries_contact(entry[0])
        ]
        self.arabic = sorted(found, key=lambda c: _order(c[2]))[:1]
        self.ask = None


class QuoteCandidates:
    """Of a group's candidates (reviewed entries), the few that `pick_quotes` may choose:
    pick_quotes(kept) is pick_quotes(every candidate). What services/ideas/tallies.py keeps per
    group and region, so that the pages do not read every reviewed member of the groups they
    show, and a review adds its entries without reading the others.

    Kept: the first quotable French entry, the first quotable Arabic entries of two
    organisations (the Arabic one chosen first is the first whose organisation differs from the
    French one's), and every quotable entry that the more central ones kept do not rule out
    (_Ruled). An entry not kept stays ruled out whatever is added, by kept entries; so a kept
    set stays right when an entry is added anywhere, or when an entry not kept is taken away
    (one kept taken away needs the candidates chosen again from every entry)."""

    __slots__ = ("_ruled", "kept")

    def __init__(self) -> None:
        # (text, organisation, where), most central first.
        self.kept: list[Candidate] = []
        self._ruled = _Ruled()  # by every kept entry

    def offer(self, text: str, organisation: str, where: Where = (0.0, 0)) -> None:
        """The next candidate, less central than every one offered before."""
        if self._ruled.decided():
            return
        entry = _quotable(text, organisation)
        if entry is not None and self._ruled.wanted(*entry) and not carries_contact(entry[0]):
            self.kept.append((text, organisation, where))
            self._ruled.keep(*entry)

    def add(self, text: str, organisation: str, where: Where) -> None:
        """A candidate anywhere in the order: kept unless the more central kept ones rule it
        out (a review of an entry of a group already counted)."""
        if not self.kept or _order(where) >= _order(self.kept[-1][2]):
            self.offer(text, organisation, where)
            return
        entry = _quotable(text, organisation)
        if entry is None:
            return
        before = _Ruled()
        position = 0
        for kept_text, kept_organisation, kept_where in self.kept:
            if _order(kept_where) > _order(where):
                break
            known = _quotable(kept_text, kept_organisation)
            assert known is not None
            before.keep(*known)
            position += 1
        if before.wanted(*entry) and not carries_contact(entry[0]):
            self.kept.insert(position, (text, organisation, where))
            self._ruled.keep(*entry)

    @property
    def decided(self) -> bool:
        """Whether no candidate offered next (less central) can be kept."""
        return self._ruled.decided()

    def left_by(self, items: Collection[int], organisation: str) -> Rest:
        """What these kept candidates (chosen from a group's every reviewed entry) still tell
        once the entries `items`, of one submission from `organisation`, leave: of the entries
        left, those the language clauses can keep once the others are ruled out (`Rest`).

        The kept candidates always hold the first quotable French entry, and the first quotable
        Arabic entries of the first two organisations writing Arabic (nothing more central can
        rule them out: `offer`, `add`). So fewer than two Arabic organisations kept means no
        other writes Arabic; and a first entry that does not leave is still first."""
        mine = fold(organisation)
        french: list[Candidate] = []
        arabic: dict[str, Candidate] = {}  # the first two organisations, their first entry
        for candidate in self.kept:
            text, candidate_organisation, _where = candidate
            entry = _quotable(text, candidate_organisation)
            assert entry is not None
            _verbatim, language, folded = entry
            if language == "fr" and not french:
                french.append(candidate)
            elif language == "ar" and len(arabic) < 2 and folded not in arabic:
                arabic[folded] = candidate
        if any(where[1] in items for _t, _o, where in french):
            # The next French entry may be anyone's, anywhere in the group.
            rest = Rest(french=None, arabic=None)
        else:
            rest = Rest(french=french, arabic=None)
        firsts = list(arabic.values())
        if not any(where[1] in items for _t, _o, where in firsts):
            rest.arabic = firsts
        elif len(firsts) == 1:
            # The only organisation writing Arabic is the leaving one: its next Arabic entry,
            # if any, is the only one left (`Rest.next_of`).
            rest.arabic, rest.ask = [], mine
        return rest

    def complete(self, rest: Rest, left: Mapping[str, int] | None = None) -> bool:
        """Whether, the entries offered so far given, only those of `rest` can still be kept.

        `left`: how many entries not read yet say each text, when known (`counted_texts`).
        Unknown, the matched clause must be closed and each language's clause closed or left
        to `rest`. Known, each text still to come must be ruled out: by its language's clause
        (closed, or left to `rest`) and by the matched clause or as many organisations already
        kept saying it as rule it out (one text said by a thousand organisations)."""
        ruled = self._ruled
        matched = len(ruled.matched_orgs) >= _MATCHED
        french = ruled.french or rest.french is not None
        arabic = len(ruled.arabic) >= 2 or rest.arabic is not None
        if left is None:
            return matched and french and arabic
        for text, count in left.items():
            entry = _quotable(text, "") if count > 0 else None
            if entry is None or carries_contact(entry[0]):
                continue
            verbatim, language, _organisation = entry
            if not (french if language == "fr" else arabic):
                return False
            if not matched and len(ruled.orgs_of.get(verbatim, ())) < _SAME:
                return False
        return True

    def finish(self, rest: Rest, after: Where) -> None:
        """Offer the entries of `rest` less central than `after` (the last entry read), once
        `complete(rest)`: the candidates are then those a read to the group's end keeps."""
        left = [*(rest.french or ()), *(rest.arabic or ())]
        for text, organisation, where in sorted(left, key=lambda c: _order(c[2])):
            if _order(where) > _order(after):
                self.offer(text, organisation, where)

    def quotes(self) -> tuple[Quote, ...]:
        return pick_quotes((text, organisation) for text, organisation, _where in self.kept)

    @classmethod
    def of(cls, kept: Iterable[tuple[str, str, Where]]) -> QuoteCandidates:
        """Candidates kept before (most central first), kept again as they were."""
        again = cls()
        for text, organisation, where in kept:
            entry = _quotable(text, organisation)
            assert entry is not None
            again.kept.append((text, organisation, where))
            again._ruled.keep(*entry)
        return again


# The first page of a group's members walked to choose its candidates again, then ten times
# more each page: the candidates are nearly always decided within the first.
QUOTE_PAGE = 200

# A page of a group's reviewed entries: those among the next members walked, most central
# first, and where the walk stopped (None: at the group's end).
Page = tuple[Sequence[Candidate], Where | None]


def chosen_again(
    read: Callable[[Where | None, int], Page],
    rest: Rest | None = None,
    texts: Mapping[str, int] | None = None,
    page: int = QUOTE_PAGE,
    grow: int = 10,
) -> QuoteCandidates:
    """The candidates of a group's reviewed entries, read most central first by pages
    (`read(after, limit)`: the reviewed entries among the next `limit` members less central
    than `after`, None: from the first; each page `grow` times the last) until nothing later
    can be kept, or the members are walked to the end. With `rest` (`QuoteCandidates.left_by`,
    when one submission's entries have just left) and `texts` (how many of the entries say
    each text, when few), the read also ends once only the entries `rest` names can still be
    kept: a group whose entries say one text, or with no Arabic entries from two
    organisations, is not read to its end."""
    candidates = QuoteCandidates()
    if rest is None and texts is not None:
        rest = Rest(french=None, arabic=None)
    left = None if texts is None else Counter(texts)
    after: Where | None = None
    while True:
        rows, after = read(after, page)
        for text, organisation, where in rows:
            candidates.offer(text, organisation, where)
            if left is not None:
                left[text] -= 1
        if after is None or candidates.decided:
            return candidates
        if rest is not None and candidates.complete(rest, left):
            candidates.finish(rest, after)
            return candidates
        page *= grow


# A group's reviewed entries' texts are kept counted (per region, and over every region) while
# they are at most this many: past it, not at all (`counted_texts`).
QUOTE_TEXTS = 16

Texts = list[list[Any]]  # [[text, entries saying it], ...] by text; None: too many texts


def counted_texts(texts: Mapping[str, int]) -> Texts | None:
    """What a tally row keeps of how many reviewed entries say each text (`chosen_again`)."""
    kept = sorted([text, count] for text, count in texts.items() if count > 0)
    return kept if len(kept) <= QUOTE_TEXTS else None


def moved_texts(kept: Texts | None, texts: Iterable[str], by: int) -> Texts | None:
    """`kept` (`counted_texts`) once entries saying `texts` join (by=1) or leave (by=-1)."""
    if kept is None:
        return None  # too many texts to keep: unknown until the group is counted again
    counts = Counter({text: count for text, count in kept})
    for text in texts:
        counts[text] += by
        if counts[text] < 0:
            return None
    return counted_texts(counts)
