"""`coopstats sql`: one query that computes the figures where the data lives. (`--database
URL --table T` on summarize, compare and trend: `commands.Settings.counted`.)"""

from __future__ import annotations

import typer

from coopstats.commands import QUERY_OPTIONS, Reading, settle, shared, write_output
from coopstats.options import (
    Against,
    AsOf,
    By,
    Dialect,
    DialectOpt,
    Notifications,
    PeriodOpt,
    QueryTable,
    Where,
    YearStart,
)


@shared(QUERY_OPTIONS)
def sql(
    period: PeriodOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    dialect: DialectOpt = Dialect.duckdb,
    table: QueryTable = "requests",
    by: By = None,
    where: Where = None,
    year_start: YearStart = "09-16",
    *,
    read: Reading,
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
    from coopstats.database import read_where
    from coopstats.errors import UsageError
    from coopstats.model import COLUMNS
    from coopstats.periods import prior_period
    from coopstats.sql import Plan, Span, build_query, quote_name
    from coopstats.summary import check_as_of

    s = settle(read, year_start=year_start)
    current = s.period(period)
    prior = s.optional_period(against, "--against") or prior_period(current)
    name = str(dialect)
    try:
        columns = {c: quote_name(h, name) for c, h in s.read.columns.items()}

        def named(column: str) -> str:
            folded = column.strip().casefold()
            return folded if folded in COLUMNS else quote_name(column, name)

        plan = Plan(
            table=table,
            windows=(Span(current.start, current.end, current.end),),
            columns=columns,
            values=s.read.values,
            by=None if by is None else named(by),
            where=tuple((named(c), v) for c, v in read_where(where)),
        )
        query = build_query(
            start=current.start, end=current.end, prior_start=prior.start,
            prior_end=prior.end, as_of=check_as_of(current, s.date(as_of, "--as-of")),
            notifications=notifications, dialect=name, plan=plan,
        )  # fmt: skip
    except ValueError as err:
        raise UsageError(str(err)) from None
    write_output(s.output, query.rstrip("\n") + "\n")


def register(app: typer.Typer) -> None:
    app.command()(sql)
