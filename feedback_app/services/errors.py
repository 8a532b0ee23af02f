"""Domain errors raised by services and translated into responses by the views."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    pass


class NotFound(DomainError):
    """The record does not exist, or the caller may not know that it does."""


class NotPermitted(DomainError):
    """The caller's role does not hold the permission this change needs (see permissions.py)."""


class StopNotOpen(DomainError):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class ClientIdTaken(DomainError):
    """The client_id is already stored, for another stop: not a replay of this post."""


class ValidationFailed(DomainError):
    """Input refused; `errors` maps a field path (e.g. "items.2.text") to its messages."""

    def __init__(self, errors: Mapping[str, Sequence[object]]) -> None:
        super().__init__(", ".join(errors))
        self.errors = {field: list(messages) for field, messages in errors.items()}

    def as_text(self) -> dict[str, list[str]]:
        return {field: [str(m) for m in messages] for field, messages in self.errors.items()}

    def messages(self) -> list[str]:
        """Every message, for a page that shows them together rather than by field."""
        return [message for messages in self.as_text().values() for message in messages]


class SignedOff(DomainError):
    """The stop's review was signed off: the delegate may not change it until HQ reopens it."""

    def __init__(self, stop_ids: object) -> None:
        super().__init__(stop_ids)
        self.stop_ids = stop_ids


class NoSpace(DomainError):
    """The disk (or the build's temporary folder) has no room left for the file being written,
    or too little to start a build of this size: nothing was kept, try again once space is
    freed."""

    def __init__(self, needed: int | None = None, free: int | None = None) -> None:
        super().__init__(needed, free)
        self.needed = needed
        self.free = free


class Gone(DomainError):
    """The record existed but is no more to be used: a share link revoked or expired."""

    def __init__(self, reason: str, at: object = None) -> None:
        super().__init__(reason, at)
        self.reason = reason  # "revoked" or "expired"
        self.at = at


class BadToken(DomainError):
    """An API token that is missing, unknown, expired, revoked, or whose owner was deactivated:
    one answer for all (401), so that a caller learns nothing about other people's tokens."""
