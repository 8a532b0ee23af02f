"""Staff accounts: headquarters, regional delegates and observers."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.extensions import Model, db
from feedback_app.models.reference import Region
from feedback_app.models.types import TIMESTAMP, str_enum, utcnow


class Role(enum.StrEnum):
    HQ = "hq"
    DELEGATE = "delegate"
    OBSERVER = "observer"  # reads its regions (or all), changes nothing


user_regions = Table(
    "user_regions",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("region_id", ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True),
)


class User(Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, which makes the unique constraint case-insensitive on every backend.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on sign-out and deactivation so that every cookie issued before stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(TIMESTAMP, default=utcnow)

    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.position)

    # What Flask-Login asks of a user object (its UserMixin, written out: the model stays typed).
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session version travels in the cookie: bumping it revokes every older cookie.
        return f"{self.id}:{self.session_version}"

    @property
    def is_hq(self) -> bool:
        return self.role is Role.HQ

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
