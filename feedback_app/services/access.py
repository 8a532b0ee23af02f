"""Region lock: which regions a staff member may read and change.

Every service that reads or changes submissions, items, stops or notes takes a `Scope` and
filters with it; a record outside the scope is reported exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from feedback_app.models import Role, User


@dataclass(frozen=True)
class Scope:
    """`region_ids` None means every region (headquarters)."""

    user_id: int | None
    region_ids: frozenset[int] | None

    @property
    def is_everything(self) -> bool:
        return self.region_ids is None

    def allows(self, region_id: int) -> bool:
        return self.region_ids is None or region_id in self.region_ids

    def filter(
        self, region_column: ColumnElement[int] | InstrumentedAttribute[int]
    ) -> ColumnElement[bool]:
        if self.region_ids is None:
            return true()
        condition: ColumnElement[bool] = region_column.in_(sorted(self.region_ids))
        return condition


def scope_for(user: User) -> Scope:
    if user.role is Role.HQ:
        return Scope(user_id=user.id, region_ids=None)
    return Scope(user_id=user.id, region_ids=frozenset(r.id for r in user.regions))


EVERYTHING = Scope(user_id=None, region_ids=None)
