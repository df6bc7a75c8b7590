"""The command line: the app, its commands, and `summarize`; the other commands are in
`commands/`, each option is declared once in options.py and the pipeline is `commands`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from coopstats import __version__
from coopstats.commands import (
    Database,
    Reading,
    Views,
    compare,
    inspect,
    reads_logs,
    report,
    settle,
    sql,
    times,
    values,
)
from coopstats.options import (
    Against,
    AsOf,
    By,
    DatabaseOpt,
    DayCount,
    DaysOpt,
    Decimals,
    Export,
    Format,
    FormatOpt,
    Holidays,
    LogOrDatabase,
    Notifications,
    PeriodOpt,
    SkipInvalid,
    Strict,
    TableOpt,
    Where,
    YearStart,
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
    *,
    read: Reading,
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
    from coopstats.summary import summarize as count

    s = settle(read, log, fmt=fmt, export=export, year_start=year_start,
               skip_invalid=skip_invalid, holidays=holidays)  # fmt: skip
    result = s.counted(
        "summarize", count, Database(database, table, strict), period, as_of=as_of,
        against=against, notifications=notifications, by=by, where=where, days=(days, holidays),
    )  # fmt: skip
    s.show(result.warnings, _summary_views(result, decimals))


def _summary_views(result: Summary, decimals: int) -> Views:
    if result.by is None:
        from coopstats.render import machine

        return Views(
            table=lambda: _summary_table(result, decimals),
            json=lambda: machine.summary_json(result),
            csv=lambda: machine.summary_csv(result),
            markdown=lambda: _summary_markdown(result, decimals),
            document=lambda: _summary_document(result, decimals),
        )
    from coopstats.render import groups  # only when there are groups to show

    return Views(
        table=lambda: groups.summary_table(result, decimals, _summary_table(result, decimals)),
        json=lambda: groups.summary_json(result),
        csv=lambda: groups.summary_csv(result),
        markdown=lambda: groups.summary_markdown(
            result, decimals, _summary_markdown(result, decimals)
        ),
        document=lambda: groups.summary_document(
            result, decimals, _summary_document(result, decimals)
        ),
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
