"""Time-limited, revocable links to one region's brief, for readers without an account.

The token is only ever in the URL handed out; the database keeps its SHA-256, so a leaked
database opens nothing. HQ makes links for any region, a delegate for their own regions
(`Permission.SHARE_LINKS`; observers change nothing). What a link shows is
`synthesis.brief.shared_brief`: reviewed contributions only, nothing personal. Every opening is
audited, refused ones too; a revoked or expired link is Gone (410), an unknown one NotFound.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback_app.database import write_transaction
from feedback_app.models import Region, ShareLink, User
from feedback_app.models.types import utcnow
from feedback_app.services.access import Scope
from feedback_app.services.audit import record
from feedback_app.services.errors import Gone, NotFound, ValidationFailed
from feedback_app.services.permissions import Permission

EXPIRY_DAYS = (1, 7, 30)  # the choices offered; a link never lives longer than the last
TOKEN_BYTES = 32
MAX_TOKEN = 100  # longer is not one of ours: refused before hashing
LISTED = 20  # the links a brief page lists: the newest


@dataclass(frozen=True)
class LinkView:
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    creator: str  # name or e-mail, "" once the account is gone

    def state(self, now: dt.datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"


@dataclass(frozen=True)
class OpenedLink:
    id: int
    region_id: int
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    session: Session, scope: Scope, region_id: int, *, days: int, actor_id: int
) -> tuple[int, str]:
    """A new link to the region's brief, valid `days` days: (its id, its token). The token is
    returned once and never stored. NotFound for a region outside the scope."""
    scope.ensure(Permission.SHARE_LINKS)
    if not scope.allows(region_id):
        raise NotFound(region_id)
    if days not in EXPIRY_DAYS:
        raise ValidationFailed({"days": [_l("Choisissez une durée de validité proposée.")]})
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = utcnow()
    with write_transaction(session):
        link = ShareLink(
            token_hash=token_hash(token),
            region_id=region_id,
            creator_id=actor_id,
            expires_at=now + dt.timedelta(days=days),
            created_at=now,
        )
        session.add(link)
        session.flush()
        record(
            session,
            actor_id=actor_id,
            action="share.create",
            target_type="share_link",
            target_id=link.id,
            region_id=region_id,
            after={"expires_at": link.expires_at.isoformat(), "days": days},
        )
        link_id = link.id
    return link_id, token


def region_links(session: Session, scope: Scope, region_id: int) -> list[LinkView]:
    """The region's newest links, for those who may manage them (others: none)."""
    if not scope.can(Permission.SHARE_LINKS) or not scope.allows(region_id):
        return []
    rows = session.execute(
        select(ShareLink, User.name, User.email)
        .outerjoin(User, User.id == ShareLink.creator_id)
        .where(ShareLink.region_id == region_id)
        .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        .limit(LISTED)
    ).all()
    return [
        LinkView(link.id, link.created_at, link.expires_at, link.revoked_at, (name or email or ""))
        for link, name, email in rows
    ]


def revoke_link(session: Session, scope: Scope, link_id: int, *, actor_id: int) -> str:
    """Revoke a link at once (revoking it again changes nothing); returns its region's slug.
    NotFound for a link of a region outside the scope."""
    scope.ensure(Permission.SHARE_LINKS)
    with write_transaction(session):
        link = session.get(ShareLink, link_id, with_for_update=True)
        if link is None or not scope.allows(link.region_id):
            raise NotFound(link_id)
        region_id = link.region_id
        if link.revoked_at is None:
            link.revoked_at = utcnow()
            record(
                session,
                actor_id=actor_id,
                action="share.revoke",
                target_type="share_link",
                target_id=link.id,
                region_id=region_id,
            )
        slug = session.scalar(select(Region.slug).where(Region.id == region_id))
    return slug or ""


def open_link(session: Session, token: str, *, via: str) -> OpenedLink:
    """The link a token opens, the opening audited (`via`: "page" or "pdf"). NotFound for a
    token of no link; Gone, audited too, for a revoked or expired one."""
    if not token or len(token) > MAX_TOKEN:
        raise NotFound("share link")
    now = utcnow()
    with write_transaction(session):
        link = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
        if link is None:
            raise NotFound("share link")
        refused: Gone | None = None
        if link.revoked_at is not None:
            refused = Gone("revoked", link.revoked_at)
        elif link.expires_at <= now:
            refused = Gone("expired", link.expires_at)
        record(
            session,
            actor_id=None,
            action="share.open",
            target_type="share_link",
            target_id=link.id,
            region_id=link.region_id,
            after={"via": via, **({"refused": refused.reason} if refused else {})},
        )
        opened = OpenedLink(link.id, link.region_id, link.expires_at)
    if refused is not None:
        raise refused
    return opened
