"""Signing staff in and out, slowing password guessing down without locking owners out.

Attempts are counted in the database, which every worker shares (services/accounts/attempts.py),
before the password is checked, under two allowances per window:
- per (account, address), ACCOUNT_ATTEMPTS: guessing one account from one address is held
  there, while the owner signing in from any other address is never refused because of it;
- per address, ADDRESS_ATTEMPTS, whatever the account: one address cannot sweep through many
  accounts. Generous, because a venue's Wi-Fi gives everybody one address.
A successful sign-in gives its attempts back. Unknown accounts go through the same counters and
the same (argon2) work, so the answers never tell which accounts exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import User
from feedback_app.services import audit
from feedback_app.services.accounts.attempts import Allowance, counter_key, give_back, take_attempt
from feedback_app.services.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from feedback_app.services.accounts.users import find_user_by_email, normalise_email

ACCOUNT_ATTEMPTS = 5
ADDRESS_ATTEMPTS = 100
WINDOW_SECONDS = 15 * 60


@dataclass(frozen=True)
class Throttle:
    """The allowances of sign-in (and of any page that guards an account the same way)."""

    secret: str
    account_attempts: int = ACCOUNT_ATTEMPTS
    address_attempts: int = ADDRESS_ATTEMPTS
    window: dt.timedelta = dt.timedelta(seconds=WINDOW_SECONDS)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Throttle:
        return cls(
            secret=str(config["SECRET_KEY"]),
            account_attempts=int(config.get("SIGN_IN_ACCOUNT_ATTEMPTS", ACCOUNT_ATTEMPTS)),
            address_attempts=int(config.get("SIGN_IN_ADDRESS_ATTEMPTS", ADDRESS_ATTEMPTS)),
            window=dt.timedelta(seconds=int(config.get("SIGN_IN_WINDOW_SECONDS", WINDOW_SECONDS))),
        )

    def account_key(self, purpose: str, email: str, address: str) -> str:
        return counter_key(self.secret, purpose, "account", normalise_email(email), address)

    def address_key(self, purpose: str, address: str) -> str:
        return counter_key(self.secret, purpose, "address", address)

    def take(self, session: Session, purpose: str, *, email: str, address: str) -> int:
        """Count one attempt on `email` from `address`; seconds to wait (0: go on).

        `purpose` keeps separate counters per page ("sign-in", "password-reset", ...).
        """
        return take_attempt(
            session,
            [
                Allowance(self.account_key(purpose, email, address), self.account_attempts),
                Allowance(self.address_key(purpose, address), self.address_attempts),
            ],
            window=self.window,
        )


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    wait_seconds: int = 0  # > 0: refused without checking the password, try again later

    @property
    def ok(self) -> bool:
        return self.user is not None


SIGN_IN = "sign-in"


def authenticate(
    session: Session,
    throttle: Throttle,
    *,
    email: str,
    password: str,
    address: str,
) -> SignInResult:
    """Check a sign-in attempt; records it in the audit trail either way."""
    email = normalise_email(email)[:254]
    wait = throttle.take(session, SIGN_IN, email=email, address=address)
    if wait:
        return SignInResult(wait_seconds=wait)

    user = find_user_by_email(session, email) if email else None
    # An unknown account or one still waiting for its link costs the same time as any other.
    stored_hash = user.password_hash if user is not None else None
    password_ok = verify_password(stored_hash or dummy_hash(), password) and bool(stored_hash)
    user_id = user.id if user is not None else None
    with write_transaction(session):
        user = session.get(User, user_id) if user_id is not None else None
        if user is not None and password_ok and user.active:
            give_back(
                session,
                forget=[throttle.account_key(SIGN_IN, email, address)],
                refund=[throttle.address_key(SIGN_IN, address)],
            )
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            audit.record(
                session,
                actor_id=user.id,
                action="auth.login",
                target_type="user",
                target_id=user.id,
                after={"address": address},
            )
            return SignInResult(user=user)
        # What was typed is not kept: it may be a password typed into the e-mail field.
        reason = "unknown_account" if user is None else "inactive" if password_ok else "password"
        audit.record(
            session,
            actor_id=None,
            action="auth.login_failed",
            target_type="user",
            target_id=user_id,
            after={"address": address, "reason": reason},
        )
    return SignInResult()


def sign_out(session: Session, user_id: int) -> None:
    """End every session of this user: cookies carry the session version, which moves on."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            return
        user.session_version += 1
        audit.record(
            session, actor_id=user.id, action="auth.logout", target_type="user", target_id=user.id
        )
