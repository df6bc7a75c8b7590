"""`coopstats times`: how long execution really takes, pending requests included.

The `--days` and `--holidays` options are declared here and shared with `summarize`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from coopstats.options import (
    AsOf,
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
    **read: Any,
) -> None:
    """How long execution takes per group, pending requests included.

    Beside the report's average (executed requests only), each group shows the median and 90th
    percentile, a Kaplan–Meier median that counts pending requests at their age, the oldest
    pending request, the backlog over the period and a histogram of days to execute.

    \b
    Examples:
      coopstats times requests.csv --period 2023-09-16:2024-09-15
      coopstats times requests.csv --period 2024 --days working --holidays holidays.txt
      coopstats times requests.csv --period 2024 --format json | jq '.groups[].km_median_days'
      coopstats times requests.csv --period 2024 --export times.svg
    """
    with handled(ctx):
        from coopstats.days import day_counter
        from coopstats.reading import Source
        from coopstats.render.times import (
            times_csv,
            times_document,
            times_json,
            times_markdown,
            times_table,
        )
        from coopstats.times import execution_times

        s = Settings.from_context(ctx)
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
            )
        warn(result.warnings)
        chosen = Format(s["fmt"])
        places = int(s["decimals"])
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
