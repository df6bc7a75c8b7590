"""`coopstats times`: how long execution really takes, pending requests included.

The `--days` and `--holidays` options are declared here and shared with `summarize`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from coopstats.options import (
    AsOf,
    By,
    DayCount,
    Decimals,
    Export,
    Format,
    FormatOpt,
    Log,
    Notifications,
    PeriodOpt,
    Settings,
    SkipInvalid,
    Where,
    YearStart,
    emit,
    handled,
    reads_logs,
    warn,
)

DaysOpt = Annotated[
    DayCount,
    typer.Option(
        "--days",
        help="Count days to execute as calendar days, or as working days (Monday to Friday, "
        "less --holidays; the day after sending is day 1).",
    ),
]
Holidays = Annotated[
    Path | None,
    typer.Option(
        "--holidays",
        metavar="FILE",
        help="Days that are not working days with --days working: one YYYY-MM-DD a line, "
        "# comments.",
        show_default=False,
    ),
]

MEASURES = "Time measures (SPEC §7)"
Percentiles = Annotated[
    str,
    typer.Option(
        "--percentiles",
        metavar="P,...",
        rich_help_panel=MEASURES,
        help="Percentiles of the days to execute, each from 0 to 100 (linear interpolation "
        "between order statistics, as numpy's default).",
    ),
]
Within = Annotated[
    str | None,
    typer.Option(
        "--within",
        metavar="N,...",
        rich_help_panel=MEASURES,
        help="Also the share of the requests sent in the period that were executed within N "
        "days of being sent (and by the as-of date), over all of them, pending included.",
        show_default=False,
    ),
]
BandsOpt = Annotated[
    str,
    typer.Option(
        "--bands",
        metavar="N,...",
        rich_help_panel=MEASURES,
        help="Upper ends of the bands of days (increasing) of the days-to-execute histogram "
        "and of the ageing of the pending requests: 30,90 gives 0–30, 31–90, 91+.",
    ),
]
Oldest = Annotated[
    int,
    typer.Option(
        "--oldest",
        metavar="N",
        min=0,
        rich_help_panel=MEASURES,
        help="List the N oldest requests pending on the as-of date, whatever their period "
        "(id, sent, age; ties by id).",
    ),
]


@reads_logs
def times(
    ctx: typer.Context,
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
    **read: Any,
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
    with handled(ctx):
        from coopstats.days import day_counter
        from coopstats.read import Source
        from coopstats.render.times import (
            times_csv,
            times_document,
            times_json,
            times_markdown,
            times_table,
        )
        from coopstats.stats import bands_of
        from coopstats.times import Measures, execution_times, parse_days_list, parse_percentiles

        s = Settings.from_context(ctx)
        measures = Measures(
            percentiles=parse_percentiles(str(s["percentiles"])),
            within=parse_days_list(str(s["within"]), "--within") if s["within"] else (),
            bands=bands_of(parse_days_list(str(s["bands"]), "--bands")),
            oldest=int(s["oldest"]),
        )
        days_fn, days_name = day_counter(s["days"], s["holidays"])
        with Source(log) as source:
            result = execution_times(
                source,
                s.period(),
                as_of=s.date("as_of"),
                notifications=bool(s["notifications"]),
                options=s.read,
                days=days_fn,
                days_name=days_name,
                measures=measures,
                breakdown=s.breakdown(),
            )
        warn(result.warnings)
        chosen = Format(s["fmt"])
        places = int(s["decimals"])
        if result.by is not None:
            from coopstats.render.groups import (  # type: ignore[assignment]
                times_csv,
                times_document,
                times_json,
                times_markdown,
                times_table,
            )
        emit(
            chosen,
            s["export"],
            output=s["output"],
            table=lambda: times_table(result, places),
            json=lambda: times_json(result),
            csv=lambda: times_csv(result),
            markdown=lambda: times_markdown(result, places),
            document=lambda: times_document(result, places),
        )


def register(app: typer.Typer) -> None:
    """Add `times` to the app."""
    app.command()(times)
