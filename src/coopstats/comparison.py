"""`compare` and `trend` as library calls: several periods counted in one pass over the log.

Each period is counted as the report of its year would have counted it: as of its own end
(SPEC §2), so a past year's figures do not move when later executions are logged. Only the
current period (for `trend`, the last one) takes another as-of date when one is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from coopstats import catalogue
from coopstats.breakdown import Breakdown
from coopstats.catalogue import Figure, Shape, Value, compute
from coopstats.engine import Counted, Window, count
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.periods import consecutive_periods, prior_period
from coopstats.read import DEFAULT_READ, ReadOptions, Source
from coopstats.summary import (
    absent_column_warnings,
    by_column,
    check_as_of,
    empty_period_warning,
    group_values,
    incomplete_prior_warning,
    part_of,
    skipped_warning,
    split_warnings,
    with_breakdown,
)


def compared() -> tuple[Figure, ...]:
    """The figures `compare` lists: its own change and change in % replace the evolutions."""
    return tuple(f for f in catalogue.FIGURES if f.shape is not Shape.EVOLUTION)


MAX_PERIODS = 50


@dataclass(frozen=True)
class Change:
    """One metric in two periods. For rates the change is in percentage points."""

    metric: Figure
    current: Value
    prior: Value
    change: int | Fraction | None  # current - prior; None when either is missing
    change_pct: Fraction | None  # 100 * change / prior; None when there is no base


def change_of(metric: Figure, current: Value, prior: Value) -> Change:
    """`current - prior`, and `100 * change / prior` when the prior is a base (neither 0 nor
    missing): "N/A when the prior is 0 or missing — never +inf" (issue 3)."""
    if current is None or prior is None:
        return Change(metric, current, prior, None, None)
    difference = current - prior
    percent = Fraction(100 * difference) / prior if prior else None
    return Change(metric, current, prior, difference, percent)


@dataclass(frozen=True)
class GroupChanges:
    """One --by group's figures in the period and in the prior period (SPEC §6)."""

    value: str  # "" for the blank group
    changes: list[Change]


@dataclass(frozen=True)
class Comparison:
    """A period's figures next to those of its prior period (or of the period `--against`)."""

    source: str
    period: Period
    prior: Period
    as_of: date
    prior_as_of: date
    notifications: bool
    changes: list[Change]
    counted: Counted
    warnings: list[str] = field(default_factory=list)
    by: str | None = None  # the --by column as the log spells it
    groups: list[GroupChanges] = field(default_factory=list)


@dataclass(frozen=True)
class Figures:
    """The 25 figures of one period, as of `as_of`; the evolutions against its own prior."""

    period: Period
    as_of: date
    values: dict[str, Value]


@dataclass(frozen=True)
class GroupTrend:
    """One --by group's figures over the trend's periods, oldest first (SPEC §6)."""

    value: str  # "" for the blank group
    figures: list[Figures]

    def series(self, metric_id: str) -> list[Value]:
        return [f.values[metric_id] for f in self.figures]


@dataclass(frozen=True)
class Trend:
    """Consecutive periods, oldest first, each counted back from the last one's start; each
    period's evolutions are against the period before it in the sequence (SPEC §2)."""

    source: str
    figures: list[Figures]
    before: Period  # the period before the oldest: it lends its counts to that one's evolutions
    notifications: bool
    counted: Counted
    warnings: list[str] = field(default_factory=list)
    by: str | None = None  # the --by column as the log spells it
    groups: list[GroupTrend] = field(default_factory=list)

    def series(self, metric_id: str) -> list[Value]:
        """One metric's values across the periods, oldest first."""
        return [f.values[metric_id] for f in self.figures]


def chain_of(last: Period, periods: int) -> list[Period]:
    """`periods` consecutive periods ending with `last`, preceded by the one before the oldest."""
    if not 1 <= periods <= MAX_PERIODS:
        raise UsageError(f"--periods {periods}: give 1 to {MAX_PERIODS} periods, e.g. --periods 5")
    try:
        return consecutive_periods(last, periods + 1)
    except UsageError:
        raise UsageError(
            f"--periods {periods}: {periods} periods ending with {last}, and the one before them "
            "for the evolutions, reach outside the calendar (years 1 to 9999); ask for fewer"
        ) from None


def compare(
    source: Source,
    period: Period,
    *,
    as_of: date | None = None,
    against: Period | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    breakdown: Breakdown | None = None,
) -> Comparison:
    """Every metric of SPEC §3 but the evolutions, in `period` and in its prior period.

    The current period counts executions up to `as_of` (default its end); the prior period up
    to its own end, as that year's report counted them.
    """
    as_of = check_as_of(period, as_of)
    prior = against or prior_period(period)

    def windows() -> list[Window]:
        return [Window(period, as_of), Window(prior, prior.end)]

    counted = count(source, windows, with_breakdown(options, breakdown))
    now_window, then_window = counted.windows
    notes = (  # in summarize's order
        *absent_column_warnings(counted),
        skipped_warning(counted),
        *split_warnings(counted),
        empty_period_warning(counted, now_window),
        incomplete_prior_warning(counted, prior),
    )
    return comparison_of(source.name, period, prior, as_of, counted, notes, notifications)


def comparison_of(
    source: str,
    period: Period,
    prior: Period,
    as_of: date,
    counted: Counted,
    notes: Sequence[str | None],
    notifications: bool,
) -> Comparison:
    """The Comparison of a period and its prior counted into `counted.windows` (by a file's
    pass or by a database's query), the changes of each --by group with it."""
    now_window, then_window = counted.windows
    groups = [
        GroupChanges(
            value,
            changes_of(part_of(now_window, value), part_of(then_window, value), notifications),
        )
        for value in group_values([now_window, then_window], now_window)
    ]
    return Comparison(
        source=source,
        period=period,
        prior=prior,
        as_of=as_of,
        prior_as_of=prior.end,
        notifications=notifications,
        changes=changes_of(now_window, then_window, notifications),
        counted=counted,
        warnings=[note for note in notes if note],
        by=by_column(counted),
        groups=groups,
    )


def changes_of(now: Window, then: Window, notifications: bool) -> list[Change]:
    """Every figure `compare` lists, in both windows."""
    current = compute(now, None, notifications)
    prior = compute(then, None, notifications)
    return [change_of(m, current[m.id], prior[m.id]) for m in compared()]


def trend(
    source: Source,
    last: Period,
    periods: int,
    *,
    as_of: date | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    breakdown: Breakdown | None = None,
) -> Trend:
    """The 25 figures of `periods` consecutive periods ending with `last`, oldest first.

    Each period counts executions up to its own end, except `last`, which counts them up to
    `as_of` when given. One more window, the period before the oldest, is counted so that the
    oldest period's evolutions are against the period before it like every other's.
    """
    chain = chain_of(last, periods)
    as_of = check_as_of(last, as_of)
    as_ofs = [p.end for p in chain[:-1]] + [as_of]

    def windows() -> list[Window]:
        return [Window(p, when) for p, when in zip(chain, as_ofs, strict=True)]

    counted = count(source, windows, with_breakdown(options, breakdown))
    notes = (*absent_column_warnings(counted), skipped_warning(counted), *split_warnings(counted))
    return trend_of(source.name, chain, counted, notes, notifications)


def trend_of(
    source: str,
    chain: list[Period],
    counted: Counted,
    notes: Sequence[str | None],
    notifications: bool,
) -> Trend:
    """The Trend of the periods of `chain` counted into `counted.windows` (by a file's pass or
    by a database's query), with the warnings of any trend after `notes`, and each --by
    group's figures."""
    w = counted.windows
    notes = (
        *notes,
        # Said when every period is empty: one empty year in a trend is a figure like any other.
        None if any(any(x.sent) for x in w[1:]) else empty_period_warning(counted, w[-1]),
        incomplete_trend_warning(counted, chain),
    )
    groups = [
        GroupTrend(value, series_of([part_of(x, value) for x in w], notifications))
        for value in group_values(w[1:], w[-1])  # the window before the oldest is not shown
    ]
    return Trend(
        source=source,
        figures=series_of(w, notifications),
        before=chain[0],
        notifications=notifications,
        counted=counted,
        warnings=[note for note in notes if note],
        by=by_column(counted),
        groups=groups,
    )


def series_of(w: list[Window], notifications: bool) -> list[Figures]:
    """The figures of each window but the first, each period's evolutions against the one
    before it in the sequence (SPEC §2)."""
    return [
        Figures(w[i].period, w[i].as_of_date, compute(w[i], w[i - 1], notifications))
        for i in range(1, len(w))
    ]


def incomplete_trend_warning(counted: Counted, chain: list[Period]) -> str | None:
    """SPEC §2's warning for a trend: which periods a log that starts late cannot fill.

    `chain` is the prior of the first period, then the trend's periods, oldest first.
    """
    first = counted.first_sent
    if first is None or first <= chain[0].start:
        return None
    late = [p for p in chain[1:] if p.start < first]
    if not late:
        return (
            f"the log's earliest request was sent on {first}, after the start of {chain[0]}, "
            "the prior of the first period: the first period's evolutions are incomplete"
        )
    which = "the first period" if len(late) == 1 else f"the first {len(late)} periods"
    return (
        f"the log's earliest request was sent on {first}, after the start of {late[-1]}: the "
        f"figures of {which}, and their evolutions, are incomplete"
    )
