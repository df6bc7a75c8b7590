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
        if (month, day) == (2, 29):
            raise UsageError(
                "--year-start: 02-29 is not in every year; a reporting year needs a start that "
                "every year has, e.g. 03-01"
            )
        date(2023, month, day)  # refuses 04-31 and the like
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
    """The period of the same calendar length that ends the day before START (SPEC §2).

    When END + 1 day lies a whole number n of months after START, it is START - n months (a
    month end clamped, as relativedelta clamps it) to START - 1 day, so 2023-09-16:2024-09-15
    gives 2022-09-16:2023-09-15 whatever the leap years and 2024-02-01:2024-02-29 gives the
    whole of January; otherwise it is the period of the same number of days. A period and its
    prior never leave a day between them.
    """
    return period_before(period, 1)


def period_before(period: Period, k: int) -> Period:
    """The k-th period before `period` (k >= 1), counted from its START, never chained (SPEC §2).

    A period of n whole months gives START - k*n months to START - (k-1)*n months - 1 day, so
    quarters and months stay on the calendar (2024-01-01:2024-03-31, k = 2: 2023-07-01 to
    2023-09-30); any other period gives the k-th block of the same number of days before it.
    """
    try:
        months = _months(period)
        if months is None:
            length = timedelta(days=period.days)
            start = period.start - k * length
            return Period(start, start + length - timedelta(days=1))
        return Period(
            period.start - relativedelta(months=k * months),
            period.start - relativedelta(months=(k - 1) * months) - timedelta(days=1),
        )
    except (OverflowError, ValueError):
        raise UsageError(
            f"the period before {period} falls outside the calendar (years 1 to 9999); choose "
            "another period, or name the one to compare with in --against"
        ) from None


def _months(period: Period) -> int | None:
    """n when END + 1 day is START + n whole months (n >= 1), else None."""
    start, end = period.start, period.end
    months = (end.year - start.year) * 12 + end.month - start.month
    for n in (months, months + 1):  # END + 1 day falls in END's month or the next
        if n > 0 and _ends_month_span(start, n, end):
            return n
    return None


def _ends_month_span(start: date, months: int, end: date) -> bool:
    """Whether END + 1 day is START + `months` months (relativedelta clamping a month end),
    asked without forming END + 1 day, which does not exist for 9999-12-31."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    if year > 9999:
        return (year, month, start.day) == (10000, 1, 1) and end == date(9999, 12, 31)
    return start + relativedelta(months=months) - timedelta(days=1) == end


def consecutive_periods(last: Period, count: int) -> list[Period]:
    """`count` consecutive periods ending with `last`, oldest first: the k-th before `last`
    for k = count - 1 down to 1, then `last` (SPEC §2)."""
    return [period_before(last, k) for k in range(count - 1, 0, -1)] + [last]
