"""Working days: which dates count towards a statutory time limit.

FOIA s10(6) and EIR reg 2(1) define a working day as "any day other than a
Saturday, a Sunday, Christmas Day, Good Friday or a day which is a bank holiday
under the Banking and Financial Dealings Act 1971 in any part of the United
Kingdom". "Any part" means the UNION of the holidays of England and Wales,
Scotland and Northern Ireland: St Andrew's Day or the Battle of the Boyne stop
the clock for an authority in Norwich too.

FOISA s73 defines a working day as any day other than a Saturday, a Sunday,
Christmas Day or a day which is a bank holiday in Scotland under the 1971 Act:
Scottish holidays only, so Easter Monday is a working day in Scotland.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

# The parts of the UK as the `holidays` package names them.
UK_PARTS: dict[str, str] = {
    "ENG": "England",
    "WLS": "Wales",
    "SCT": "Scotland",
    "NIR": "Northern Ireland",
}


class HolidayScope(StrEnum):
    """Whose bank holidays stop the clock."""

    UK = "uk"  # FOIA, EIR, UK GDPR: a bank holiday in any part of the UK
    SCOTLAND = "scotland"  # FOISA: Scottish bank holidays only

    @property
    def parts(self) -> tuple[str, ...]:
        return ("SCT",) if self is HolidayScope.SCOTLAND else tuple(UK_PARTS)


@dataclass(frozen=True)
class Holiday:
    """A non-working weekday and why: its name and the parts of the UK that keep it."""

    day: date
    name: str
    parts: tuple[str, ...]

    def describe(self) -> str:
        if not self.parts:
            return self.name
        if len(self.parts) == len(UK_PARTS):
            where = "all of the UK"
        else:
            where = ", ".join(UK_PARTS[p] for p in self.parts)
        return f"{self.name} ({where})"


@dataclass(frozen=True)
class HolidayOverrides:
    """Dates an authority adds or removes by hand.

    A bank holiday can be proclaimed at short notice (the Queen's funeral on
    19 September 2022 was announced eleven days before); until the `holidays`
    release knows it, config adds it here. `remove` undoes a holiday that was
    moved or cancelled.
    """

    add: dict[date, str] = field(default_factory=dict)
    remove: frozenset[date] = frozenset()

    @property
    def key(self) -> tuple:
        """These overrides as a value to key a cache by (`add` is a dict)."""
        return tuple(sorted(self.add.items())), self.remove


@lru_cache(maxsize=256)
def _part_holidays(part: str, year: int) -> dict[date, str]:
    """The bank holidays of one part of the UK in one year, from `holidays`."""
    calendar = holidays.country_holidays("GB", subdiv=part, years=year)
    return {day: name for day, name in calendar.items()}


_RUNNING_COUNTS: dict[tuple, list[int]] = {}  # (scope, overrides, year) -> running counts
# (scope, overrides) -> why each day asked about is not a working day (None: it is one).
# Shared by every calendar of the same scope and overrides: one is made per deadline.
_REASONS: dict[tuple, dict[date, str | None]] = {}


class WorkingDayCalendar:
    """Tells whether a date is a working day, and if not, why not."""

    def __init__(
        self,
        scope: HolidayScope = HolidayScope.UK,
        overrides: HolidayOverrides | None = None,
    ) -> None:
        self.scope = scope
        self.overrides = overrides or HolidayOverrides()
        self._key = (scope, *self.overrides.key)
        self._reasons = _REASONS.setdefault(self._key, {})  # a day is asked about often

    def holiday(self, day: date) -> Holiday | None:
        """The holiday on `day` within this scope, or None."""
        if day in self.overrides.remove:
            return None
        if day in self.overrides.add:
            return Holiday(day, self.overrides.add[day] + " (added by config)", ())
        names: dict[str, list[str]] = {}
        for part in self.scope.parts:
            name = _part_holidays(part, day.year).get(day)
            if name is not None:
                names.setdefault(name, []).append(part)
        if not names:
            return None
        # One date can carry two names (a substitute day beside another); keep the first
        # alphabetically for a stable explanation, with every part that keeps any of them.
        name = sorted(names)[0]
        parts = tuple(p for p in self.scope.parts if any(p in ps for ps in names.values()))
        return Holiday(day, name, parts)

    def non_working_reason(self, day: date) -> str | None:
        """Why `day` is not a working day ("Saturday", "Good Friday (all of the UK)"), or None."""
        if day not in self._reasons:
            self._reasons[day] = self._reason(day)
        return self._reasons[day]

    def _reason(self, day: date) -> str | None:
        if day.weekday() == 5:
            return "Saturday"
        if day.weekday() == 6:
            return "Sunday"
        found = self.holiday(day)
        return found.describe() if found else None

    def is_working_day(self, day: date) -> bool:
        return self.non_working_reason(day) is None

    def count_working_days(self, after: date, through: date) -> int:
        """Working days in (after, through]; 0 when `through` is not later. Answered from
        a per-year running count, so a sweep over thousands of cases does not walk days."""
        if through <= after:
            return 0
        if after.year == through.year:
            return self._running(through) - self._running(after)
        total = self._year_total(after.year) - self._running(after) + self._running(through)
        return total + sum(self._year_total(y) for y in range(after.year + 1, through.year))

    def _running(self, day: date) -> int:
        """Working days from 1 January of `day`'s year up to and including `day`."""
        return self._year_counts(day.year)[day.timetuple().tm_yday - 1]

    def _year_total(self, year: int) -> int:
        return self._year_counts(year)[-1]

    def _year_counts(self, year: int) -> list[int]:
        # Shared by every calendar with the same scope and overrides: callers make a
        # calendar per case, and the year's count need only be worked out once.
        key = (self._key, year)
        if key not in _RUNNING_COUNTS:
            counts, running, day = [], 0, date(year, 1, 1)
            while day.year == year:
                running += self.is_working_day(day)
                counts.append(running)
                day += timedelta(days=1)
            _RUNNING_COUNTS[key] = counts
        return _RUNNING_COUNTS[key]

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def holidays_between(self, start: date, end: date) -> Iterable[Holiday]:
        """The holidays (not weekends) from `start` to `end` inclusive."""
        day = start
        while day <= end:
            found = self.holiday(day)
            if found is not None and day.weekday() < 5:
                yield found
            day += timedelta(days=1)
