"""`times` as a library call: how long execution takes, with the pending requests in view.

The report's averages are over executed requests only (footnote 8), so a request still pending
after 300 days does not count at all. This module keeps the pending ones too: their ages on the
as-of date (censored observations for a Kaplan–Meier median), the oldest of them, and the flow of
the backlog over the period (pending at its start + sent - executed = pending at its end), the
way the US FOIA annual reports show it.

Only the standard library and the engine are imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from coopstats.catalogue import GROUP, GROUPS, MISSION
from coopstats.checks import PENDING, Kind
from coopstats.engine import Counted, DaysFn, Window, count
from coopstats.model import Period
from coopstats.reading import DEFAULT_READ, ReadOptions, Source
from coopstats.stats import (
    bucket_counts,
    hist_max,
    hist_mean,
    hist_min,
    hist_percentile,
    km_median,
    wilson_interval,
)
from coopstats.summary import check_as_of, skipped_warning

FEW_REQUESTS = 10  # below this many requests sent, a group's figures are flagged as fragile


class TimesWindow(Window):
    """A window that also follows the pending requests and the backlog, per base group.

    For the requests of S still pending on the as-of date: a histogram of their ages (days from
    sent to the as-of date, counted like days to execute) and the oldest of them. For the
    backlog over the period's own dates, whatever the as-of date: the requests pending at the
    start, the executions within the period (whenever sent), and the requests pending at the end.
    """

    sees_all_rows = True

    def __init__(self, period: Period, as_of: date, days: DaysFn | None = None) -> None:
        super().__init__(period, as_of, days)
        self.pending_ages: list[dict[int, int]] = [{} for _ in range(len(GROUPS))]
        self.oldest: list[tuple[int, str] | None] = [None] * len(GROUPS)  # (age, id)
        self.pending_start = [0] * len(GROUPS)
        self.executed_any = [0] * len(GROUPS)
        self.pending_end = [0] * len(GROUPS)

    def age(self, sent: int) -> int:
        """Age on the as-of date; a request sent after it (as-of before the end) is 0 days old."""
        if sent >= self.as_of:
            return 0
        return self.as_of - sent if self.days_fn is None else self.days_fn(sent, self.as_of)

    def add(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        super().add(kind, sent, executed, positive, rid, line)
        done_by_end = PENDING < executed <= self.end  # sent >= start, so executed >= start
        pending = not PENDING < executed <= self.as_of
        age = self.age(sent) if pending else 0
        for g in kind.groups:
            if done_by_end:
                self.executed_any[g] += 1
            else:
                self.pending_end[g] += 1
            if pending:
                ages = self.pending_ages[g]
                ages[age] = ages.get(age, 0) + 1
                best = self.oldest[g]
                if best is None or age > best[0] or (age == best[0] and rid < best[1]):
                    self.oldest[g] = (age, rid)

    def outside(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        if sent > self.end:
            return  # executed after the end too: no part of the period's flow
        if PENDING < executed < self.start:
            return  # sent and executed before the period
        done_by_end = PENDING < executed <= self.end
        for g in kind.groups:
            self.pending_start[g] += 1
            if done_by_end:
                self.executed_any[g] += 1
            else:
                self.pending_end[g] += 1


@dataclass(frozen=True)
class Oldest:
    """The pending request with the greatest age on the as-of date."""

    id: str
    age_days: int


@dataclass(frozen=True)
class Backlog:
    """The flow of the period: pending_start + sent - executed_any = pending_end."""

    pending_start: int
    sent: int
    executed_any: int
    pending_end: int


@dataclass(frozen=True)
class GroupTimes:
    """Every figure of one group. Days are over E (executed as of the as-of date) unless named."""

    id: str
    label: str
    sent: int
    executed: int
    pending: int
    mean_days: Fraction | None
    median_days: float | None
    p90_days: float | None
    min_days: int | None
    max_days: int | None
    km_median_days: int | None
    executed_pct_ci: tuple[float, float] | None
    oldest_pending: Oldest | None
    backlog: Backlog
    days: dict[int, int]  # days to execute over E: {days: requests}
    pending_ages: dict[int, int]  # ages on the as-of date of the pending ones

    @property
    def histogram(self) -> list[tuple[str, int]]:
        """Executed requests per bucket of days (0–30 ... 366+), every bucket listed."""
        return bucket_counts(self.days)

    @property
    def few(self) -> bool:
        return self.sent < FEW_REQUESTS


# The seven groups: id, label, base groups (by their catalogue names). Unions are of disjoint
# base groups, except the category groups (a request may carry several categories), which stand
# alone. The notifications toggle leaves the mission group out, as in every figure.
TIMES_GROUPS: tuple[tuple[str, str, tuple[int, ...]], ...] = tuple(
    (gid, label, tuple(GROUP[name].index for name in names.split()))
    for gid, label, names in (
        ("otp.rfa", "OTP: requests for assistance (RFAs)", "rfa mission"),
        ("otp.rfi", "OTP: requests for information on preliminary examinations (RFIs)", "rfi"),
        ("registry.rfc", "Registry: requests for cooperation (RFCs)", "rfc_hq rfc_co"),
        ("registry.rfc.hq", "Registry: RFCs sent by the sections in HQ", "rfc_hq"),
        (
            "registry.rfc.country_office",
            "Registry: operational requests sent by the Country Offices",
            "rfc_co",
        ),
        ("registry.hq.defence", "Registry: defence teams' requests (HQ RFCs)", "hq_defence"),
        ("registry.arrest", "Registry: RFCs for arrest and surrender", "arrest"),
    )
)
TIMES_GROUP_IDS = tuple(gid for gid, _, _ in TIMES_GROUPS)


def _merged(hists: Iterable[dict[int, int]]) -> dict[int, int]:
    out: dict[int, int] = {}
    for hist in hists:
        for k, c in hist.items():
            out[k] = out.get(k, 0) + c
    return dict(sorted(out.items()))


def _oldest(candidates: Iterable[tuple[int, str] | None]) -> Oldest | None:
    """Greatest age; among equal ages, the smallest id."""
    best: tuple[int, str] | None = None
    for c in candidates:
        if c is not None and (best is None or (-c[0], c[1]) < (-best[0], best[1])):
            best = c
    return Oldest(best[1], best[0]) if best is not None else None


def group_times(window: TimesWindow, gid: str, label: str, groups: Sequence[int]) -> GroupTimes:
    """The figures of the union of disjoint base `groups`."""
    sent = sum(window.sent[g] for g in groups)
    executed = sum(window.executed[g] for g in groups)
    days = _merged(window.days[g] for g in groups)
    ages = _merged(window.pending_ages[g] for g in groups)
    return GroupTimes(
        id=gid,
        label=label,
        sent=sent,
        executed=executed,
        pending=sent - executed,
        mean_days=hist_mean(days),
        median_days=hist_percentile(days, 0.5),
        p90_days=hist_percentile(days, 0.9),
        min_days=hist_min(days),
        max_days=hist_max(days),
        km_median_days=km_median(days, ages),
        executed_pct_ci=wilson_interval(executed, sent),
        oldest_pending=_oldest(window.oldest[g] for g in groups),
        backlog=Backlog(
            pending_start=sum(window.pending_start[g] for g in groups),
            sent=sent,
            executed_any=sum(window.executed_any[g] for g in groups),
            pending_end=sum(window.pending_end[g] for g in groups),
        ),
        days=days,
        pending_ages=ages,
    )


def times_groups(window: TimesWindow, notifications: bool = True) -> list[GroupTimes]:
    """The seven groups' figures, in the order of TIMES_GROUPS."""
    out = []
    for gid, label, groups in TIMES_GROUPS:
        if not notifications and MISSION.index in groups:
            groups = tuple(g for g in groups if g != MISSION.index)
            label += ", notifications of missions left out"
        out.append(group_times(window, gid, label, groups))
    return out


@dataclass(frozen=True)
class Times:
    source: str
    period: Period
    as_of: date
    days: str  # "calendar" or "working"
    notifications: bool
    groups: list[GroupTimes]
    counted: Counted
    warnings: list[str] = field(default_factory=list)


def execution_times(
    source: Source,
    period: Period,
    *,
    as_of: date | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    days: DaysFn | None = None,
    days_name: str = "calendar",
) -> Times:
    """Time to execute per group for `period`, pending requests included, in one pass."""
    as_of = check_as_of(period, as_of)

    def windows() -> list[Window]:
        return [TimesWindow(period, as_of, days)]

    counted = count(source, windows, options)
    window = counted.windows[0]
    assert isinstance(window, TimesWindow)
    note = skipped_warning(counted)
    return Times(
        source=source.name,
        period=period,
        as_of=as_of,
        days=days_name,
        notifications=notifications,
        groups=times_groups(window, notifications),
        counted=counted,
        warnings=[note] if note else [],
    )
