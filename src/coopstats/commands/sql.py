"""`coopstats sql`, and `--database URL --table T` on summarize, compare and trend: the figures
computed where the data lives."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coopstats.options import (
    OUTPUT,
    Against,
    AsOf,
    By,
    Columns,
    ConfigOpt,
    Debug,
    Notifications,
    PeriodOpt,
    Settings,
    Where,
    YearStart,
    handled,
    write_output,
)

if TYPE_CHECKING:
    from coopstats.comparison import Comparison, Trend
    from coopstats.summary import Summary

DATABASE = "Reading a database"
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
    sqlite = "sqlite"
    spark = "spark"


LogOrDatabase = Annotated[
    str | None,
    typer.Argument(
        help="The CSV log (or .xlsx workbook); - reads standard input. Leave it out with "
        "--database.",
        metavar="LOG",
        show_default=False,
    ),
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="URL",
        rich_help_panel=DATABASE,
        help="Count where the data lives instead of reading a LOG: duckdb:PATH (a .parquet or "
        ".csv PATH is read in place), sqlite:PATH or postgresql://USER@HOST/DB (password from "
        "the URL, PGPASSWORD or ~/.pgpass).",
        show_default=False,
    ),
]
TableOpt = Annotated[
    str | None,
    typer.Option(
        "--table",
        rich_help_panel=DATABASE,
        help="The table (or schema.table, or a query such as read_parquet('x')) holding the "
        "log, taken as written.",
        show_default=False,
    ),
]
Strict = Annotated[
    bool,
    typer.Option(
        "--strict",
        rich_help_panel=DATABASE,
        help="With --database: stop (exit 1) when rows break the SPEC's rules, instead of "
        "leaving them out with a warning.",
    ),
]
def sql(
    ctx: typer.Context,
    period: PeriodOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    dialect: Annotated[Dialect, typer.Option("--dialect", help="The SQL engine.")] = Dialect.duckdb,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            help="The table (schema.table, or read_parquet('x.parquet') ...), taken as written.",
        ),
    ] = "requests",
    by: By = None,
    where: Where = None,
    column: Columns = None,
    year_start: YearStart = "09-16",
    config: ConfigOpt = None,
    output: QueryOutput = None,
    debug: Debug = False,
) -> None:
    """Print one SQL query that computes every figure of `summarize` over a table.

    The table holds the SPEC's columns, or the config's [columns] and --column name them; the
    words are mapped by the config's [values.*]; sent and executed may be DATE, TIMESTAMP or ISO
    text. The query returns one row per metric (id, value), with --by one per group and metric
    (grp, id, value). Rows that break the SPEC's rules are left out (summarize --database
    counts them and says why).

    \b
    Examples:
      coopstats sql --period 2024 | duckdb log.duckdb
      coopstats sql --period 2023-09-16:2024-09-15 --dialect postgres --table cooperation.requests
      coopstats sql --period 2024 --table "read_parquet('log.parquet')" --by origin
    """
    with handled(ctx):
        from coopstats.database import read_where
        from coopstats.errors import UsageError
        from coopstats.model import COLUMNS
        from coopstats.periods import prior_period
        from coopstats.sql import Plan, Span, build_query, quote_name
        from coopstats.summary import check_as_of

        s = Settings.from_context(ctx)
        current = s.period()
        prior = s.optional_period("against") or prior_period(current)
        name = str(s["dialect"])
        try:
            columns = {c: quote_name(h, name) for c, h in s.read.columns.items()}

            def named(column: str) -> str:
                folded = column.strip().casefold()
                return folded if folded in COLUMNS else quote_name(column, name)

            plan = Plan(
                table=str(s["table"]),
                windows=(Span(current.start, current.end, current.end),),
                columns=columns,
                values=s.read.values,
                by=None if s["by"] is None else named(str(s["by"])),
                where=tuple((named(c), v) for c, v in read_where(s["where"])),
            )
            query = build_query(
                start=current.start, end=current.end, prior_start=prior.start,
                prior_end=prior.end, as_of=check_as_of(current, s.date("as_of")),
                notifications=bool(s["notifications"]), dialect=name, plan=plan,
            )  # fmt: skip
        except ValueError as err:
            raise UsageError(str(err)) from None
        write_output(s["output"], query.rstrip("\n") + "\n")


def register(app: typer.Typer) -> None:
    app.command()(sql)


# -- --database on summarize, compare and trend ------------------------------------------------


def from_database(log: str | None, s: Settings) -> bool:
    """Whether this run reads a database; refuses a LOG and --database together, or neither."""
    from coopstats.errors import UsageError

    url = s.params.get("database")
    if url is None:
        if log is None:
            raise UsageError("give the LOG to read, or --database URL --table T")
        if s.params.get("table") is not None:
            raise UsageError("--table names a table of --database URL; a LOG needs neither")
        return False
    if log is not None:
        raise UsageError(f"give a LOG or --database, not both ({log!r} and --database)")
    scheme, _, rest = str(url).partition(":")
    if scheme.lower() in ("duckdb", "sqlite", "sqlite3") and rest:
        # The database file is an input of the run: never a target.
        from pathlib import Path

        from coopstats.output import check_target

        for option in ("output", "export"):
            target = s.params.get(option)
            if target is not None and str(target) != "-":
                check_target(f"--{option}", Path(target), [("the database", rest)])
    for option in ("days", "holidays"):
        value = s.params.get(option)
        if value is not None and str(value) not in ("calendar", "DayCount.calendar"):
            raise UsageError(f"--{option} needs a LOG: --database counts calendar days")
    return True


def _database_args(s: Settings) -> dict[str, Any]:
    from coopstats.breakdown import breakdown_of
    from coopstats.database import read_where

    return {
        "notifications": bool(s["notifications"]),
        "options": s.read,
        "strict": bool(s.params.get("strict")),
        "where": read_where(s.params.get("where")),
        "by": breakdown_of(s.params.get("by"), None).by,
    }


def database_summary(s: Settings) -> Summary:
    from coopstats import database

    result: Summary = database.summarize(
        str(s["database"]), s.params.get("table"), s.period(), as_of=s.date("as_of"),
        against=s.optional_period("against"), **_database_args(s),
    )  # fmt: skip
    return result


def database_comparison(s: Settings) -> Comparison:
    from coopstats import database

    result: Comparison = database.compare(
        str(s["database"]), s.params.get("table"), s.period(), as_of=s.date("as_of"),
        against=s.optional_period("against"), **_database_args(s),
    )  # fmt: skip
    return result


def database_trend(s: Settings) -> Trend:
    from coopstats import database

    result: Trend = database.trend(
        str(s["database"]), s.params.get("table"), s.period(), int(s["periods"]),
        as_of=s.date("as_of"), **_database_args(s),
    )  # fmt: skip
    return result
