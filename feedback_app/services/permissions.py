"""What each staff role may do: the one table of permissions per role.

Routes declare the permission they need (`auth.guards.permission_required`), services check
`scope.can(...)` before a write, pages show a control only when the reader holds its permission.
A new role is a `Role` member, its row here, its label in `labels.py` and a migration of the
`user_role` check constraint. Regions are a separate matter: the `Scope` says which regions a
reader sees, the permissions what they may do there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from feedback_app.models import Role


class Permission(enum.StrEnum):
    REVIEW_WRITE = "review:write"  # status, kind, theme, priority, shortlist, notes, bulk actions
    REVIEW_SIGNED_OFF = "review:signed_off"  # keeps changing a stop after its sign-off
    IDEAS_CURATE = "ideas:curate"  # confirm, rename, merge, split recurring ideas
    SIGNOFF_SIGN = "signoff:sign"
    SIGNOFF_REOPEN = "signoff:reopen"
    LIVE_CONFIGURE = "live:configure"  # which texts a stop's live screen shows
    STOPS_RUN = "stops:run"  # open and close a stop
    STOPS_MANAGE = "stops:manage"  # create and edit stops
    INTAKE_IMPORT = "intake:import"  # paper and spreadsheet intake
    EXPORTS_CONTACTS = "exports:contacts"  # workbooks with the respondents' contact columns
    USERS_MANAGE = "users:manage"
    THEMES_MANAGE = "themes:manage"
    AUDIT_READ = "audit:read"
    PRIVACY_MANAGE = "privacy:manage"  # find and erase a respondent's personal data
    COMMITMENTS_RECORD = "commitments:record"  # what was decided: commitments, status, milestones
    SHARE_LINKS = "share:links"  # make and revoke a link to a region's brief, for outsiders
    # Reads: the national pages that HQ and the observers read and a delegate does not.
    IDEAS_MAP = "ideas:map"  # /hq/ideas/map, idea groups × regions (national vs regional)


# Permissions that only let a person read: an observer, who changes nothing, may hold them.
READ_PERMISSIONS = frozenset({Permission.IDEAS_MAP})


class Regions(enum.Enum):
    """Which regions an account of a role covers."""

    ALL = "all"  # every region, whatever is listed
    REQUIRED = "required"  # the listed regions, at least one
    OPTIONAL = "optional"  # the listed regions; none listed = every region


@dataclass(frozen=True)
class RoleRule:
    permissions: frozenset[Permission]
    regions: Regions


_DELEGATE = frozenset(
    {
        Permission.REVIEW_WRITE,
        Permission.IDEAS_CURATE,
        Permission.SIGNOFF_SIGN,
        Permission.STOPS_RUN,
        Permission.INTAKE_IMPORT,
        Permission.EXPORTS_CONTACTS,
        Permission.COMMITMENTS_RECORD,
        Permission.SHARE_LINKS,
    }
)

ROLE_RULES: Mapping[Role, RoleRule] = {
    Role.HQ: RoleRule(frozenset(Permission), Regions.ALL),
    Role.DELEGATE: RoleRule(_DELEGATE, Regions.REQUIRED),
    # The ministry's observer reads every page of its regions (or all) and changes nothing.
    Role.OBSERVER: RoleRule(READ_PERMISSIONS, Regions.OPTIONAL),
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_RULES[role].permissions


def regions_of(role: Role) -> Regions:
    return ROLE_RULES[role].regions
