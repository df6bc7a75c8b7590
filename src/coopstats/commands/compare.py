"""`compare` (a period against its prior) and `trend` (consecutive periods side by side)."""

from __future__ import annotations

import typer

from coopstats.commands import Database, Reading, reads_logs, settle, views
from coopstats.options import (
    Against,
    AsOf,
    By,
    DatabaseOpt,
    Decimals,
    Export,
    Format,
    FormatOpt,
    LogOrDatabase,
    Notifications,
    PeriodOpt,
    Periods,
    SkipInvalid,
    Strict,
    TableOpt,
    Where,
    YearStart,
)


def register(app: typer.Typer) -> None:
    """Add `compare` and `trend` to the app."""
    app.command()(compare)
    app.command()(trend)


@reads_logs
def compare(
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
    *,
    read: Reading,
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
    from coopstats import comparison
    from coopstats.render import compare as render

    s = settle(read, log, fmt=fmt, export=export, year_start=year_start,
               skip_invalid=skip_invalid)  # fmt: skip
    result = s.counted(
        "compare", comparison.compare, Database(database, table, strict), period, as_of=as_of,
        against=against, notifications=notifications, by=by, where=where,
    )  # fmt: skip
    if result.by is not None:
        from coopstats.render import groups as render  # type: ignore[no-redef]
    s.show(result.warnings, views(render, "comparison", result, decimals))


@reads_logs
def trend(
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
    *,
    read: Reading,
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
    from coopstats import comparison
    from coopstats.render import compare as render

    s = settle(read, log, fmt=fmt, export=export, year_start=year_start,
               skip_invalid=skip_invalid)  # fmt: skip
    result = s.counted(
        "trend", comparison.trend, Database(database, table, strict), period, periods,
        as_of=as_of, notifications=notifications, by=by, where=where,
    )  # fmt: skip
    if result.by is not None:
        from coopstats.render import groups as render  # type: ignore[no-redef]
    s.show(result.warnings, views(render, "trend", result, decimals))
