"""Signing staff in and out, slowing down password guessing.

Guessing is slowed per account (a delay that doubles with each failure in a row, stored on the
user so that every worker sees it) and per address (a generous in-process counter: a venue's
shared Wi-Fi must not lock everybody out). Unknown addresses get the same treatment as known
accounts, in memory, so the answers do not reveal which accounts exist.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import User
from feedback_app.models.types import utcnow
from feedback_app.services import audit
from feedback_app.services.passwords import hash_password, needs_rehash, verify_password
from feedback_app.services.users import find_user_by_email, normalise_email

# Failures allowed in a row before an account starts waiting; then 2, 4, 8 ... s, up to 15 min.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 15 * 60
# Per address: failures in a sliding window. A venue of 40 people mistyping twice stays below.
ADDRESS_MAX_FAILURES = 100
ADDRESS_WINDOW_SECONDS = 15 * 60

_dummy_hash: str | None = None


def _dummy() -> str:
    """A real argon2 hash to verify against when the account does not exist (equal timing)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password("not-a-password-of-anyone")
    return _dummy_hash


def delay_after(failures: int) -> int:
    """Seconds an account waits after `failures` failed sign-ins in a row."""
    if failures < FREE_FAILURES:
        return 0
    return min(int(2 ** (failures - FREE_FAILURES + 1)), MAX_DELAY_SECONDS)


def _wait_left(failures: int, last_failure: dt.datetime | None, now: dt.datetime) -> int:
    delay = delay_after(failures)
    if not delay or last_failure is None:
        return 0
    left = (last_failure + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, int(left + 0.999))


class AddressCounter:
    """Failed sign-ins per client address in a sliding window, in this process only."""

    def __init__(self, limit: int = ADDRESS_MAX_FAILURES,
                 window: float = ADDRESS_WINDOW_SECONDS, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            hits = self._hits[key] = deque()
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def wait_left(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - now + 0.999))

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(key, now).append(now)
            self._hits.move_to_end(key)


class UnknownAccounts:
    """Failures against addresses that have no account, so they are throttled alike."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self.max_keys = max_keys
        self._failures: OrderedDict[str, tuple[int, dt.datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def state(self, email: str) -> tuple[int, dt.datetime | None]:
        with self._lock:
            return self._failures.get(email, (0, None))

    def fail(self, email: str, now: dt.datetime) -> None:
        with self._lock:
            count, _last = self._failures.get(email, (0, None))
            self._failures[email] = (count + 1, now)
            self._failures.move_to_end(email)
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)


@dataclass
class Throttles:
    """The in-process halves of the throttling; one per application."""

    addresses: AddressCounter
    unknown: UnknownAccounts

    @classmethod
    def create(cls) -> Throttles:
        return cls(AddressCounter(), UnknownAccounts())


@dataclass(frozen=True)
class SignInResult:
    user: User | None = None
    wait_seconds: int = 0  # > 0: refused without checking the password, try again later
    address_blocked: bool = False

    @property
    def ok(self) -> bool:
        return self.user is not None


def authenticate(
    session: Session, throttles: Throttles, *, email: str, password: str, address: str,
) -> SignInResult:
    """Check a sign-in attempt; records it in the audit trail either way."""
    wait = throttles.addresses.wait_left(address)
    if wait:
        return SignInResult(wait_seconds=wait, address_blocked=True)
    email = normalise_email(email)[:254]
    now = utcnow()
    user = find_user_by_email(session, email) if email else None
    if user is None:
        failures, last = throttles.unknown.state(email)
    else:
        failures, last = user.failed_logins, user.last_failed_login_at
    wait = _wait_left(failures, last, now)
    if wait:
        return SignInResult(wait_seconds=wait)

    if user is None:
        verify_password(_dummy(), password)
        throttles.unknown.fail(email, now)
        throttles.addresses.fail(address)
        with write_transaction(session):
            audit.record(session, actor_id=None, action="auth.login_failed", target_type="user",
                         target_id=None, after={"email": email, "address": address})
        return SignInResult()

    # An account still waiting for its link costs the same time as any other.
    password_ok = verify_password(user.password_hash or _dummy(), password) and bool(
        user.password_hash
    )
    user_id = user.id
    with write_transaction(session):
        user = session.get(User, user_id)
        assert user is not None
        if password_ok and user.active:
            user.failed_logins = 0
            user.last_failed_login_at = None
            if user.password_hash and needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            audit.record(session, actor_id=user.id, action="auth.login", target_type="user",
                         target_id=user.id, after={"address": address})
        else:
            user.failed_logins += 1
            user.last_failed_login_at = now
            reason = "password" if not password_ok else "inactive"
            audit.record(session, actor_id=None, action="auth.login_failed", target_type="user",
                         target_id=user.id,
                         after={"email": email, "address": address, "reason": reason,
                                "failures": user.failed_logins})
    if password_ok and user.active:
        return SignInResult(user=user)
    throttles.addresses.fail(address)
    return SignInResult()


def sign_out(session: Session, user_id: int) -> None:
    """End every session of this user: cookies carry the session version, which moves on."""
    with write_transaction(session):
        user = session.get(User, user_id)
        if user is None:
            return
        user.session_version += 1
        audit.record(session, actor_id=user.id, action="auth.logout", target_type="user",
                     target_id=user.id)
