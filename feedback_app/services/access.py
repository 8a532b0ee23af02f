"""Who is asking: the regions a staff member may read and what they may do there.

Every service that reads or changes submissions, items, stops or notes takes a `Scope` and
filters with it; a record outside the scope is reported exactly like a missing one. A write
first asks `scope.ensure(Permission.X)`, which raises `NotPermitted` (403) for a role without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from feedback_app.models import User
from feedback_app.services.errors import NotPermitted
from feedback_app.services.permissions import Permission, Regions, permissions_of, regions_of


@dataclass(frozen=True)
class Scope:
    """`region_ids` None means every region (headquarters, a national observer).

    `permissions` default to all of them: the command line and background upkeep act for the
    office itself; a signed-in person's scope comes from `scope_for`.
    """

    user_id: int | None
    region_ids: frozenset[int] | None
    permissions: frozenset[Permission] = field(default=frozenset(Permission))

    @property
    def is_everything(self) -> bool:
        return self.region_ids is None

    def allows(self, region_id: int) -> bool:
        return self.region_ids is None or region_id in self.region_ids

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def ensure(self, permission: Permission) -> None:
        if permission not in self.permissions:
            raise NotPermitted(permission)

    def filter(
        self, region_column: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> ColumnElement[bool]:
        if self.region_ids is None:
            return true()
        condition: ColumnElement[bool] = region_column.in_(sorted(self.region_ids))
        return condition


def scope_for(user: User) -> Scope:
    permissions = permissions_of(user.role)
    regions = regions_of(user.role)
    if regions is Regions.ALL or (regions is Regions.OPTIONAL and not user.regions):
        return Scope(user_id=user.id, region_ids=None, permissions=permissions)
    return Scope(
        user_id=user.id,
        region_ids=frozenset(r.id for r in user.regions),
        permissions=permissions,
    )


EVERYTHING = Scope(user_id=None, region_ids=None)
