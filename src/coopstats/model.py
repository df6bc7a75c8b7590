"""The vocabulary of SPEC §1 and the small value types every module shares.

The value types are NamedTuples: immutable like frozen dataclasses, and about six times quicker
to define, which counts on the start-up of every run.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

COLUMNS = ("id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome")
REQUIRED_COLUMNS = ("id", "organ", "kind", "sent")

# Canonical spellings, keyed by the case-folded form users may write.
ORGANS = {"otp": "OTP", "registry": "Registry"}
KINDS = {
    "rfa": "RFA",
    "mission-notification": "mission-notification",
    "rfi": "RFI",
    "rfc": "RFC",
    "decision-notification": "decision-notification",
}
KIND_ORGAN = {
    "RFA": "OTP",
    "mission-notification": "OTP",
    "RFI": "OTP",
    "RFC": "Registry",
    "decision-notification": "Registry",
}
ORIGINS = {"hq": "HQ", "country-office": "country-office"}
CATEGORIES = ("defence", "victims", "witness-protection", "judicial-support", "arrest-surrender")
OUTCOMES = {"positive": True, "negative": False}


class Period(NamedTuple):
    """A reporting period; both ends are inclusive (SPEC §2)."""

    start: date
    end: date

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


SHOWN = 80  # characters of a value from the file quoted in a message
_SLACK = 40  # a value at most this much longer is quoted whole: "… (N more characters)" fits


def shown(text: str) -> str:
    """A value from the file, short enough for a message: `abc… (1,234,567 more characters)`.

    Idempotent (a shortened value is short enough), so a value can be shortened where it is
    kept and again where it is shown."""
    if len(text) <= SHOWN + _SLACK:
        return text
    return f"{text[:SHOWN]}… ({len(text) - SHOWN:,} more characters)"


def listed(items: list[str], most: int = 10) -> str:
    """`a, b, c and 99,990 more`: a list short enough for a message."""
    head = ", ".join(items[:most])
    return head if len(items) <= most else f"{head} and {len(items) - most:,} more"


class Problem(NamedTuple):
    """One thing wrong with the input, located so that a person can find and fix it."""

    line: int | None
    column: str | None
    value: str | None
    message: str
    code: str
    hint: str | None = None

    def kept(self) -> Problem:
        """This problem with a value short enough to keep in memory (a cell may be 50 MB)."""
        if self.value is None or len(self.value) <= SHOWN + _SLACK:
            return self
        return self._replace(value=shown(self.value))

    def describe(self, source: str) -> str:
        """`file:line: column 'x', value 'v': message (hint)`, the one-line form for stderr."""
        where = source if self.line is None else f"{source}:{self.line}"
        cell = []
        if self.column is not None:
            cell.append(f"column {shown(self.column)!r}")
        if self.value is not None:
            cell.append(f"value {shown(self.value)!r}")
        text = f"{where}: {', '.join(cell)}: {self.message}" if cell else f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class Request(NamedTuple):
    """One valid request, as the rules see it. Built only for commands that list requests."""

    line: int
    id: str
    organ: str
    kind: str
    origin: str | None
    categories: tuple[str, ...]
    sent: date
    executed: date | None
    positive: bool | None
