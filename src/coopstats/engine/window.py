"""A window's counts: the requests of one period as of one date, per base group, and the account
of a whole pass (Counted). What the engine's loops fill and the figures read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from coopstats.breakdown import SplitReport
from coopstats.catalogue import GROUPS
from coopstats.checks import PENDING, Kind
from coopstats.dates import DateOrder
from coopstats.engine._ids import IdRun
from coopstats.model import Period, Problem, Request

PROBLEMS_KEPT = 10_000  # beyond this, problems are counted but not kept
DaysFn = Callable[[int, int], int]
# A window's counts, and its parts' (per --by group), to send from one process to another.
WindowState = tuple[
    list[int], list[int], list[int], list[dict[int, int]], dict[str, "WindowState"]
]
COUNT = len(GROUPS)
NO_FIRST, NO_LAST = date.max.toordinal() + 1, 0  # before any request is seen


class Visited(NamedTuple):
    """One valid request as a visitor sees it: model.Request's values (dates; `executed` and
    `positive` None when pending), then the base groups it counts in (indices of
    catalogue.GROUPS) and its --by groups (none without --by)."""

    line: int
    id: str
    organ: str
    kind: str
    origin: str | None
    categories: tuple[str, ...]
    sent: date
    executed: date | None
    positive: bool | None
    groups: tuple[int, ...]
    by: tuple[str, ...] = ()

    def request(self) -> Request:
        return Request(*self[:9])


class Window:
    """The counts of one period as of one date: S, E, positive replies and days, per base group.

    SPEC §2: S = requests sent within the period; E = those of S executed on or before the as-of
    date. Days to execute are kept as a histogram per group, which gives exact means, medians
    and percentiles in memory bounded by the number of distinct day values.

    With --by, each --by group of requests has its own window of the same period, a *part*
    (`part(value)`, made on the first request of that group): the pass adds a request to the
    window and to its part for each of the request's groups (see breakdown.py).
    """

    def __init__(self, period: Period, as_of: date, days: DaysFn | None = None) -> None:
        self.period = period
        self.as_of_date = as_of
        self.start = period.start.toordinal()
        self.end = period.end.toordinal()
        self.as_of = as_of.toordinal()
        self.days_fn = days
        self.sent = [0] * COUNT
        self.executed = [0] * COUNT
        self.positive = [0] * COUNT
        self.days: list[dict[int, int]] = [{} for _ in range(COUNT)]
        self.parts: dict[str, Window] = {}

    def part(self, value: str) -> Window:
        """The window of the requests of one --by group, made on demand."""
        part = self.parts.get(value)
        if part is None:
            part = self.parts[value] = Window(self.period, self.as_of_date, self.days_fn)
        return part

    def add(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        """Count one request of S (the caller has checked that it was sent in the period).

        `sent` and `executed` are day ordinals, `executed` PENDING when empty; `positive` says
        whether the request was executed with a positive reply.
        """
        if PENDING < executed <= self.as_of:
            d = executed - sent if self.days_fn is None else self.days_fn(sent, executed)
            for g in kind.groups:
                self.sent[g] += 1
                self.executed[g] += 1
                hist = self.days[g]
                hist[d] = hist.get(d, 0) + 1
                if positive:
                    self.positive[g] += 1
        else:
            for g in kind.groups:
                self.sent[g] += 1

    def add_counts(self, kind: Kind, counts: dict[int, int]) -> None:
        """Add requests of one kind counted by the block loop: `counts` maps 2 × days +
        positive to a number of requests executed by the as-of date, and -1 to the others."""
        for key, n in counts.items():
            for g in kind.groups:
                self.sent[g] += n
                if key >= 0:
                    self.executed[g] += n
                    hist = self.days[g]
                    hist[key >> 1] = hist.get(key >> 1, 0) + n
                    if key & 1:
                        self.positive[g] += n

    def state(self) -> WindowState:
        """The counts alone, to send from one process to another."""
        parts = {value: part.state() for value, part in self.parts.items()}
        return self.sent, self.executed, self.positive, self.days, parts

    def merge(self, state: WindowState) -> None:
        """Add the counts of the same window over another part of the log."""
        sent, executed, positive, days, parts = state
        for value, part in parts.items():
            self.part(value).merge(part)
        for g in range(COUNT):
            self.sent[g] += sent[g]
            self.executed[g] += executed[g]
            self.positive[g] += positive[g]
            mine = self.days[g]
            for d, n in days[g].items():
                mine[d] = mine.get(d, 0) + n


@dataclass
class Counted:
    """What one pass over a log found: the windows' counts and an account of every record."""

    source: str
    windows: list[Window]
    records: int = 0  # records read after the header, blank lines aside
    invalid_rows: int = 0
    invalid_lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    first_sent: date | None = None  # over valid requests
    last_sent: date | None = None
    date_order: DateOrder | None = None
    id_runs: list[IdRun] = field(default_factory=list)  # one per part, in the log's order
    split: SplitReport | None = None  # what the pass learnt of --by and --where
    absent: tuple[str, ...] = ()  # the optional columns the log does not have

    @property
    def valid_rows(self) -> int:
        return self.records - self.invalid_rows

    def absorb(self, other: Counted) -> None:
        """Add the account of the part of the log that follows this one (another process's)."""
        self.records += other.records
        self.invalid_rows += other.invalid_rows
        self.invalid_lines += other.invalid_lines
        self.problem_count += other.problem_count
        self.problems += other.problems[: max(0, PROBLEMS_KEPT - len(self.problems))]
        self.id_runs += other.id_runs
        if self.split is not None and other.split is not None:
            self.split = self.split.absorb(other.split)
        firsts = [d for d in (self.first_sent, other.first_sent) if d is not None]
        lasts = [d for d in (self.last_sent, other.last_sent) if d is not None]
        self.first_sent = min(firsts) if firsts else None
        self.last_sent = max(lasts) if lasts else None

    def reject(self, line: int, problems: list[Problem]) -> None:
        self.invalid_rows += 1
        self.invalid_lines.append(line)
        self.problem_count += len(problems)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.extend(problem.kept() for problem in problems)
