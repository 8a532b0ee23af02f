"""Why an uploaded intake file is refused, in words for the person who sent it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from feedback_app.services.errors import DomainError


class FileRefused(DomainError):
    """The file cannot be read safely; `message` says why, for the person who sent it."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def unreadable_workbook() -> FileRefused:
    return FileRefused(_l("Classeur illisible ou endommagé."))


def inflates_too_much() -> FileRefused:
    return FileRefused(_l("Classeur refusé : son contenu décompressé est anormalement gros."))
