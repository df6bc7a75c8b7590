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
    """The period moved back by its own calendar length (SPEC §2).

    When END + 1 day lies a whole number of months after START, both ends move back by that many
    months, so 2023-09-16:2024-09-15 gives 2022-09-16:2023-09-15 whatever the leap years;
    otherwise both move back by the period's length in days.
    """
    try:
        return _shift_back(period)
    except (OverflowError, ValueError):
        raise UsageError(
            f"the period before {period} falls outside the calendar (years 1 to 9999); choose "
            "another period, or name the one to compare with in --against"
        ) from None


def _shift_back(period: Period) -> Period:
    start, end = period.start, period.end
    months = (end.year - start.year) * 12 + end.month - start.month
    for n in (months, months + 1):  # END + 1 day falls in END's month or the next
        if n > 0 and _ends_month_span(start, n, end):
            back = relativedelta(months=n)
            return Period(start - back, end - back)
    length = timedelta(days=period.days)
    return Period(start - length, end - length)


def _ends_month_span(start: date, months: int, end: date) -> bool:
    """Whether END + 1 day is START + `months` months (relativedelta clamping a month end),
    asked without forming END + 1 day, which does not exist for 9999-12-31."""
    total = start.month - 1 + months
    year, month = start.year + total // 12, total % 12 + 1
    if year > 9999:
        return (year, month, start.day) == (10000, 1, 1) and end == date(9999, 12, 31)
    return start + relativedelta(months=months) - timedelta(days=1) == end


def consecutive_periods(last: Period, count: int) -> list[Period]:
    """`count` periods ending with `last`, each the prior of the next, oldest first."""
    periods = [last]
    while len(periods) < count:
        periods.append(prior_period(periods[-1]))
    return periods[::-1]


def gaps(periods: list[Period]) -> list[str]:
    """Days that no period of the trend covers.

    SPEC §2 moves a period of whole months back by whole months, clamping month ends, so the
    prior of 2024-02-01:2024-02-29 is 2024-01-01:2024-01-29 and 30-31 January fall in none.
    """
    notes = []
    for before, after in zip(periods, periods[1:], strict=False):
        first_missing = before.end + timedelta(days=1)
        last_missing = after.start - timedelta(days=1)
        if first_missing <= last_missing:
            notes.append(
                f"no period covers {first_missing} to {last_missing} (between {before} and "
                f"{after}): SPEC §2 moves a period of whole months back by whole months, "
                "clamping month ends"
            )
    return notes
