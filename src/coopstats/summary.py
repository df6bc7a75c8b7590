"""`summarize` as a library call: a log and a period in, the 25 figures and their context out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import NamedTuple

from coopstats import catalogue
from coopstats.breakdown import Breakdown, order_groups, requests_sent
from coopstats.catalogue import Figure, Shape, Value, compute
from coopstats.engine import Counted, DaysFn, Window, count
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.periods import prior_period
from coopstats.read import DEFAULT_READ, ReadOptions, Source


class GroupFigures(NamedTuple):
    """The figures of one --by group: the requests that share `value` (SPEC §6)."""

    value: str  # "" for the blank group
    values: dict[str, Value]


class Summary(NamedTuple):
    source: str
    period: Period
    prior: Period
    as_of: date
    notifications: bool
    values: dict[str, Value]
    counted: Counted
    days: str
    warnings: list[str]
    by: str | None = None  # the --by column as the log spells it
    groups: tuple[GroupFigures, ...] = ()  # with --by, in SPEC §6's order
    config: str | None = None  # the config file in use (SPEC §8), None when none


def check_as_of(period: Period, as_of: date | None) -> date:
    """The as-of date, by default the period's end; it may not precede the start (SPEC §2)."""
    if as_of is None:
        return period.end
    if as_of < period.start:
        raise UsageError(
            f"--as-of {as_of.isoformat()} is before the period's start "
            f"{period.start.isoformat()}; nothing sent in the period could be executed by then"
        )
    return as_of


def incomplete_prior_warning(counted: Counted, prior: Period) -> str | None:
    """SPEC §2: a log that starts after the prior period's start cannot give its full figures."""
    if counted.first_sent is not None and counted.first_sent > prior.start:
        return (
            f"the log's earliest request was sent on {counted.first_sent.isoformat()}, after the "
            f"prior period's start ({prior.start.isoformat()}): the prior figures, and so the "
            "evolutions, are incomplete"
        )
    return None


def empty_period_warning(counted: Counted, window: Window) -> str | None:
    """Zeros because nothing was sent in the period deserve a word: a wrong period is likelier
    than a year without requests."""
    if any(window.sent):
        return None
    if counted.first_sent is None:
        return "the log holds no valid request: every figure is 0 or N/A"
    return (
        f"no request in the log was sent in the period (the log's requests were sent from "
        f"{counted.first_sent.isoformat()} to {counted.last_sent}): every figure is 0 or N/A"
    )


def split_warnings(counted: Counted) -> list[str]:
    """SPEC §6: each --where value that matched no request, with the closest values found."""
    return counted.split.warnings() if counted.split is not None else []


def where_note(counted: Counted) -> str:
    """' Counted: only the requests whose ... (--where).' for a caption; '' without --where."""
    note = counted.split.note() if counted.split is not None else None
    return f" Counted: {note}." if note else ""


def by_column(counted: Counted) -> str | None:
    """The --by column as the log spells it, None without --by."""
    return counted.split.by if counted.split is not None else None


def group_values(shown: list[Window], order_by: Window) -> list[str]:
    """The --by groups with a request in some window shown, in SPEC §6's order: by the
    requests of `order_by`'s period, most first, then by value."""
    keys = {key for window in shown for key in window.parts}
    return order_groups(
        keys, lambda key: requests_sent(order_by.parts[key]) if key in order_by.parts else 0
    )


def part_of(window: Window, value: str) -> Window:
    """A window's part for one group; an empty one when the group has no request there."""
    return window.parts.get(value) or Window(window.period, window.as_of_date, window.days_fn)


def with_breakdown(options: ReadOptions, breakdown: Breakdown | None) -> ReadOptions:
    return options if breakdown is None else options._replace(breakdown=breakdown)
def affected_by(depends: Callable[[Figure], bool]) -> str:
    """The ids of the figures that `depends` on what a missing column would have said, in the
    catalogue's order."""
    return ", ".join(f.id for f in catalogue.FIGURES if depends(f))


def _on_executions(figure: Figure) -> bool:
    return figure.shape in (Shape.EXECUTED, Shape.RATE, Shape.POSITIVE, Shape.DAYS)


def _on_outcomes(figure: Figure) -> bool:
    return figure.shape is Shape.POSITIVE


def _on_categories(figure: Figure) -> bool:
    return any(g.category is not None for g in figure.groups)


def absent_column_warnings(counted: Counted) -> list[str]:
    """SPEC §8: a missing optional column is never silent; each warning names the figures the
    column's absence decides. Without `executed` nothing is executed, so the outcome is moot."""
    absent = set(counted.absent)
    notes = []
    if "organ" in absent:
        notes.append(
            "the log has no organ column: each request's organ is its kind's (RFA, "
            "mission-notification, RFI: OTP; RFC, decision-notification: Registry) "
            "(map the file's column with --column organ=HEADER)"
        )
    if "executed" in absent:
        notes.append(
            "the log has no executed column: every request counts as pending, which decides "
            + affected_by(_on_executions)
            + " (map the file's column with --column executed=HEADER)"
        )
    elif "outcome" in absent:
        notes.append(
            "the log has no outcome column: every executed request counts as a positive reply, "
            "which decides " + affected_by(_on_outcomes)
            + " (map the file's column with --column outcome=HEADER)"
        )
    if "categories" in absent:
        notes.append(
            "the log has no categories column: no request counts under a category, which "
            "makes 0 or N/A of " + affected_by(_on_categories)
            + " (map the file's column with --column categories=HEADER)"
        )
    return notes


def skipped_warning(counted: Counted) -> str | None:
    """With --skip-invalid: how many rows were left out, which lines, and why (problem codes)."""
    if not counted.invalid_rows:
        return None
    codes: dict[int, list[str]] = {}
    for problem in counted.problems:
        if problem.line is not None and problem.code not in codes.setdefault(problem.line, []):
            codes[problem.line].append(problem.code)
    lines = counted.invalid_lines
    shown = ", ".join(f"{n} ({', '.join(codes.get(n, []))})" for n in lines[:20])
    more = f" and {len(lines) - 20} more" if len(lines) > 20 else ""
    return (
        f"{counted.invalid_rows} invalid row(s) left out of {counted.records}: line "
        f"{shown}{more}; 'coopstats validate' tells what is wrong with each"
    )


def summarize(
    source: Source,
    period: Period,
    *,
    as_of: date | None = None,
    against: Period | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    days: DaysFn | None = None,
    days_name: str = "calendar",
    breakdown: Breakdown | None = None,
) -> Summary:
    """The report's figures for `period`, compared with `against` (by default the prior period).

    With a breakdown (SPEC §6), only the requests --where matches count, and with --by each
    group has its figures, its evolutions against the same group in the prior period.
    """
    as_of = check_as_of(period, as_of)
    prior = against or prior_period(period)

    def windows() -> list[Window]:
        # The prior window only lends its sent counts to the evolutions; its as-of is its end.
        return [Window(period, as_of, days), Window(prior, prior.end, days)]

    counted = count(source, windows, with_breakdown(options, breakdown))
    current, before = counted.windows
    notes = (
        *absent_column_warnings(counted),
        skipped_warning(counted),
        *split_warnings(counted),
        empty_period_warning(counted, current),
        incomplete_prior_warning(counted, prior),
    )
    return summary_of(
        source.name, period, prior, as_of, counted, notes, notifications, days_name,
        options.config,
    )  # fmt: skip


def summary_of(
    source: str,
    period: Period,
    prior: Period,
    as_of: date,
    counted: Counted,
    notes: Sequence[str | None],
    notifications: bool,
    days_name: str,
    config: str | None,
) -> Summary:
    """The Summary of a period and its prior counted into `counted.windows` (by a file's pass
    or by a database's query), the figures of each --by group with it."""
    current, before = counted.windows
    groups = tuple(
        GroupFigures(
            value, compute(part_of(current, value), part_of(before, value), notifications)
        )
        for value in group_values([current, before], current)
    )
    return Summary(
        source=source,
        period=period,
        prior=prior,
        as_of=as_of,
        notifications=notifications,
        values=compute(current, before, notifications),
        counted=counted,
        days=days_name,
        warnings=[note for note in notes if note],
        config=config,
        by=by_column(counted),
        groups=groups,
    )
