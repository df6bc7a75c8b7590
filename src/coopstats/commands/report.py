"""`coopstats report`: one self-contained HTML page with everything a period's figures need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from coopstats.commands import Reading, reads_logs, settle, write_output
from coopstats.errors import UsageError
from coopstats.options import (
    Against,
    AsOf,
    By,
    DayCount,
    DaysOpt,
    Decimals,
    Holidays,
    Log,
    Notifications,
    PeriodOpt,
    Periods,
    SkipInvalid,
    Where,
    YearStart,
    warn,
)

PAGES = (".html", ".htm")

if TYPE_CHECKING:
    from coopstats.breakdown import Breakdown


def _filter(breakdown: Breakdown | None) -> Breakdown | None:
    """--where alone, for the parts of the page that show all requests counted (--by groups
    only section II)."""
    if breakdown is None or not breakdown.where:
        return None
    return breakdown._replace(by=None)


def register(app: typer.Typer) -> None:
    """Add `report` to the app."""
    app.command()(report)


@reads_logs
def report(
    log: Log,
    period: PeriodOpt = None,
    periods: Periods = 5,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    days: DaysOpt = DayCount.calendar,
    holidays: Holidays = None,
    decimals: Decimals = 2,
    year_start: YearStart = "09-16",
    skip_invalid: SkipInvalid = False,
    by: By = None,
    where: Where = None,
    *,
    read: Reading,
) -> None:
    """Write one HTML page to send round: the report's section II, the comparison with the
    prior period, the trend over --periods periods as charts, the time to execute per group
    (histogram and Kaplan–Meier curve), the reconciliation of every row, and every warning.

    The page is self-contained (no font, script or image from anywhere else), prints on A4,
    and is the same bytes for the same log and options. It goes to standard output, or to the
    file given with -o.

    \b
    With --by, section II is followed by every group's figures; --where counts only the
    matching requests in every part but the reconciliation, which accounts for every row.

    Examples:
      coopstats report requests.csv --period 2024 -o report.html
      coopstats report requests.csv --period 2024 --by state -o report.html
      coopstats report requests.csv --period 2024 --periods 8 > report.html
    """
    from coopstats.comparison import compare, trend
    from coopstats.days import day_counter
    from coopstats.inspection import reconcile
    from coopstats.render.html import page
    from coopstats.render.report import Inputs, report_document
    from coopstats.summary import summarize
    from coopstats.times import execution_times

    s = settle(read, log, year_start=year_start, skip_invalid=skip_invalid, holidays=holidays)
    target = s.output
    if target is not None and str(target) != "-" and target.suffix.lower() not in PAGES:
        raise UsageError(f"--output {target}: report writes an HTML page; name a .html file")
    the_period, when = s.period(period), s.date(as_of, "--as-of")
    prior = s.optional_period(against, "--against")
    days_fn, days_name = day_counter(days, holidays)
    breakdown = s.breakdown(by, where)
    counted: dict[str, Any] = {"as_of": when, "notifications": notifications, "options": s.read}
    with s.source() as source:
        inputs = Inputs(
            summary=summarize(source, the_period, against=prior, days=days_fn,
                              days_name=days_name, breakdown=breakdown, **counted),
            comparison=compare(source, the_period, against=prior, breakdown=_filter(breakdown),
                               **counted),
            trend=trend(source, the_period, periods, breakdown=_filter(breakdown), **counted),
            times=execution_times(source, the_period, days=days_fn, days_name=days_name,
                                  breakdown=_filter(breakdown), **counted),
            reconciliation=reconcile(source, the_period, as_of=when, options=s.read),
        )  # fmt: skip
    document = report_document(inputs, decimals)
    warn(list(document.warnings))
    write_output(target, page(document))
