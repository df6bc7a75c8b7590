"""`coopstats times`: how long execution really takes, pending requests included."""

from __future__ import annotations

import typer

from coopstats.commands import Reading, reads_logs, settle, views
from coopstats.options import (
    AsOf,
    BandsOpt,
    By,
    DayCount,
    DaysOpt,
    Decimals,
    Export,
    Format,
    FormatOpt,
    Holidays,
    Log,
    Notifications,
    Oldest,
    Percentiles,
    PeriodOpt,
    SkipInvalid,
    Where,
    Within,
    YearStart,
)


@reads_logs
def times(
    log: Log,
    period: PeriodOpt = None,
    as_of: AsOf = None,
    notifications: Notifications = True,
    days: DaysOpt = DayCount.calendar,
    holidays: Holidays = None,
    fmt: FormatOpt = Format.table,
    decimals: Decimals = 2,
    year_start: YearStart = "09-16",
    skip_invalid: SkipInvalid = False,
    export: Export = None,
    percentiles: Percentiles = "50,90",
    within: Within = None,
    bands: BandsOpt = "30,90,180,365",
    oldest: Oldest = 5,
    by: By = None,
    where: Where = None,
    *,
    read: Reading,
) -> None:
    """How long execution takes per group, pending requests included.

    Beside the report's average (executed requests only), each group shows the percentiles
    of --percentiles, a Kaplan–Meier median that counts pending requests at their age, the
    shares executed within --within days, the clearance rate (requests executed during the
    period, whenever sent, per request sent in it), the backlog over the period, a histogram of
    days to execute, and the ageing of every request pending on the as-of date, whatever its
    period, with the --oldest oldest of them.

    \b
    Examples:
      coopstats times requests.csv --period 2023-09-16:2024-09-15
      coopstats times requests.csv --period 2024 --percentiles 50,75,90 --within 30,90
      coopstats times requests.csv --period 2024 --by state --oldest 3
      coopstats times requests.csv --period 2024 --days working --holidays holidays.txt
      coopstats times requests.csv --period 2024 --format json | jq '.groups[].km_median_days'
      coopstats times requests.csv --period 2024 --export times.svg
    """
    from coopstats.days import day_counter
    from coopstats.render import times as render
    from coopstats.stats import bands_of
    from coopstats.times import Measures, execution_times, parse_days_list, parse_percentiles

    s = settle(read, log, fmt=fmt, export=export, year_start=year_start,
               skip_invalid=skip_invalid, holidays=holidays)  # fmt: skip
    measures = Measures(
        percentiles=parse_percentiles(percentiles),
        within=parse_days_list(within, "--within") if within else (),
        bands=bands_of(parse_days_list(bands, "--bands")),
        oldest=oldest,
    )
    days_fn, days_name = day_counter(days, holidays)
    with s.source() as source:
        result = execution_times(
            source, s.period(period), as_of=s.date(as_of, "--as-of"),
            notifications=notifications, options=s.read, days=days_fn, days_name=days_name,
            measures=measures, breakdown=s.breakdown(by, where),
        )  # fmt: skip
    if result.by is not None:
        from coopstats.render import groups as render  # type: ignore[no-redef]
    s.show(result.warnings, views(render, "times", result, decimals))


def register(app: typer.Typer) -> None:
    """Add `times` to the app."""
    app.command()(times)
