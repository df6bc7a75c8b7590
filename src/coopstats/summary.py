"""`summarize` as a library call: a log and a period in, the 25 figures and their context out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coopstats.engine import Counted, DaysFn, Window, count
from coopstats.errors import UsageError
from coopstats.metrics import Value, compute
from coopstats.model import Period
from coopstats.periods import prior_period
from coopstats.reading import DEFAULT_READ, ReadOptions, Source


@dataclass(frozen=True)
class Summary:
    source: str
    period: Period
    prior: Period
    as_of: date
    notifications: bool
    values: dict[str, Value]
    counted: Counted
    days: str = "calendar"
    warnings: list[str] = field(default_factory=list)


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


def skipped_warning(counted: Counted) -> str | None:
    """With --skip-invalid: how many rows were left out, and which lines."""
    if not counted.invalid_rows:
        return None
    lines = counted.invalid_lines
    shown = ", ".join(str(n) for n in lines[:20])
    more = f" and {len(lines) - 20} more" if len(lines) > 20 else ""
    return (
        f"{counted.invalid_rows} invalid row(s) left out of {counted.records} "
        f"(line(s) {shown}{more})"
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
) -> Summary:
    """The report's figures for `period`, compared with `against` (by default the prior period)."""
    as_of = check_as_of(period, as_of)
    prior = against or prior_period(period)

    def windows() -> list[Window]:
        # The prior window only lends its sent counts to the evolutions; its as-of is its end.
        return [Window(period, as_of, days), Window(prior, prior.end, days)]

    counted = count(source, windows, options)
    current, before = counted.windows
    notes = (skipped_warning(counted), incomplete_prior_warning(counted, prior))
    return Summary(
        source=source.name,
        period=period,
        prior=prior,
        as_of=as_of,
        notifications=notifications,
        values=compute(current, before, notifications),
        counted=counted,
        days=days_name,
        warnings=[note for note in notes if note],
    )
