"""Form fields shared by the staff pages, bounded once for every form that uses them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import ValidationError

# The tour's records all fall well inside this range. Dates at the calendar's limits
# (0001-01-01, 9999-12-31) would overflow the "day after" and time-zone arithmetic of filters.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class BoundedDateField(DateField):
    """A date field that refuses, with a clear message, dates outside the supported range."""

    def pre_validate(self, form: Any) -> None:
        super().pre_validate(form)
        value: dt.date | None = getattr(self, "data", None)  # untyped in WTForms
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            self.data = None
            raise ValidationError(
                _l(
                    "Date hors limites (entre %(first)s et %(last)s).",
                    first=EARLIEST_DATE.isoformat(),
                    last=LATEST_DATE.isoformat(),
                )
            )
