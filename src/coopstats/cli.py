"""The command line: each command parses its options, calls the library and picks a renderer."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coopstats import __version__
from coopstats.commands import compare, inspect, report, sql, times, values
from coopstats.commands.sql import DatabaseOpt, LogOrDatabase, Strict, TableOpt
from coopstats.commands.times import DaysOpt, Holidays
from coopstats.options import (
    Against,
    AsOf,
    By,
    DayCount,
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

if TYPE_CHECKING:  # summary imports the engine: kept off start-up until a command runs
    from coopstats.summary import Summary

TITLE = "Report of the Court on Cooperation: disaggregated data"
APP_SETTINGS: dict[str, Any] = {
    "name": "coopstats",
    "help": "Cooperation-request statistics, counted by the rules of the ICC's Report of the "
    "Court on Cooperation.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**APP_SETTINGS)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coopstats {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = None,
) -> None:
    """Cooperation-request statistics, counted by the rules of the ICC's Report of the Court on
    Cooperation (section II and its footnotes)."""


@app.command()
@reads_logs
def summarize(
    ctx: typer.Context,
    log: LogOrDatabase = None,
    period: PeriodOpt = None,
    as_of: AsOf = None,
    against: Against = None,
    notifications: Notifications = True,
    days: DaysOpt = DayCount.calendar,
    holidays: Holidays = None,
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
    """Print the report's tables (section II) for a period.

    With --by COLUMN, the same figures for each group of requests that share a value in that
    column follow; --where COLUMN=VALUE counts only the matching requests.

    \b
    Examples:
      coopstats summarize requests.csv --period 2023-09-16:2024-09-15
      coopstats summarize requests.csv --period 2024 --no-notifications
      coopstats summarize requests.csv --period 2024 --by state
      coopstats summarize requests.csv --period 2024 --where situation=Darfur --format json
      coopstats summarize requests.csv --period 2024 --format json | jq '.metrics[] | .id, .value'
      coopstats summarize - --period 2024 --format csv < requests.csv
      coopstats summarize --database postgresql://me@db/court --table requests --period 2024
    """
    with handled(ctx):
        from coopstats.days import day_counter
        from coopstats.read import Source
        from coopstats.render import machine
        from coopstats.summary import summarize as run

        s = Settings.from_context(ctx)
        if sql.from_database(log, s):
            result = sql.database_summary(s)
        else:
            assert log is not None
            days_fn, days_name = day_counter(s["days"], s["holidays"])
            with Source(log) as source:
                result = run(
                    source,
                    s.period(),
                    as_of=s.date("as_of"),
                    against=s.optional_period("against"),
                    notifications=bool(s["notifications"]),
                    options=s.read,
                    breakdown=s.breakdown(),
                    days=days_fn,
                    days_name=days_name,
                )
        warn(result.warnings)
        if result.by is not None:
            from coopstats.render import groups

            decimals = int(s["decimals"])
            emit(
                Format(s["fmt"]),
                s["export"],
                output=s["output"],
                table=lambda: groups.summary_table(
                    result, decimals, _summary_table(result, decimals)
                ),
                json=lambda: groups.summary_json(result),
                csv=lambda: groups.summary_csv(result),
                markdown=lambda: groups.summary_markdown(
                    result, decimals, _summary_markdown(result, decimals)
                ),
                document=lambda: groups.summary_document(
                    result, decimals, _summary_document(result, decimals)
                ),
            )
            return
        emit(
            Format(s["fmt"]),
            s["export"],
            output=s["output"],
            table=lambda: _summary_table(result, int(s["decimals"])),
            json=lambda: machine.summary_json(result),
            csv=lambda: machine.summary_csv(result),
            markdown=lambda: _summary_markdown(result, int(s["decimals"])),
            document=lambda: _summary_document(result, int(s["decimals"])),
        )


def _summary_markdown(result: Summary, decimals: int) -> str:
    from coopstats.render.layout import caption, sections
    from coopstats.render.markdown import sections_markdown

    return sections_markdown(TITLE, caption(result), sections(result, decimals), result.warnings)


def _summary_document(result: Summary, decimals: int) -> Any:
    from coopstats.render.layout import summary_document

    return summary_document(TITLE, result, decimals)


def _summary_table(result: Summary, decimals: int) -> object:
    from coopstats.render.layout import caption, sections
    from coopstats.render.table import sections_table

    return sections_table(TITLE, caption(result), sections(result, decimals))


for _module in (compare, times, inspect, sql, report, values):
    _module.register(app)


def main() -> None:
    """The console script. Typer converts every registered command into a click command on
    each run (a tenth of a 10,000-row summary's time), so a run that names its command gets an
    app holding that command alone; `coopstats --help` and the like get the whole app."""
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    for info in app.registered_commands:
        callback = info.callback
        if callback is not None and name == (info.name or callback.__name__.replace("_", "-")):
            single = typer.Typer(**APP_SETTINGS)
            single.callback()(_root)
            single.registered_commands.append(info)
            single()
            return
    app()
