"""Representative quotes of an idea group: what a few professionals wrote, word for word.

One rule for the group page, the region brief (page and sheet) and the "Idées récurrentes"
sheet (`pick_quotes`): up to QUOTES entries, most central first, from distinct organisations,
the most central entry of each language present taken first so that a group said in French and
in Arabic is quoted in both. Callers hand in only entries a reviewer has seen (status
`reviewed`, never spam) within the reader's scope; a quote is the entry's text verbatim (only
its spacing tidied: never shortened, corrected or translated) and never says who wrote it. An
entry whose text carries an e-mail address or a phone number is not quoted at all: quoting is
verbatim, so it cannot be quoted without the personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

from feedback_app.exports.data import Quote
from feedback_app.models import fold
from feedback_app.services.ideas.text import carries_contact, language_of

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
