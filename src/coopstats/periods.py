"""Periods on the command line, the prior period (SPEC §2) and reporting years."""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from coopstats.errors import UsageError
from coopstats.model import Period

COURT_YEAR_START = (9, 16)  # the Court's reporting year runs 16 September to 15 September
EXAMPLE = "2023-09-16:2024-09-15 (or 2023-09-16/2024-09-15, or a reporting year: 2024)"


def parse_iso(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{what}: {text!r} is not a date; write it as YYYY-MM-DD") from None


def parse_year_start(text: str) -> tuple[int, int]:
    """`MM-DD` → (month, day); 29 February is refused since most years lack it."""
    m = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text)
    try:
        if not m:
            raise ValueError
        month, day = int(m[1]), int(m[2])
        date(2023, month, day)  # a common year: refuses 02-29 and 04-31 alike
    except ValueError:
        raise UsageError(
            f"--year-start: {text!r} is not a month and day; write it as MM-DD, e.g. 09-16"
        ) from None
    return month, day


def reporting_year(year: int, start: tuple[int, int] = COURT_YEAR_START) -> Period:
    """The reporting year that ends in `year`: 2024 → 2023-09-16:2024-09-15 for the Court."""
    month, day = start
    if (month, day) == (1, 1):
        return Period(date(year, 1, 1), date(year, 12, 31))
    return Period(date(year - 1, month, day), date(year, month, day) - timedelta(days=1))


def parse_period(
    text: str, year_start: tuple[int, int] = COURT_YEAR_START, option: str = "--period"
) -> Period:
    """`START:END`, `START/END` (both inclusive) or a bare reporting year."""
    raw = text.strip()
    if re.fullmatch(r"\d{4}", raw):
        year = int(raw)
        if not 2 <= year <= 9999:
            raise UsageError(f"{option}: {text!r} is not a usable year; e.g. {EXAMPLE}")
        return reporting_year(year, year_start)
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\s*[:/]\s*(\d{4}-\d{2}-\d{2})", raw)
    if not m:
        raise UsageError(f"{option}: {text!r} is not a period; write e.g. {EXAMPLE}")
    try:
        start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
    except ValueError:
        raise UsageError(
            f"{option}: {text!r} names a day that does not exist; write e.g. {EXAMPLE}"
        ) from None
    if end < start:
        raise UsageError(f"{option}: {text!r} ends before it starts; write e.g. {EXAMPLE}")
    return Period(start, end)


def prior_period(period: Period) -> Period:
    """The period moved back by its own calendar length (SPEC §2).

    When END + 1 day lies a whole number of months after START, both ends move back by that many
    months, so 2023-09-16:2024-09-15 gives 2022-09-16:2023-09-15 whatever the leap years;
    otherwise both move back by the period's length in days.
    """
    try:
        return _shift_back(period)
    except (OverflowError, ValueError):
        raise UsageError(
            f"the period before {period} would start before the year 1; choose a later period"
        ) from None


def _shift_back(period: Period) -> Period:
    after_end = period.end + timedelta(days=1)
    months = (after_end.year - period.start.year) * 12 + after_end.month - period.start.month
    if months > 0 and period.start + relativedelta(months=months) == after_end:
        back = relativedelta(months=months)
        return Period(period.start - back, period.end - back)
    length = timedelta(days=period.days)
    return Period(period.start - length, period.end - length)


def consecutive_periods(last: Period, count: int) -> list[Period]:
    """`count` periods ending with `last`, each the prior of the next, oldest first."""
    periods = [last]
    while len(periods) < count:
        periods.append(prior_period(periods[-1]))
    return periods[::-1]
