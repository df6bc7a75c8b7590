"""`coopstats sql`: the figures computed where the data lives, by one standard SQL query."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from coopstats.options import (
    OUTPUT,
    Against,
    AsOf,
    ConfigOpt,
    Debug,
    Notifications,
    PeriodOpt,
    Settings,
    YearStart,
    handled,
    write_output,
)

QueryOutput = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        rich_help_panel=OUTPUT,
        help="Write the query to FILE instead of standard output (replaced whole or not at all).",
        show_default=False,
    ),
]


class Dialect(StrEnum):
    duckdb = "duckdb"
    postgres = "postgres"
    sqlserver = "sqlserver"


def sql(
    ctx: typer.Context,
    period: PeriodOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    dialect: Annotated[Dialect, typer.Option("--dialect", help="The SQL engine.")] = Dialect.duckdb,
    table: Annotated[
        str, typer.Option("--table", help="The table (or schema.table) holding the SPEC's columns.")
    ] = "requests",
    year_start: YearStart = "09-16",
    config: ConfigOpt = None,
    output: QueryOutput = None,
    debug: Debug = False,
) -> None:
    """Print one SQL query that computes every figure of `summarize` over a table.

    The table has the SPEC's columns (sent and executed as DATE, the rest as text); the query
    returns one row per metric, with the columns id and value.

    \b
    Examples:
      coopstats sql --period 2024 | duckdb -c ".read /dev/stdin"
      coopstats sql --period 2023-09-16:2024-09-15 --dialect postgres --table cooperation.requests
    """
    with handled(ctx):
        from coopstats.errors import UsageError
        from coopstats.periods import prior_period
        from coopstats.sql import build_query
        from coopstats.summary import check_as_of

        s = Settings.from_context(ctx)
        current = s.period()
        prior = s.optional_period("against") or prior_period(current)
        try:
            query = build_query(
                start=current.start, end=current.end, prior_start=prior.start,
                prior_end=prior.end, as_of=check_as_of(current, s.date("as_of")),
                notifications=bool(s["notifications"]), dialect=str(s["dialect"]),
                table=str(s["table"]),
            )
        except ValueError as err:
            raise UsageError(str(err)) from None
        write_output(s["output"], query.rstrip("\n") + "\n")


def register(app: typer.Typer) -> None:
    app.command()(sql)
