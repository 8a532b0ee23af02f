"""Failed sign-in counters shared by every worker (services/accounts/signin.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from feedback_app.extensions import Model
from feedback_app.models.types import TIMESTAMP


class SignInCounter(Model):
    """Sign-in attempts counted in a fixed window, per (account, address) or per address.

    The key is a keyed hash: neither the typed identifier (which may be a password typed in the
    wrong field) nor the address is stored in clear.
    """

    __tablename__ = "sign_in_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[dt.datetime] = mapped_column(TIMESTAMP, index=True)
