"""Reading the dates of a log: ISO first and fast, the other common spellings strictly.

SPEC §1: numeric day/month order is never guessed. A date such as 05/06/2023 is read only once
the order is known, from --dayfirst / --monthfirst or from the file itself (a 25/12/2023 proves
day-first); `infer_order` settles it for a whole file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Literal

DateOrder = Literal["day", "month"]

# English month names, and French ones (a working language of the Court: `16 sept. 2023`).
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janv", "janvier"),
            ("feb", "february", "fév", "févr", "fev", "fevr", "février", "fevrier"),
            ("mar", "march", "mars"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juil", "juillet"),
            ("aug", "august", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "déc", "décembre", "decembre"),
        ),
        start=1,
    )
    for name in names
}

# Patterns are compiled on first use (re caches them): most logs hold only ISO dates, which
# never reach them, and start-up is most of the time of a small summary.
# A time of day after the date is allowed and ignored (Excel writes `2023-09-16 00:00:00`).
_TIME = r"(?:[T ]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm]|Z|[+-]\d{2}:?\d{2})?)?"
_YEAR_FIRST = r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME
_NUMERIC = r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})" + _TIME
_SHORT_YEAR = r"\d{1,2}([-/.])\d{1,2}\1\d{2}" + _TIME
_LETTERS = r"([^\W\d_]{3,9})"  # letters of any alphabet: `févr`, `août`
_DAY_MONTH_NAME = r"(\d{1,2})[ -]" + _LETTERS + r"\.?,?[ -](\d{4})" + _TIME
_MONTH_NAME_DAY = _LETTERS + r"\.? (\d{1,2}),? (\d{4})" + _TIME
_SERIAL = r"\d{5}(?:\.\d+)?"  # 45185 is how Excel stores 16/09/2023

ACCEPTED = "2023-09-16, 16/09/2023, 16.09.2023 or 16 Sep 2023"


class DateProblem(ValueError):
    """A cell that is not a date; the message says what was expected."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NeedDateOrder(Exception):
    """A numeric date was met before the file's day/month order was settled."""


def _make(year: int, month: int, day: int, text: str) -> int:
    try:
        return date(year, month, day).toordinal()
    except ValueError:
        raise DateProblem(
            f"no such date ({year:04d}-{month:02d}-{day:02d})", "check the day and the month"
        ) from None


def parse_date(text: str, order: DateOrder | None) -> int:
    """The proleptic ordinal of the date `text` spells; raises DateProblem or NeedDateOrder."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text).toordinal()
        except ValueError:
            pass  # fall through to the strict forms for a precise message
    text = text.strip()
    if m := re.fullmatch(_YEAR_FIRST, text):
        return _make(int(m[1]), int(m[3]), int(m[4]), text)
    if m := re.fullmatch(_NUMERIC, text):
        if order is None:
            raise NeedDateOrder(text)
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        day, month = (first, second) if order == "day" else (second, first)
        if month > 12:
            raise DateProblem(
                f"no month {month} ({'day' if order == 'day' else 'month'}-first order)",
                "check --dayfirst / --monthfirst",
            )
        return _make(year, month, day, text)
    if m := re.fullmatch(_DAY_MONTH_NAME, text):
        return _make(int(m[3]), _month(m[2]), int(m[1]), text)
    if m := re.fullmatch(_MONTH_NAME_DAY, text):
        return _make(int(m[3]), _month(m[1]), int(m[2]), text)
    if re.fullmatch(_SHORT_YEAR, text):
        raise DateProblem("two-digit year", "write the year in full, e.g. 16/09/2023")
    if re.fullmatch(_SERIAL, text):
        raise DateProblem(
            "a number, not a date",
            "this looks like Excel's day number: format the column as a date before exporting",
        )
    raise DateProblem("not a date", f"expected a date like {ACCEPTED}")


def _month(name: str) -> int:
    try:
        return MONTHS[name.lower()]
    except KeyError:
        raise DateProblem(f"unknown month name {name!r}", "use English month names") from None


def numeric_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a day/month-ambiguous spelling (`05/06/2023`), else None."""
    m = re.fullmatch(_NUMERIC, text.strip())
    return (int(m[1]), int(m[3])) if m else None


class OrderEvidence:
    """What a file's numeric dates prove about their day/month order, and the lines proving it."""

    def __init__(self) -> None:
        self.day_first: list[int] = []
        self.month_first: list[int] = []
        self.ambiguous: list[int] = []

    def add(self, line: int, text: str) -> None:
        parts = numeric_parts(text)
        if parts is None or 0 in parts or max(parts) > 31:
            return  # no reading makes a date of it: it proves nothing, and is reported later
        first, second = parts
        if first > 12 >= second:
            found = self.day_first
        elif second > 12 >= first:
            found = self.month_first
        elif first != second and first <= 12 and second <= 12:
            found = self.ambiguous
        else:
            return
        if not found or found[-1] != line:  # sent and executed on one line: name it once
            found.append(line)

    def order(self) -> DateOrder | None:
        """The order the file proves; None when it proves neither or both (see `conflict`)."""
        if self.day_first and not self.month_first:
            return "day"
        if self.month_first and not self.day_first:
            return "month"
        if not (self.day_first or self.month_first or self.ambiguous):
            return "day"  # every numeric date reads the same either way (e.g. 05/05/2023)
        return None


def lines_text(lines: Iterable[int], most: int = 5) -> str:
    """`3, 8, 12 and 4 more`: a short list of line numbers for a message."""
    shown = list(lines)
    head = ", ".join(str(n) for n in shown[:most])
    return head if len(shown) <= most else f"{head} and {len(shown) - most} more"
