"""Free-text cleaning and typed stop codes (pure functions, no database)."""

from __future__ import annotations

import unicodedata

import pytest

from feedback_app.services.codes import (
    ALPHABET,
    is_receipt_reference,
    normalise_typed_code,
    receipt_reference,
    stop_code,
)
from feedback_app.services.text import clean_line, clean_multiline


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Riad   Dar Atlas  ", "Riad Dar Atlas"),
        ("Riad\x00Atlas", "RiadAtlas"),
        ("Riad\x07\x1b\x7f\x9f Atlas", "Riad Atlas"),
        ("Riad\tDar\nAtlas\r\nMarrakech", "Riad Dar Atlas Marrakech"),
        ("Riad\u2028Atlas\u2029Safi\x85Maroc", "Riad Atlas Safi Maroc"),
        ("Caf\u0065\u0301 de la Poste", "Café de la Poste"),
        ("Riad\ud800 Atlas\udfff", "Riad Atlas"),
        ("فندق الأطلس", "فندق الأطلس"),
        ("Hôtel 🌴 Agadir", "Hôtel 🌴 Agadir"),
        ("\x00\x01\t \n", ""),
    ],
)
def test_clean_line(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Premier point.\r\nSecond point.", "Premier point.\nSecond point."),
        ("Un\rDeux\u2028Trois\u2029Quatre\x85Cinq", "Un\nDeux\nTrois\nQuatre\nCinq"),
        ("Colonne\tvaleur", "Colonne\tvaleur"),
        ("Ligne avec espaces   \nsuite  ", "Ligne avec espaces\nsuite"),
        ("\n\n  Texte  \n\n", "Texte"),
        ("Former\x00 le\x0b personnel\x0c\x1f\x7f", "Former le personnel"),
        ("Accue\u0069\u0308l", "Accueïl"),
        ("Texte\ud83d seul\udc00", "Texte seul"),
        ("نحتاج إلى تكوين\nالشباب", "نحتاج إلى تكوين\nالشباب"),
        ("Paragraphe 1\n\nParagraphe 2", "Paragraphe 1\n\nParagraphe 2"),
    ],
)
def test_clean_multiline(raw: str, expected: str) -> None:
    assert clean_multiline(raw) == expected


@pytest.mark.parametrize("clean", [clean_line, clean_multiline])
def test_cleaned_text_is_nfc_without_controls_or_surrogates(clean) -> None:
    raw = "".join(chr(c) for c in range(0x00, 0xA0)) + "e\u0301\ud800\udbff\udc00\udfff"
    cleaned = clean(raw)
    assert unicodedata.is_normalized("NFC", cleaned)
    allowed = {"\n", "\t"} if clean is clean_multiline else set()
    assert not [
        ch for ch in cleaned if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed
    ]
    assert cleaned.endswith("é")


@pytest.mark.parametrize(
    "typed",
    [
        "abcd2345",
        "ABCD2345",
        " abcd-2345 ",
        "ABCD 2345",
        "abcd_2345",
        "https://tournee.example.ma/f/abcd2345",
        "https://tournee.example.ma/f/ABCD2345/",
        "https://tournee.example.ma/f/abcd2345?lang=ar",
        "tournee.example.ma/f/abcd2345/#form",
    ],
)
def test_typed_code_is_normalised(typed: str) -> None:
    assert normalise_typed_code(typed) == "abcd2345"


def test_generated_codes_use_the_readable_alphabet() -> None:
    for _ in range(50):
        code = stop_code()
        assert len(code) == 8 and set(code) <= set(ALPHABET)
        reference = receipt_reference("MS")
        prefix, *groups = reference.split("-")
        assert prefix == "MS" and [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(ALPHABET.upper())
        assert is_receipt_reference(reference) and is_receipt_reference(reference.lower())
    assert not set("01ilo") & set(ALPHABET)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "MS",
        "MS-ABCD-EFG\x00",
        "MS-ABCD-EFGH-",
        "MS-ABCD-EF0H",
        "MS-ABCD-EFGH\n",
        "MS-ABCD-EFGH-JKMN-PQRS",
        "' OR 1=1 --",
    ],
)
def test_anything_else_is_not_a_receipt_reference(value: str) -> None:
    assert not is_receipt_reference(value)
