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

from collections.abc import Iterable

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


# Entries of distinct organisations and distinct texts among which the fill of `pick_quotes`
# (after the first entry of each language) must have found QUOTES: each quote chosen before
# an entry rules out at most two others (one by its organisation, one by its text), so with
# 2 * QUOTES - 1 such entries before it, QUOTES were chosen before it is reached.
_WITNESSES = 2 * QUOTES - 1


class QuoteCandidates:
    """The candidates, offered most central first, that `pick_quotes` may choose from all of
    them: pick_quotes(kept) is pick_quotes(every candidate offered).

    Kept: the first quotable French entry, the first quotable Arabic entries of two
    organisations (the Arabic one chosen first is the first whose organisation differs from the
    French one's), and every quotable entry until _WITNESSES of distinct organisations and
    texts were kept; any later entry is never chosen. So the contact check, the costly part,
    runs on a handful of entries of a group of thousands."""

    __slots__ = ("_arabic_organisations", "_french", "_orgs", "_texts", "kept")

    def __init__(self) -> None:
        self.kept: list[tuple[str, str]] = []
        self._french = False
        self._arabic_organisations: set[str] = set()
        self._orgs: set[str] = set()
        self._texts: set[str] = set()

    def offer(self, text: str, organisation: str) -> None:
        verbatim = " ".join(text.split())
        if not verbatim:
            return
        open_fill = len(self._orgs) < _WITNESSES
        if not open_fill and self._french and len(self._arabic_organisations) >= 2:
            return  # decided: nothing later can be chosen (the common case, made cheap)
        language = language_of(verbatim) if has_arabic(verbatim) else "fr"
        folded = fold(organisation)
        if language == "fr":
            wanted = open_fill or not self._french
        else:
            wanted = open_fill or (
                len(self._arabic_organisations) < 2 and folded not in self._arabic_organisations
            )
        if not wanted or carries_contact(verbatim):
            return
        self.kept.append((text, organisation))
        if language == "fr":
            self._french = True
        elif len(self._arabic_organisations) < 2:
            self._arabic_organisations.add(folded)
        if open_fill and folded not in self._orgs and verbatim not in self._texts:
            self._orgs.add(folded)
            self._texts.add(verbatim)

    def quotes(self) -> tuple[Quote, ...]:
        return pick_quotes(self.kept)
