"""`times` as a library call: how long execution takes, with the pending requests in view.

The report's averages are over executed requests only (footnote 8), so a request still pending
after 300 days does not count at all. This module keeps the pending ones too: their ages on the
as-of date (censored observations for a Kaplan–Meier median), the oldest of them, and the flow of
the backlog over the period (pending at its start + sent - executed = pending at its end), the
way the US FOIA annual reports show it. And SPEC §7's measures, as the CourTools court measures
define them: percentiles of the days to execute, the shares executed within N days, the
clearance rate, and the ageing of every request pending on the as-of date with the oldest of
them. Every value is exact (ints and Fractions), rounded once when printed.

Only the standard library and the engine are imported.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import NamedTuple

from coopstats.breakdown import Breakdown, order_groups, requests_sent
from coopstats.catalogue import GROUPS, MISSION, TIMES_GROUPS, rate
from coopstats.checks import PENDING
from coopstats.engine import Counted, DaysFn, Visited, visit
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.read import DEFAULT_READ, ReadOptions, Source
from coopstats.stats import (
    BUCKETS,
    Bands,
    bucket_counts,
    hist_max,
    hist_mean,
    hist_min,
    hist_quantile,
    hist_within,
    km_median,
    wilson_interval,
)
from coopstats.summary import (
    absent_column_warnings,
    by_column,
    check_as_of,
    skipped_warning,
    split_warnings,
    with_breakdown,
)

FEW_REQUESTS = 10  # below this many requests sent, a group's figures are flagged as fragile


class Measures(NamedTuple):
    """What `times` measures beyond the fixed figures (SPEC §7)."""

    percentiles: tuple[Fraction, ...] = (Fraction(50), Fraction(90))  # in %
    within: tuple[int, ...] = ()  # days
    bands: Bands = BUCKETS
    oldest: int = 5  # how many of the oldest pending requests to list


DEFAULT_MEASURES = Measures()


def parse_percentiles(text: str) -> tuple[Fraction, ...]:
    """`--percentiles 50,90,99.5`: numbers from 0 to 100."""
    allowed = "each percentile is a number from 0 to 100, e.g. --percentiles 50,90,99.5"
    values: list[Fraction] = []
    for item in _items(text, "--percentiles", allowed):
        try:
            value = Fraction(item)
        except (ValueError, ZeroDivisionError):
            raise UsageError(f"--percentiles {text}: {item!r} is not a number; {allowed}") from None
        if not 0 <= value <= 100 or "/" in item:
            raise UsageError(f"--percentiles {text}: {item} is out of range; {allowed}")
        if value not in values:
            values.append(value)
    return tuple(values)


def parse_days_list(text: str, option: str) -> tuple[int, ...]:
    """`--within 30,90` or `--bands 30,90,180,365`: whole numbers of days, increasing."""
    example = "--bands 30,90,180,365" if option == "--bands" else "--within 30,90"
    allowed = f"give whole numbers of days in increasing order, e.g. {example}"
    days = []
    for item in _items(text, option, allowed):
        if not item.isdigit():
            raise UsageError(f"{option} {text}: {item!r} is not a whole number of days; {allowed}")
        days.append(int(item))
    if any(b <= a for a, b in zip(days, days[1:], strict=False)):
        raise UsageError(f"{option} {text}: the days do not increase; {allowed}")
    return tuple(days)


def _items(text: str, option: str, allowed: str) -> list[str]:
    items = [item.strip() for item in text.split(",")]
    if not text.strip() or not all(items):
        raise UsageError(f"{option} {text!r}: {allowed}")
    return items


def percentile_name(p: Fraction) -> str:
    """`50` → "50th percentile (median)", `99.5` → "99.5th percentile"."""
    number = str(p.numerator) if p.denominator == 1 else format(float(p), "g")
    suffix = "th"
    if p.denominator == 1 and p.numerator % 100 not in (11, 12, 13):
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(p.numerator % 10, "th")
    return f"{number}{suffix} percentile" + (" (median)" if p == 50 else "")


class TimesWindow:
    """The counts of one period as of one date (S, E and days per base group, as a Window
    keeps them) that also follow the pending requests and the backlog, per base group: a
    visitor of every valid request (engine.visit), with a part per --by group.

    For the requests of S still pending on the as-of date: a histogram of their ages (days from
    sent to the as-of date, counted like days to execute) and the oldest of them. For the
    backlog over the period's own dates, whatever the as-of date: the requests pending at the
    start, the executions within the period (whenever sent), and the requests pending at the end.
    SPEC §7's measures: the requests executed from START to the earlier of END and the as-of
    date, whatever their sent date (for the clearance rate), and the ageing of every request of
    the log pending at the as-of date, whatever its period, with the `oldest` oldest of them.
    """

    def __init__(
        self, period: Period, as_of: date, days: DaysFn | None = None, oldest: int = 5
    ) -> None:
        self.period = period
        self.as_of_date = as_of
        self.start = period.start.toordinal()
        self.end = period.end.toordinal()
        self.as_of = as_of.toordinal()
        self.days_fn = days
        self.sent = [0] * len(GROUPS)
        self.executed = [0] * len(GROUPS)
        self.positive = [0] * len(GROUPS)
        self.days: list[dict[int, int]] = [{} for _ in range(len(GROUPS))]
        self.parts: dict[str, TimesWindow] = {}
        self.keep = oldest
        self.last_day = min(self.end, self.as_of)  # of the executions the clearance counts
        self.pending_ages: list[dict[int, int]] = [{} for _ in range(len(GROUPS))]
        self.oldest: list[tuple[int, str] | None] = [None] * len(GROUPS)  # (age, id)
        self.pending_start = [0] * len(GROUPS)
        self.executed_any = [0] * len(GROUPS)
        self.pending_end = [0] * len(GROUPS)
        self.cleared = [0] * len(GROUPS)
        self.ageing: list[dict[int, int]] = [{} for _ in range(len(GROUPS))]
        # Per group the `keep` oldest pending at the as-of date: (-age, id, sent), sorted.
        self.oldest_all: list[list[tuple[int, str, int]]] = [[] for _ in range(len(GROUPS))]

    def __call__(self, request: Visited) -> None:
        sent = request.sent.toordinal()
        executed = PENDING if request.executed is None else request.executed.toordinal()
        if self.start <= sent <= self.end:  # take(), inline: once per request of the log
            self.add(request.groups, sent, executed, bool(request.positive), request.id)
        else:
            self.outside(request.groups, sent, executed, request.id)
        for key in request.by:
            part = self.parts.get(key)
            if part is None:
                part = self.parts[key] = TimesWindow(
                    self.period, self.as_of_date, self.days_fn, self.keep
                )
            part.take(request.groups, sent, executed, bool(request.positive), request.id)

    def take(
        self, groups: tuple[int, ...], sent: int, executed: int, positive: bool, rid: str
    ) -> None:
        """One request of a --by group: `sent` and `executed` are day ordinals, `executed`
        PENDING when empty."""
        if self.start <= sent <= self.end:
            self.add(groups, sent, executed, positive, rid)
        else:
            self.outside(groups, sent, executed, rid)

    def age(self, sent: int) -> int:
        """Age on the as-of date; a request sent after it (as-of before the end) is 0 days old."""
        if sent >= self.as_of:
            return 0
        return self.as_of - sent if self.days_fn is None else self.days_fn(sent, self.as_of)

    def add(
        self, groups: tuple[int, ...], sent: int, executed: int, positive: bool, rid: str
    ) -> None:
        """A request of S (sent in the period)."""
        if PENDING < executed <= self.as_of:
            d = executed - sent if self.days_fn is None else self.days_fn(sent, executed)
            for g in groups:
                self.sent[g] += 1
                self.executed[g] += 1
                hist = self.days[g]
                hist[d] = hist.get(d, 0) + 1
                if positive:
                    self.positive[g] += 1
        else:
            for g in groups:
                self.sent[g] += 1
        done_by_end = PENDING < executed <= self.end  # sent >= start, so executed >= start
        cleared = PENDING < executed <= self.last_day
        pending = not PENDING < executed <= self.as_of
        age = self.age(sent) if pending else 0
        for g in groups:
            if done_by_end:
                self.executed_any[g] += 1
            else:
                self.pending_end[g] += 1
            if cleared:
                self.cleared[g] += 1
            if pending:
                ages = self.pending_ages[g]
                ages[age] = ages.get(age, 0) + 1
                best = self.oldest[g]
                if best is None or age > best[0] or (age == best[0] and rid < best[1]):
                    self.oldest[g] = (age, rid)
        if pending and sent <= self.as_of:
            self.aged(groups, sent, rid, age)

    def outside(self, groups: tuple[int, ...], sent: int, executed: int, rid: str) -> None:
        """A request sent before or after the period."""
        if sent <= self.as_of and not PENDING < executed <= self.as_of:
            self.aged(groups, sent, rid, self.age(sent))
        if sent > self.end:
            return  # executed after the end too: no part of the period's flow
        if PENDING < executed < self.start:
            return  # sent and executed before the period
        done_by_end = PENDING < executed <= self.end
        cleared = PENDING < executed <= self.last_day
        for g in groups:
            self.pending_start[g] += 1
            if done_by_end:
                self.executed_any[g] += 1
            else:
                self.pending_end[g] += 1
            if cleared:
                self.cleared[g] += 1

    def aged(self, groups: tuple[int, ...], sent: int, rid: str, age: int) -> None:
        """A request pending at the as-of date, whatever its period (SPEC §7's ageing)."""
        key = (-age, rid, sent)
        for g in groups:
            ages = self.ageing[g]
            ages[age] = ages.get(age, 0) + 1
            kept = self.oldest_all[g]
            if len(kept) < self.keep:
                insort(kept, key)
            elif self.keep and key < kept[-1]:
                insort(kept, key)
                kept.pop()


class Aged(NamedTuple):
    """A request pending at the as-of date: its id, sent date and age in days."""

    id: str
    sent: date
    age_days: int


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
    """Every figure of one group. Days are over E (executed as of the as-of date) unless named.

    Exact values (ints and Fractions) throughout, but for the confidence interval: they are
    rounded once, when printed.
    """

    id: str
    label: str
    sent: int
    executed: int
    pending: int
    mean_days: Fraction | None
    median_days: Fraction | None
    p90_days: Fraction | None
    min_days: int | None
    max_days: int | None
    km_median_days: int | None
    executed_pct_ci: tuple[float, float] | None
    oldest_pending: Oldest | None
    backlog: Backlog
    days: dict[int, int]  # days to execute over E: {days: requests}
    pending_ages: dict[int, int]  # ages on the as-of date of the pending ones
    percentiles: tuple[tuple[Fraction, Fraction | None], ...] = ()  # (p in %, days)
    within: tuple[tuple[int, int, Fraction | None], ...] = ()  # (N days, requests, % of sent)
    cleared: int = 0  # executed from START to the earlier of END and the as-of date
    clearance_pct: Fraction | None = None
    ageing: dict[int, int] = field(default_factory=dict)  # every request pending at as-of
    oldest: tuple[Aged, ...] = ()  # the oldest of them, ties by id
    bands: Bands = BUCKETS

    @property
    def histogram(self) -> list[tuple[str, int]]:
        """Executed requests per band of days (0–30 ... 366+), every band listed."""
        return bucket_counts(self.days, self.bands)

    @property
    def ageing_bands(self) -> list[tuple[str, int]]:
        """Requests pending at the as-of date per band of age, every band listed."""
        return bucket_counts(self.ageing, self.bands)

    @property
    def aged(self) -> int:
        """Requests pending at the as-of date, whatever their period."""
        return sum(self.ageing.values())

    @property
    def few(self) -> bool:
        return self.sent < FEW_REQUESTS


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


def group_times(
    window: TimesWindow,
    gid: str,
    label: str,
    groups: Sequence[int],
    measures: Measures = DEFAULT_MEASURES,
) -> GroupTimes:
    """The figures of the union of disjoint base `groups`."""
    sent = sum(window.sent[g] for g in groups)
    executed = sum(window.executed[g] for g in groups)
    days = _merged(window.days[g] for g in groups)
    ages = _merged(window.pending_ages[g] for g in groups)
    cleared = sum(window.cleared[g] for g in groups)
    kept = sorted(key for g in groups for key in window.oldest_all[g])[: measures.oldest]
    return GroupTimes(
        id=gid,
        label=label,
        sent=sent,
        executed=executed,
        pending=sent - executed,
        mean_days=hist_mean(days),
        median_days=hist_quantile(days, Fraction(1, 2)),
        p90_days=hist_quantile(days, Fraction(9, 10)),
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
        percentiles=tuple((p, hist_quantile(days, p / 100)) for p in measures.percentiles),
        within=tuple(
            (n, hist_within(days, n), rate(hist_within(days, n), sent)) for n in measures.within
        ),
        cleared=cleared,
        clearance_pct=rate(cleared, sent),
        ageing=_merged(window.ageing[g] for g in groups),
        oldest=tuple(Aged(rid, date.fromordinal(day), -age) for age, rid, day in kept),
        bands=measures.bands,
    )


def times_groups(
    window: TimesWindow, notifications: bool = True, measures: Measures = DEFAULT_MEASURES
) -> list[GroupTimes]:
    """The seven groups' figures, in the order of TIMES_GROUPS."""
    out = []
    for gid, label, groups in TIMES_GROUPS:
        if not notifications and MISSION.index in groups:
            groups = tuple(g for g in groups if g != MISSION.index)
            label += ", notifications of missions left out"
        out.append(group_times(window, gid, label, groups, measures))
    return out


@dataclass(frozen=True)
class TimesBy:
    """The seven groups' figures for the requests of one --by group (SPEC §6)."""

    value: str  # "" for the blank group
    groups: list[GroupTimes]


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
    measures: Measures = DEFAULT_MEASURES
    by: str | None = None  # the --by column as the log spells it
    breakdown: list[TimesBy] = field(default_factory=list)


def _counts_anything(groups: list[GroupTimes]) -> bool:
    """Whether a --by group holds a request that some figure of `times` counts."""
    return any(g.sent or g.aged or g.cleared or g.backlog.pending_start for g in groups)


def execution_times(
    source: Source,
    period: Period,
    *,
    as_of: date | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    days: DaysFn | None = None,
    days_name: str = "calendar",
    measures: Measures = DEFAULT_MEASURES,
    breakdown: Breakdown | None = None,
) -> Times:
    """Time to execute per group for `period`, pending requests included, in one pass."""
    as_of = check_as_of(period, as_of)

    counted, window = visit(
        source, lambda: TimesWindow(period, as_of, days, measures.oldest),
        with_breakdown(options, breakdown),
    )  # fmt: skip
    parts = {
        value: (part, figures)
        for value, part in window.parts.items()
        if _counts_anything(figures := times_groups(part, notifications, measures))
    }
    values = order_groups(parts, lambda value: requests_sent(parts[value][0]))
    notes = [*absent_column_warnings(counted), skipped_warning(counted), *split_warnings(counted)]
    return Times(
        source=source.name,
        period=period,
        as_of=as_of,
        days=days_name,
        notifications=notifications,
        groups=times_groups(window, notifications, measures),
        counted=counted,
        warnings=[note for note in notes if note],
        measures=measures,
        by=by_column(counted),
        breakdown=[TimesBy(value, parts[value][1]) for value in values],
    )
