"""`validate` and `explain` as library calls: a log's problems and profile, the requests behind
one figure, and a reconciliation that accounts for every row of the log.

All three are built on `engine.visit`, with a visitor each that collects what the ordinary
counts do not keep. None of them prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from coopstats import catalogue
from coopstats.breakdown import Breakdown
from coopstats.catalogue import Figure, Group, Shape, Value, figure_groups
from coopstats.checks import settle_order
from coopstats.engine import Counted, Visited, Window, count, visit
from coopstats.errors import DataError, UsageError
from coopstats.model import KIND_ORGAN, Period, Problem
from coopstats.periods import prior_period
from coopstats.read import DEFAULT_READ, FileProblem, ReadOptions, Source, open_table
from coopstats.summary import (
    absent_column_warnings,
    check_as_of,
    incomplete_prior_warning,
    skipped_warning,
    split_warnings,
    where_note,
    with_breakdown,
)

ALL_TIME = Period(date.min, date.max)
KINDS_IN_ORDER: tuple[tuple[str, str], ...] = tuple(
    (organ, kind) for kind, organ in KIND_ORGAN.items()
)  # OTP: RFA, mission-notification, RFI; Registry: RFC, decision-notification
FUTURE_LINES_KEPT = 20


# --- validate -------------------------------------------------------------------------------


# Each kind's base groups, which together hold its requests once each (an RFC has one origin).
_KIND_GROUPS: dict[str, tuple[int, ...]] = {
    kind: tuple(g.index for g in catalogue.GROUPS if g.kind == kind and g.category is None)
    for _, kind in KINDS_IN_ORDER
}
_EVERY_KIND = tuple(index for groups in _KIND_GROUPS.values() for index in groups)


def _profile_windows(today: date) -> list[Window]:
    """The windows a log's profile is read from, counted by the fast loops: every request (and
    the executed among them); those sent after today (and executed at all); those sent by today
    and executed by today. Executed after today: every executed, less the two others."""
    after = Period(today + timedelta(days=1), date.max) if today < date.max else None
    return [
        Window(ALL_TIME, date.max),
        Window(after or Period(date.max, date.max), date.max),
        Window(Period(date.min, today), today),
    ]


class FutureLines:
    """The first lines of the requests with a date after today, for the profile's warning: a
    second pass, made only when the counts found some."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.lines: list[int] = []

    def __call__(self, request: Visited) -> None:
        executed = request.executed
        if len(self.lines) < FUTURE_LINES_KEPT and (
            request.sent > self.today or (executed is not None and executed > self.today)
        ):
            self.lines.append(request.line)


@dataclass(frozen=True)
class Profile:
    """A short portrait of a clean log, for a person to check it is the log they meant."""

    rows: int
    by_kind: tuple[tuple[str, str, int], ...]  # organ, kind, requests; every kind, in order
    first_sent: date | None
    last_sent: date | None
    pending: int
    future: int  # requests with a sent or executed date after `today`
    future_lines: tuple[int, ...]  # the first of them
    today: date
    date_order: str | None  # how numeric dates were read: "day", "month", or None (none met)

    @property
    def warnings(self) -> list[str]:
        if not self.future:
            return []
        lines = ", ".join(str(n) for n in self.future_lines)
        more = f" and {self.future - len(self.future_lines)} more" if self.future > len(
            self.future_lines
        ) else ""
        return [
            f"{self.future} request(s) have a date after today ({self.today.isoformat()}): "
            f"line(s) {lines}{more}; a mistyped year?"
        ]


@dataclass(frozen=True)
class Validation:
    """Every problem of a log (or the one that stops it being read), and a profile if clean."""

    source: str
    records: int  # rows read after the header, blank lines aside
    invalid_rows: int
    problems: tuple[Problem, ...]  # in file order; at most engine.PROBLEMS_KEPT
    total: int  # problems found, kept or not
    profile: Profile | None  # only for a clean log

    @property
    def valid(self) -> bool:
        return self.total == 0

    def by_code(self) -> list[tuple[str, int]]:
        """How many kept problems carry each code, most frequent first."""
        counts: dict[str, int] = {}
        for problem in self.problems:
            counts[problem.code] = counts.get(problem.code, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def validate(
    source: Source, options: ReadOptions = DEFAULT_READ, today: date | None = None
) -> Validation:
    """Check the whole log: every problem of every row, or the one problem of the whole file
    (not readable, missing column, day/month order) that stops the rows being read."""
    today = today or date.today()
    lenient = options._replace(skip_invalid=True)  # go on past bad rows to find them all
    try:
        counted = count(source, lambda: _profile_windows(today), lenient)
    except FileProblem as err:
        return Validation(source.name, 0, 0, (err.problem,), 1, None)
    except DataError as err:
        return Validation(source.name, 0, 0, (_whole_file(source, options, err),), 1, None)
    problems = tuple(counted.problems)
    profile = None
    if not counted.problem_count:
        every, after, by_today = counted.windows
        future = sum(
            after.sent[g] + every.executed[g] - after.executed[g] - by_today.executed[g]
            for g in _EVERY_KIND
        )
        lines: list[int] = []
        if future:  # which lines: read again, now that there is something to find
            fixed = lenient._replace(date_order=counted.date_order or lenient.date_order)
            lines = visit(source, lambda: FutureLines(today), fixed)[1].lines
        profile = Profile(
            rows=counted.valid_rows,
            by_kind=tuple(
                (o, k, sum(every.sent[g] for g in _KIND_GROUPS[k])) for o, k in KINDS_IN_ORDER
            ),
            first_sent=counted.first_sent,
            last_sent=counted.last_sent,
            pending=sum(every.sent[g] - every.executed[g] for g in _EVERY_KIND),
            future=future,
            future_lines=tuple(lines),
            today=today,
            date_order=counted.date_order,
        )
    return Validation(
        source.name, counted.records, counted.invalid_rows, problems, counted.problem_count,
        profile,
    )


def _whole_file(source: Source, options: ReadOptions, err: DataError) -> Problem:
    """A located problem for a DataError that carries none.

    The one known today is the engine's own day/month message: settling the order again here
    gives the same verdict as a FileProblem with its code and lines.
    """
    if options.date_order is None:
        try:
            settle_order(open_table(source, options))
        except FileProblem as located:
            return located.problem
        except DataError:
            pass
    message = err.message.removeprefix(f"{source.name}: ")
    return Problem(None, None, None, message, "file-error")


# --- explain --metric -----------------------------------------------------------------------

def metric_of(metric_id: str) -> Figure:
    """The figure with this id, or a usage error that lists the valid ids."""
    found = catalogue.figure(metric_id.strip())
    if found is None:
        raise UsageError(
            f"--metric: {metric_id!r} is not a metric id; the ids are: "
            + ", ".join(catalogue.figure_ids())
        )
    return found


class Explaining:
    """The requests of some periods in some base groups, kept one by one, per period."""

    def __init__(self, periods: Sequence[Period], groups: Sequence[Group]) -> None:
        self.periods = list(periods)
        self.wanted = frozenset(g.index for g in groups)
        self.found: list[list[Visited]] = [[] for _ in self.periods]

    def __call__(self, request: Visited) -> None:
        if self.wanted.isdisjoint(request.groups):
            return
        for period, found in zip(self.periods, self.found, strict=True):
            if period.start <= request.sent <= period.end:
                found.append(request)


@dataclass(frozen=True)
class Listed:
    """One request behind a figure, with what it contributes."""

    period: str  # "current", or "prior" for the prior period's side of an evolution
    line: int
    id: str
    organ: str
    kind: str
    origin: str | None
    categories: tuple[str, ...]
    sent: date
    executed: date | None
    days: int | None  # days to execute, for a request executed as of the as-of date
    outcome: str | None  # "positive" / "negative" for an executed request
    in_e: bool  # executed as of the as-of date (E)
    counted: bool  # counts toward the figure: see Explanation.rule


@dataclass(frozen=True)
class Explanation:
    source: str
    metric: Figure
    shape: Shape
    groups: tuple[Group, ...]
    period: Period
    prior: Period | None  # for evolutions
    as_of: date
    notifications: bool
    value: Value
    rows: tuple[Listed, ...]  # by sent date, then line
    warnings: tuple[str, ...]
    scope: str = ""  # what --where counted, for the caption ("" without it)

    @property
    def counted(self) -> int:
        return sum(1 for row in self.rows if row.counted)

    @property
    def requests(self) -> str:
        return " and ".join(g.words for g in self.groups) or "no requests"

    @property
    def rule(self) -> str:
        """How the figure follows from the rows listed, in words."""
        if not self.groups:  # mission notifications under --no-notifications
            return "Nothing is listed: no request counts in this figure here, so it is 0."
        what = self.requests
        return {
            "sent": f"Listed: the {what} sent in the period. The figure is their number.",
            "executed": f"Listed: the {what} sent in the period and executed as of the as-of "
            "date (E). The figure is their number.",
            "rate": f"Listed: the {what} sent in the period. The figure is 100 × those "
            "executed as of the as-of date (counted) ÷ all listed.",
            "positive": f"Listed: the {what} sent in the period. The figure is 100 × those "
            "executed as of the as-of date with a positive reply (counted) ÷ all listed.",
            "days": f"Listed: the {what} sent in the period. The figure is the mean of the "
            "days of those executed as of the as-of date (counted); pending requests are "
            "left out (footnote 8).",
            "evolution": f"Listed: the {what} sent in the period (current) and in the prior "
            "period (prior). The figure is 100 × (current − prior) ÷ prior.",
        }[self.shape]


def explain_metric(
    source: Source,
    period: Period,
    metric_id: str,
    *,
    as_of: date | None = None,
    against: Period | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    breakdown: Breakdown | None = None,
) -> Explanation:
    """The requests behind one figure of SPEC §3, and the figure as `summarize` gives it;
    with --where (`breakdown`), of the matching requests alone: one group's figure."""
    metric = metric_of(metric_id)
    as_of = check_as_of(period, as_of)
    shape, groups = metric.shape, figure_groups(metric, notifications)
    prior = against or prior_period(period)

    def windows() -> list[Window]:
        # As in summarize: the prior window lends its sent counts; its as-of is its end.
        return [Window(period, as_of), Window(prior, prior.end)]

    hull = Period(min(period.start, prior.start), max(period.end, prior.end))
    counted, found = visit(
        source, lambda: Explaining([period, prior], groups), with_breakdown(options, breakdown),
        span=hull, windows=windows,
    )  # fmt: skip
    current, before = counted.windows
    value = catalogue.evaluate(metric, current, before, notifications)
    sides = [("current", as_of, found.found[0])]
    if shape == "evolution":
        sides.append(("prior", prior.end, found.found[1]))
    rows = [row for which, when, side in sides for row in _listed(side, which, when, shape)]
    rows.sort(key=lambda r: (r.sent, r.line, r.period != "prior"))
    notes = [*absent_column_warnings(counted), skipped_warning(counted), *split_warnings(counted)]
    if shape == "evolution":
        notes.append(incomplete_prior_warning(counted, prior))
    return Explanation(
        source=source.name,
        metric=metric,
        shape=shape,
        groups=groups,
        period=period,
        prior=prior if shape == "evolution" else None,
        as_of=as_of,
        notifications=notifications,
        value=value,
        rows=tuple(rows),
        warnings=tuple(note for note in notes if note),
        scope=where_note(counted),
    )


def _listed(found: list[Visited], which: str, as_of: date, shape: Shape) -> list[Listed]:
    rows = []
    for r in found:
        executed, positive = r.executed, bool(r.positive)
        in_e = executed is not None and executed <= as_of
        if shape == "executed" and not in_e:
            continue
        counted = {"rate": in_e, "days": in_e, "positive": in_e and positive}.get(shape, True)
        rows.append(
            Listed(
                period=which,
                line=r.line,
                id=r.id,
                organ=r.organ,
                kind=r.kind,
                origin=r.origin,
                categories=r.categories,
                sent=r.sent,
                executed=executed,
                days=(executed - r.sent).days if executed is not None and in_e else None,
                outcome=("positive" if positive else "negative") if executed else None,
                in_e=in_e,
                counted=counted,
            )
        )
    return rows


# --- explain (reconciliation) ---------------------------------------------------------------

Status = Literal["executed", "executed_later", "pending"]


class Reconciling:
    """Where every valid request of the log falls with respect to one period and as-of date."""

    def __init__(self, period: Period, as_of: date) -> None:
        self.period = period
        self.as_of = as_of
        self.before = 0
        self.after = 0
        self.within: dict[tuple[str, str], list[int]] = {}  # executed, later, pending

    def __call__(self, request: Visited) -> None:
        if request.sent < self.period.start:
            self.before += 1
            return
        if request.sent > self.period.end:
            self.after += 1
            return
        counts = self.within.setdefault((request.organ, request.kind), [0, 0, 0])
        if request.executed is None:
            counts[2] += 1
        elif request.executed <= self.as_of:
            counts[0] += 1
        else:
            counts[1] += 1


@dataclass(frozen=True)
class KindCount:
    """Requests of one organ and kind sent within the period, by their state at the as-of."""

    organ: str
    kind: str
    executed: int  # executed as of the as-of date (E)
    executed_later: int  # executed, but after the as-of date: pending then
    pending: int  # no execution date

    @property
    def total(self) -> int:
        return self.executed + self.executed_later + self.pending


@dataclass(frozen=True)
class Reconciliation:
    """Every row of the log accounted for once: read = invalid + before + after + within."""

    source: str
    period: Period
    as_of: date
    records: int
    invalid: int
    invalid_lines: tuple[int, ...]
    before: int
    after: int
    within: tuple[KindCount, ...]  # every organ and kind, in the SPEC's order
    warnings: tuple[str, ...]

    @property
    def within_total(self) -> int:
        return sum(k.total for k in self.within)

    @property
    def accounted(self) -> int:
        return self.invalid + self.before + self.after + self.within_total

    @property
    def balanced(self) -> bool:
        return self.accounted == self.records


def reconcile(
    source: Source,
    period: Period,
    *,
    as_of: date | None = None,
    options: ReadOptions = DEFAULT_READ,
) -> Reconciliation:
    """Account for every row of the log against a period, as `explain` without --metric.

    Invalid rows are part of the account (a line of their own), so the count goes on past them
    whether or not --skip-invalid was given.
    """
    as_of = check_as_of(period, as_of)
    lenient = options._replace(skip_invalid=True)
    counted: Counted
    counted, window = visit(source, lambda: Reconciling(period, as_of), lenient)
    within = tuple(
        KindCount(organ, kind, *window.within.get((organ, kind), [0, 0, 0]))
        for organ, kind in KINDS_IN_ORDER
    )
    note = skipped_warning(counted)
    return Reconciliation(
        source=source.name,
        period=period,
        as_of=as_of,
        records=counted.records,
        invalid=counted.invalid_rows,
        invalid_lines=tuple(counted.invalid_lines),
        before=window.before,
        after=window.after,
        within=within,
        warnings=(note,) if note else (),
    )
