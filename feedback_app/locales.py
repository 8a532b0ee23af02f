"""The interface languages and the tour's clock: the one list every layer reads.

Each language is served with the locale whose formats Morocco uses. Arabic is `ar_MA`: Western
digits (CLDR's `latn` numbering, as in Moroccan administration), 24-hour times, "1.234,5".
English is `en_GB`: day-first dates like the French and Arabic pages.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from babel.lists import format_list


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in the language itself, as a language menu shows it
    direction: Literal["ltr", "rtl"]
    locale: str  # the Babel locale for dates and numbers

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("fr", "Français", "ltr", "fr"),
        Language("ar", "العربية", "rtl", "ar_MA"),
        Language("en", "English", "ltr", "en_GB"),
    )
}
LANGUAGE_CODES: tuple[str, ...] = tuple(LANGUAGES)
DEFAULT_LANGUAGE = "fr"

# Every day and date of the tour is a day in Morocco.
TIME_ZONE = "Africa/Casablanca"


def use_packaged_tz_data() -> None:
    """Read time zones from the pinned `tzdata` package only, never the host's own files.

    `zoneinfo` looks at the operating system's tz data first, and hosts lag: one still had
    Casablanca at +01:00 after Morocco returned to UTC+0 on 2026-09-20 (PITFALLS "Clocks").
    With an empty search path every host, page, workbook, CLI and mail agree. Called once when
    the package is imported, before any zone is loaded.
    """
    if zoneinfo.TZPATH:
        zoneinfo.reset_tzpath(to=[])
        ZoneInfo.clear_cache()


def zone(name: str = TIME_ZONE) -> ZoneInfo:
    """The tour's time zone (or `name`): the only tzinfo the application formats with."""
    return ZoneInfo(name)


def local_time(moment: dt.datetime, tz: str = TIME_ZONE) -> dt.datetime:
    """A stored moment (aware, or naive UTC as SQLite hands it back) as the tour's local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone(tz))


def localised(field: str) -> tuple[str, ...]:
    """A localised column's names, one per language in order: name -> name_fr, name_ar, ..."""
    return tuple(f"{field}_{code}" for code in LANGUAGE_CODES)


def join_list(items: Iterable[str], code: str | None) -> str:
    """Items as the language writes a list: "a, b et c" (CLDR's pattern); in Arabic "a، b، c".

    CLDR's Arabic patterns (Babel 2.x: "standard" gives "أ وب وج", "unit" gives "أ، وب، وج")
    glue "و" onto the next word, which breaks a region or theme name written in Latin letters
    and reads as one long phrase: lists of names are separated by the Arabic comma alone.
    """
    words = [str(item) for item in items]
    if language(code).code == "ar":
        return "، ".join(words)
    return format_list(words, locale=language(code).locale)


def language(code: str | None) -> Language:
    """The registered language `code`, else the default one."""
    return LANGUAGES.get(code or "", LANGUAGES[DEFAULT_LANGUAGE])


def local_midnight_utc(day: dt.date, tz: str = TIME_ZONE) -> dt.datetime:
    """The first moment of `day` in the time zone `tz`, as a UTC time."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz)).astimezone(dt.UTC)


def local_day(moment: dt.datetime, tz: str = TIME_ZONE) -> dt.date:
    """The day in `tz` on which the UTC moment falls."""
    return local_time(moment, tz).date()


Words = Mapping[str, str]  # language code -> text


def word(words: Words, language: str) -> str:
    """The text in `language`, French when it has none."""
    return words.get(language) or words[DEFAULT_LANGUAGE]
