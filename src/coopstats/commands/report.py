"""`coopstats report`: one self-contained HTML page with everything a period's figures need."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from coopstats.commands.compare import Periods
from coopstats.commands.times import DaysOpt, Holidays
from coopstats.errors import UsageError
from coopstats.options import (
    Against,
    AsOf,
    By,
    DayCount,
    Decimals,
    Log,
    Notifications,
    PeriodOpt,
    Settings,
    SkipInvalid,
    Where,
    YearStart,
    handled,
    reads_logs,
    warn,
    write_output,
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
    ctx: typer.Context,
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
    **read: Any,
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
    with handled(ctx):
        from coopstats.comparison import compare, trend
        from coopstats.days import day_counter
        from coopstats.inspection import reconcile
        from coopstats.read import Source
        from coopstats.render.html import page
        from coopstats.render.report import Inputs, report_document
        from coopstats.summary import summarize
        from coopstats.times import execution_times

        s = Settings.from_context(ctx)
        target = s["output"]
        if target is not None and str(target) != "-" and Path(target).suffix.lower() not in PAGES:
            raise UsageError(f"--output {target}: report writes an HTML page; name a .html file")
        the_period = s.period()
        when = s.date("as_of")
        against_period = s.optional_period("against")
        counted_with = bool(s["notifications"])
        days_fn, days_name = day_counter(s["days"], s["holidays"])
        breakdown = s.breakdown()
        with Source(log) as source:
            inputs = Inputs(
                summary=summarize(
                    source, the_period, as_of=when, against=against_period,
                    notifications=counted_with, options=s.read, days=days_fn,
                    days_name=days_name, breakdown=breakdown,
                ),
                comparison=compare(
                    source, the_period, as_of=when, against=against_period,
                    notifications=counted_with, options=s.read, breakdown=_filter(breakdown),
                ),
                trend=trend(
                    source, the_period, int(s["periods"]), as_of=when,
                    notifications=counted_with, options=s.read, breakdown=_filter(breakdown),
                ),
                times=execution_times(
                    source, the_period, as_of=when, notifications=counted_with,
                    options=s.read, days=days_fn, days_name=days_name,
                    breakdown=_filter(breakdown),
                ),
                reconciliation=reconcile(source, the_period, as_of=when, options=s.read),
            )  # fmt: skip
        document = report_document(inputs, int(s["decimals"]))
        warn(list(document.warnings))
        write_output(target, page(document))
