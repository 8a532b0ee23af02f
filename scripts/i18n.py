"""Catalog chores behind `make translations-update` / `make translations-check`.

    python scripts/i18n.py fill-source   # fr catalog: msgstr = msgid (French is the source)
    python scripts/i18n.py check         # what the code says that a catalog does not translate

`check` extracts the messages of the current code with babel.cfg (the same extraction as
`make translations-extract`, into a temporary file) and compares them with the committed .po
files; tests/test_translations.py runs the same function.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

from feedback_app.locales import DEFAULT_LANGUAGE, LANGUAGE_CODES

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "feedback_app" / "translations"
LANGUAGES = LANGUAGE_CODES
SOURCE_LANGUAGE = DEFAULT_LANGUAGE
# CLDR's six Arabic forms (zero, one, two, few, many, other), as the ar catalog declares them.
ARABIC_PLURAL_FORMS = (
    "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 ? 4 : 5;"
)


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(path: Path, catalog: Catalog) -> None:
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, include_previous=False)


def extract_current() -> Catalog:
    """The messages the code and templates use right now (pybabel extract with babel.cfg)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        argv = [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-o",
            str(pot),
            "--input-dirs",
            str(ROOT),
        ]
        status = CommandLineInterface().run(argv)
        if status:
            raise RuntimeError(f"pybabel extract failed ({status})")
        return read_catalog(pot)


def _key(message: Message) -> object:
    return (message.id, message.context)


def fill_source() -> int:
    """French is the language of the msgids: its catalog translates each message to itself.

    Filled (rather than left empty) so that French plural rules apply ("0 contribution") and
    so that one completeness rule holds for all three catalogs.
    """
    path = po_path(SOURCE_LANGUAGE)
    catalog = read_catalog(path, SOURCE_LANGUAGE)
    changed = 0
    for message in catalog:
        if not message.id:
            continue
        wanted: object = (
            tuple([message.id[0]] + [message.id[1]] * (catalog.num_plurals - 1))
            if message.pluralizable
            else message.id
        )
        current = tuple(message.string) if message.pluralizable else message.string
        if current != wanted or message.fuzzy:
            message.string = wanted
            message.flags.discard("fuzzy")
            changed += 1
    write_catalog(path, catalog)
    return changed


@dataclass(frozen=True)
class Problem:
    language: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.language}] {self.reason}: {self.msgid!r}"


def _strings(message: Message) -> list[str]:
    if isinstance(message.string, (list, tuple)):
        return list(message.string)
    return [message.string]


def _dummy_values(message: Message) -> dict[str, object]:
    """Values for every %(name)x placeholder of the msgid, to try the formatting for real."""
    import re

    ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
    names = {m.group(1) for text in ids for m in re.finditer(r"%\((\w+)\)", text)}
    return {name: 1 for name in names} | {"num": 1}


def catalog_problems(language: str, template: Catalog) -> list[Problem]:
    path = po_path(language)
    if not path.exists():
        return [Problem(language, "", f"no catalog at {path.relative_to(ROOT)}")]
    catalog = read_catalog(path, language)
    problems: list[Problem] = []
    if language == "ar" and catalog.plural_forms != ARABIC_PLURAL_FORMS:
        problems.append(
            Problem(
                language,
                "",
                f"Plural-Forms header is {catalog.plural_forms!r}, "
                f"expected {ARABIC_PLURAL_FORMS!r}",
            )
        )
    for wanted in template:
        if not wanted.id:
            continue
        label = wanted.id[0] if isinstance(wanted.id, (list, tuple)) else wanted.id
        message = catalog.get(wanted.id, context=wanted.context)
        if message is None:
            problems.append(Problem(language, label, "missing (run make translations-update)"))
            continue
        if message.pluralizable != wanted.pluralizable or (
            message.pluralizable and tuple(message.id) != tuple(wanted.id)
        ):
            problems.append(Problem(language, label, "plural form of the msgid changed"))
            continue
        if message.fuzzy:
            problems.append(Problem(language, label, "fuzzy (check it, then drop the flag)"))
            continue
        strings = _strings(message)
        if not all(s and s.strip() for s in strings):
            problems.append(Problem(language, label, "untranslated"))
            continue
        if message.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(
                Problem(
                    language, label, f"{len(strings)} plural forms, {catalog.num_plurals} expected"
                )
            )
            continue
        for error in message.check(catalog):
            problems.append(Problem(language, label, f"format: {error}"))
        problems.extend(_formatting_problems(language, wanted, message))
    return problems


def _formatting_problems(language: str, wanted: Message, message: Message) -> list[Problem]:
    # Jinja's new-style gettext always applies `%` to the result, and so does Flask-Babel's
    # gettext when given variables: a stray % or an unknown placeholder would raise at render.
    values = _dummy_values(wanted)
    ids = wanted.id if isinstance(wanted.id, (list, tuple)) else (wanted.id,)
    try:
        for text in ids:
            text % values  # the msgid itself must format for the check to apply
    except (KeyError, ValueError, TypeError):
        return []
    label = ids[0]
    problems = []
    for text in _strings(message):
        try:
            text % values
        except (KeyError, ValueError, TypeError) as error:
            problems.append(Problem(language, label, f"translation does not format: {error!r}"))
    return problems


def all_problems(languages: tuple[str, ...] = LANGUAGES) -> list[Problem]:
    template = extract_current()
    return [p for language in languages for p in catalog_problems(language, template)]


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "fill-source":
        changed = fill_source()
        print(f"{SOURCE_LANGUAGE}: {changed} message(s) set to their msgid")
        return 0
    if command == "check":
        problems = all_problems()
        for problem in problems:
            print(problem)
        counts = {lang: sum(p.language == lang for p in problems) for lang in LANGUAGES}
        print("to do: " + ", ".join(f"{lang} {n}" for lang, n in counts.items()))
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
