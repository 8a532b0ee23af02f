"""Password hashing with argon2id at or above OWASP's parameters (19 MiB, t=2, p=1)."""

from __future__ import annotations

from collections.abc import Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults (RFC 9106 low-memory profile: 64 MiB, t=3, p=4) exceed OWASP's floor.
_hasher = PasswordHasher()
_dummy_hashes: dict[tuple[int, int, int], str] = {}

MIN_PASSWORD_LENGTH = 12


def configure(parameters: Mapping[str, int] | None) -> None:
    """Set this process's argon2 cost (setting PASSWORD_HASH_PARAMETERS; None: the defaults).

    Only the test configuration lowers it: a sign-in costs ~0.2 s of CPU at the defaults, and
    the suite signs in hundreds of times. Verifying reads the cost from the stored hash, so a
    hash made at one cost is still checked correctly at another (and rehashed on sign-in).
    """
    global _hasher
    if not parameters:
        _hasher = PasswordHasher()
        return
    _hasher = PasswordHasher(
        time_cost=int(parameters["time_cost"]),
        memory_cost=int(parameters["memory_cost"]),
        parallelism=int(parameters["parallelism"]),
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A real hash at the current cost, to verify against when there is no account (so that
    the answer takes the same time either way)."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("not-a-password-of-anyone")
    return _dummy_hashes[key]
