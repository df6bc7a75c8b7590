"""`compare` (a period against its prior) and `trend` (consecutive periods side by side)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from coopstats.commands import sql
from coopstats.commands.sql import DatabaseOpt, LogOrDatabase, Strict, TableOpt
from coopstats.options import (
    Against,
    AsOf,
    By,
    Decimals,
    Export,
    Format,
    FormatOpt,
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

Periods = Annotated[
    int,
    typer.Option(
        "--periods",
        "-n",
        min=1,
        max=50,
        help="How many consecutive periods, ending with --period (1 to 50).",
    ),
]


def register(app: typer.Typer) -> None:
    """Add `compare` and `trend` to the app."""
    app.command()(compare)
    app.command()(trend)


@reads_logs
def compare(
    ctx: typer.Context,
    log: LogOrDatabase = None,
    period: PeriodOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    fmt: FormatOpt = Format.table,
    decimals: Decimals = 2,
    year_start: YearStart = "09-16",
    skip_invalid: SkipInvalid = False,
    export: Export = None,
    by: By = None,
    where: Where = None,
    database: DatabaseOpt = None,
    table: TableOpt = None,
    strict: Strict = False,
    **read: Any,
) -> None:
    """Compare a period's figures with the prior period's: current, prior, change, change in %.

    Each period is counted as of its own end, as that year's report counted it (--as-of moves
    the current period's only). Rates change in percentage points (pp); the change in % is N/A
    when the prior figure is 0 or N/A.

    \b
    Examples:
      coopstats compare requests.csv --period 2023-09-16:2024-09-15
      coopstats compare requests.csv --period 2024 --against 2021-09-16:2022-09-15
      coopstats compare requests.csv --period 2024 --format json | jq '.metrics[] | .id, .change'
      coopstats compare requests.csv --period 2024 --format markdown > comparison.md
      coopstats compare requests.csv --period 2024 --by situation
    """
    with handled(ctx):
        from coopstats.comparison import compare as run
        from coopstats.read import Source
        from coopstats.render import compare as render

        s = Settings.from_context(ctx)
        if sql.from_database(log, s):
            result = sql.database_comparison(s)
        else:
            assert log is not None
            with Source(log) as source:
                result = run(
                    source,
                    s.period(),
                    as_of=s.date("as_of"),
                    against=s.optional_period("against"),
                    notifications=bool(s["notifications"]),
                    options=s.read,
                    breakdown=s.breakdown(),
                )
        warn(result.warnings)
        places = int(s["decimals"])
        if result.by is not None:
            from coopstats.render import groups as render  # type: ignore[no-redef]
        emit(
            Format(s["fmt"]),
            s["export"],
            output=s["output"],
            table=lambda: render.comparison_table(result, places),
            json=lambda: render.comparison_json(result),
            csv=lambda: render.comparison_csv(result),
            markdown=lambda: render.comparison_markdown(result, places),
            document=lambda: render.comparison_document(result, places),
        )


@reads_logs
def trend(
    ctx: typer.Context,
    log: LogOrDatabase = None,
    period: PeriodOpt = None,
    periods: Periods = 5,
    as_of: AsOf = None,
    notifications: Notifications = True,
    fmt: FormatOpt = Format.table,
    decimals: Decimals = 2,
    year_start: YearStart = "09-16",
    skip_invalid: SkipInvalid = False,
    export: Export = None,
    by: By = None,
    where: Where = None,
    database: DatabaseOpt = None,
    table: TableOpt = None,
    strict: Strict = False,
    **read: Any,
) -> None:
    """Follow every figure across consecutive periods ending with --period, oldest first.

    The periods are counted back from --period's start (SPEC §2): a quarter's or a month's
    stay on the calendar (2024-01-01:2024-03-31, then 2023-10-01:2023-12-31, 2023-07-01:
    2023-09-30, ...); other periods are blocks of the same number of days. Each is counted as
    of its own end (--as-of moves the last period's only), and each period's evolutions are
    against the period before it. A sparkline per row shows the direction at a glance.

    \b
    Examples:
      coopstats trend requests.csv --period 2023-09-16:2024-09-15 --periods 5
      coopstats trend requests.csv --period 2024 -n 3 --format markdown > trend.md
      coopstats trend requests.csv --period 2024 --year-start 01-01 --format csv
      coopstats trend requests.csv --period 2024-01-01:2024-03-31 -n 8 --export trend.svg
      coopstats trend requests.csv --period 2024 -n 3 --by state --format csv
    """
    with handled(ctx):
        from coopstats.comparison import trend as run
        from coopstats.read import Source
        from coopstats.render import compare as render

        s = Settings.from_context(ctx)
        if sql.from_database(log, s):
            result = sql.database_trend(s)
        else:
            assert log is not None
            with Source(log) as source:
                result = run(
                    source,
                    s.period(),
                    int(s["periods"]),
                    as_of=s.date("as_of"),
                    notifications=bool(s["notifications"]),
                    options=s.read,
                    breakdown=s.breakdown(),
                )
        warn(result.warnings)
        places = int(s["decimals"])
        if result.by is not None:
            from coopstats.render import groups as render  # type: ignore[no-redef]
        emit(
            Format(s["fmt"]),
            s["export"],
            output=s["output"],
            table=lambda: render.trend_table(result, places),
            json=lambda: render.trend_json(result),
            csv=lambda: render.trend_csv(result),
            markdown=lambda: render.trend_markdown(result, places),
            document=lambda: render.trend_document(result, places),
        )
