"""Random public identifiers that are short, unguessable and easy to read aloud or type."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: codes are read from posters and typed on phones.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def stop_code() -> str:
    return random_code(8)


def receipt_reference(region_code: str) -> str:
    body = random_code(8).upper()
    return f"{region_code}-{body[:4]}-{body[4:]}"


_REFERENCE = re.compile(rf"[A-Z]{{1,4}}-[{ALPHABET.upper()}]{{4}}-[{ALPHABET.upper()}]{{4}}")


def is_receipt_reference(value: str) -> bool:
    """Shaped like a reference we hand out (a URL may carry anything, NUL included)."""
    return _REFERENCE.fullmatch(value.upper()) is not None


def normalise_typed_code(value: str) -> str:
    """What a person typed (spaces, dashes, capitals, a pasted link) back into a stop code."""
    # A pasted link may carry ?lang=… or #…: only its last path segment is the code.
    value = value.strip().split("#", 1)[0].split("?", 1)[0]
    value = value.rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in value.lower() if ch.isalnum())
