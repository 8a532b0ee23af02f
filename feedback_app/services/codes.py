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


# A reference opens its submission's public follow-up page (/suivi/ref/<reference>), so its
# random part must not be guessable even with a million references handed out: 12 characters
# of a 31-letter alphabet are 59.5 bits (the first references had 8: 39.6 bits, one hit in
# about 8.5 million guesses at 100,000 submissions; those stay valid, see README "Follow-up").
REFERENCE_GROUPS = 3


def receipt_reference(region_code: str) -> str:
    body = random_code(4 * REFERENCE_GROUPS).upper()
    groups = [body[i : i + 4] for i in range(0, len(body), 4)]
    return "-".join([region_code, *groups])


_GROUP = f"[{ALPHABET.upper()}]{{4}}"
_REFERENCE = re.compile(rf"[A-Z]{{1,4}}-{_GROUP}-{_GROUP}(?:-{_GROUP})?")


def is_receipt_reference(value: str) -> bool:
    """Shaped like a reference we hand out (a URL may carry anything, NUL included)."""
    return _REFERENCE.fullmatch(value.upper()) is not None


def normalise_typed_code(value: str) -> str:
    """What a person typed (spaces, dashes, capitals, a pasted link) back into a stop code."""
    # A pasted link may carry ?lang=… or #…: only its last path segment is the code.
    value = value.strip().split("#", 1)[0].split("?", 1)[0]
    value = value.rstrip("/").rsplit("/", 1)[-1]
    return "".join(ch for ch in value.lower() if ch.isalnum())
