"""Every option of every command, declared once; the config file's [defaults] merged into them.

Each option is an `Annotated` alias that a command takes as a typed parameter. `OPTIONS` names
them all, as a config's [defaults] does (`year_start`), so that [defaults] is checked against the
same declarations, without building the app. `--config` (or ./coopstats.toml) is read first,
before any other option: its [defaults] become the command's defaults (click's `default_map`),
so that each option arrives typed with the command line winning over the file, and the file over
the option's own default.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from coopstats.config import Config, load_config
from coopstats.errors import CoopstatsError, InvalidRows, UsageError

CONFIG = "coopstats.config"  # where the context keeps the run's Config (ctx.meta)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    svg = "svg"


# The format an output file's extension asks for (SPEC §9), when --format is not given.
EXTENSIONS = {
    ".json": Format.json,
    ".csv": Format.csv,
    ".md": Format.markdown,
    ".markdown": Format.markdown,
    ".html": Format.html,
    ".htm": Format.html,
    ".svg": Format.svg,
    ".txt": Format.table,
}


class DayCount(StrEnum):
    calendar = "calendar"
    working = "working"


class Dialect(StrEnum):
    duckdb = "duckdb"
    postgres = "postgres"
    sqlserver = "sqlserver"
    sqlite = "sqlite"
    spark = "spark"


def config_defaults(ctx: typer.Context, value: Path | None) -> Path | None:
    """`--config FILE`, else ./coopstats.toml: read before the other options (it is eager), its
    [defaults] for this command's options become their defaults, and the Config is kept for
    the run (`configured`).

    A config that cannot be used is said when the command starts (`configured` raises), as it
    was when the commands read it themselves: click's own errors of the command line (a
    missing LOG, a value out of range) come first.
    """
    if ctx.resilient_parsing:
        return value
    names = {param.name for param in ctx.command.params}
    try:
        config = load_config(value, declarations)
        if "output" in config.defaults and "output" in names:
            raise UsageError(
                f"{config.path}: [defaults] output would make every command write the same "
                "file; give -o FILE on the command line"
            )
    except Exception as err:  # noqa: BLE001 - said by `configured`, inside options.handled
        ctx.meta[CONFIG] = err
        return value
    ctx.meta[CONFIG] = config
    # A default for another command's option is left out (config.py checked it is one).
    mine = {name: value for name, value in config.defaults.items() if name in names}
    ctx.default_map = {**(ctx.default_map or {}), **mine}
    return value


def configured(ctx: typer.Context) -> Config:
    """The config file the run's `--config` option read (none: an empty Config); the error
    that kept it from being read, raised (call it inside `handled`)."""
    found = ctx.meta.get(CONFIG)
    if isinstance(found, Exception):
        raise found
    return found if isinstance(found, Config) else Config()


INPUT = "Reading the log"
OUTPUT = "Output"

Log = Annotated[
    str,
    typer.Argument(
        help="The CSV log (or .xlsx workbook); - reads standard input.",
        metavar="LOG",
        show_default=False,
    ),
]
PeriodOpt = Annotated[
    str | None,
    typer.Option("--period", "-p", help="START:END (inclusive, ISO dates) or a reporting year "
                 "such as 2024 (= 2023-09-16:2024-09-15). Required, here or as \\[defaults] "
                 "period in coopstats.toml.", show_default=False),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="Count executions up to this date (default: the period's end).",
        show_default=False,
    ),
]
Against = Annotated[
    str | None,
    typer.Option(
        "--against",
        help="The period to compare with (default: the prior period, of the same calendar "
        "length, ending the day before the period's start).",
        show_default=False,
    ),
]
Notifications = Annotated[
    bool,
    typer.Option(
        "--notifications/--no-notifications",
        help="Count the OTP's notifications of missions among its RFAs.",
    ),
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        help="Output format (with --output and no --format: the file's extension's).",
        rich_help_panel=OUTPUT,
    ),
]
Decimals = Annotated[
    int,
    typer.Option(
        "--decimals",
        min=0,
        max=12,
        help="Decimal places of the figures for people (tables, Markdown, HTML, SVG), rounded "
        "half-up. JSON and CSV always carry the unrounded values.",
        rich_help_panel=OUTPUT,
    ),
]
YearStart = Annotated[
    str,
    typer.Option(
        "--year-start",
        metavar="MM-DD",
        help="First day of a reporting year, for --period YYYY (09-16: the Court's).",
    ),
]
Columns = Annotated[
    list[str] | None,
    typer.Option(
        "--column",
        metavar="CANONICAL=HEADER",
        rich_help_panel=INPUT,
        help="Read CANONICAL (id, organ, kind, origin, categories, sent, executed, "
        "outcome) from the file's column HEADER. Repeatable.",
        show_default=False,
    ),
]
DayFirst = Annotated[
    bool, typer.Option("--dayfirst", help="Read 05/06/2023 as 5 June.", rich_help_panel=INPUT)
]
MonthFirst = Annotated[
    bool, typer.Option("--monthfirst", help="Read 05/06/2023 as May 6.", rich_help_panel=INPUT)
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The file's encoding (default UTF-8, with or without BOM).",
        rich_help_panel=INPUT,
        show_default=False,
    ),
]
Delimiter = Annotated[
    str | None,
    typer.Option(
        "--delimiter",
        help="Field delimiter (default: detected from the header among ',', ';' and tab).",
        rich_help_panel=INPUT,
        show_default=False,
    ),
]
Sheet = Annotated[
    str | None,
    typer.Option(
        "--sheet",
        help="The worksheet of an .xlsx log (default: the first).",
        rich_help_panel=INPUT,
        show_default=False,
    ),
]
SkipInvalid = Annotated[
    bool,
    typer.Option(
        "--skip-invalid",
        help="Leave invalid rows out (and say which) instead of stopping.",
        rich_help_panel=INPUT,
    ),
]
MaxProblems = Annotated[
    int,
    typer.Option(
        "--max-problems", min=1, help="How many problems to print at most.", rich_help_panel=INPUT
    ),
]
HeaderRow = Annotated[
    int | None,
    typer.Option(
        "--header-row",
        min=1,
        metavar="LINE",
        help="The line (a sheet's row) of the header, when title rows above it are not "
        "passed over by themselves (the header is looked for in the first 21 rows).",
        rich_help_panel=INPUT,
        show_default=False,
    ),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No notes and no progress bar on standard error.",
        rich_help_panel=INPUT,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="A TOML file of column names, vocabulary and defaults "
        "(default: ./coopstats.toml when present).",
        rich_help_panel=INPUT,
        show_default=False,
        is_eager=True,  # read first: its [defaults] are the other options' defaults
        callback=config_defaults,
    ),
]
BREAKDOWN = "Breakdowns and filters"
By = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="COLUMN",
        rich_help_panel=BREAKDOWN,
        help="Also give the figures of each group of requests that share a value in COLUMN "
        "(any header of the log, or a canonical column; categories: a request counts under "
        "each of its categories), most requests first; a blank cell is the group (blank).",
        show_default=False,
    ),
]
Where = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="COLUMN=VALUE",
        rich_help_panel=BREAKDOWN,
        help="Count only the requests whose COLUMN is VALUE (trimmed; [values.COLUMN] of the "
        "config applies), in every period. Repeatable: the same column again widens, another "
        "column narrows.",
        show_default=False,
    ),
]
Debug = Annotated[
    bool, typer.Option("--debug", help="Show the traceback of an internal error.", hidden=True)
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        rich_help_panel=OUTPUT,
        help="Write FILE instead of standard output, in the format of its extension (.json .csv "
        ".md .html .svg; .txt: the table) unless --format is given. The file is replaced "
        "whole or not at all; an input of the run is never written.",
        show_default=False,
    ),
]
Export = Annotated[
    Path | None,
    typer.Option(
        "--export",
        metavar="FILE.svg|FILE.html",
        rich_help_panel=OUTPUT,
        help="Also write the table to an SVG or HTML file (kept for existing scripts; "
        "-o FILE.svg writes it instead of standard output).",
        show_default=False,
    ),
]

# The options of the database path (summarize, compare, trend) and of `sql`.
DATABASE = "Reading a database"
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
DialectOpt = Annotated[Dialect, typer.Option("--dialect", help="The SQL engine.")]
QueryTable = Annotated[
    str,
    typer.Option(
        "--table",
        help="The table (schema.table, or read_parquet('x.parquet') ...), taken as written.",
    ),
]

# Counting days (summarize, times, report).
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

# trend and report; explain; values and init.
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
MetricOpt = Annotated[
    str | None,
    typer.Option(
        "--metric",
        "-m",
        metavar="ID",
        help="A metric id of the report (e.g. otp.rfa.executed): list the requests behind it. "
        "Without it: account for every row of the log.",
        show_default=False,
    ),
]
MaxValues = Annotated[
    int,
    typer.Option(
        "--max-values", min=1, help="Distinct values shown of each extra column.", metavar="N"
    ),
]
InitOutput = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE",
        help="Write the config to FILE (e.g. coopstats.toml) instead of standard output, whole "
        "or not at all; an existing file is kept unless --force.",
        show_default=False,
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing --output file.")]


# Every option of every command, by the name [defaults] gives it (`format` is `fmt`), with each
# of its declarations: one config serves every command, so a default need only be an option of
# some command (tests/test_options.py holds this table against the app's commands).
OPTIONS: dict[str, tuple[Any, ...]] = {
    "period": (PeriodOpt,),
    "periods": (Periods,),
    "metric": (MetricOpt,),
    "as_of": (AsOf,),
    "against": (Against,),
    "notifications": (Notifications,),
    "dialect": (DialectOpt,),
    "table": (TableOpt, QueryTable),
    "days": (DaysOpt,),
    "holidays": (Holidays,),
    "fmt": (FormatOpt,),
    "decimals": (Decimals,),
    "year_start": (YearStart,),
    "skip_invalid": (SkipInvalid,),
    "export": (Export,),
    "percentiles": (Percentiles,),
    "within": (Within,),
    "bands": (BandsOpt,),
    "oldest": (Oldest,),
    "max_values": (MaxValues,),
    "force": (Force,),
    "by": (By,),
    "where": (Where,),
    "database": (DatabaseOpt,),
    "strict": (Strict,),
    "output": (OutputOpt, InitOutput, QueryOutput),
    "column": (Columns,),
    "dayfirst": (DayFirst,),
    "monthfirst": (MonthFirst,),
    "encoding": (Encoding,),
    "delimiter": (Delimiter,),
    "sheet": (Sheet,),
    "max_problems": (MaxProblems,),
    "header_row": (HeaderRow,),
    "quiet": (Quiet,),
    "config": (ConfigOpt,),
    "debug": (Debug,),
}


def declarations() -> dict[str, list[Any]]:
    """Each option of `OPTIONS` as click declares it (a click Option per declaration), built by
    Typer as it builds a command's: the type, range, choices and repetition that a [defaults]
    value is checked against (config.check_default)."""
    import inspect

    from typer.main import get_click_param
    from typer.utils import get_params_from_function

    declared: dict[str, list[Any]] = {}
    for name, aliases in OPTIONS.items():
        for alias in aliases:

            def probe() -> None:
                """A function of one parameter, the option, for Typer to read."""

            parameter = inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=alias
            )
            probe.__signature__ = inspect.Signature([parameter])  # type: ignore[attr-defined]
            (meta,) = get_params_from_function(probe).values()
            declared.setdefault(name, []).append(get_click_param(meta)[0])
    return declared


# --- messages and exit statuses ----------------------------------------------------------------


def warn(messages: list[str]) -> None:
    """Warnings go to standard error, one a line, so that standard output stays clean."""
    if not messages:
        return  # Rich is not even imported on the quiet path
    console = stderr_console()
    for message in messages:
        console.print(f"warning: {message}", markup=False)


def stderr_console() -> Any:
    from rich.console import Console

    from coopstats import feedback

    feedback.finish()  # a progress bar leaves the screen before any message
    # Messages quote the user's file: neither markup nor emoji codes (`OTP:x:`) are read in it.
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def report_problems(err: InvalidRows, max_problems: int, skippable: bool = False) -> None:
    """Each problem on one line (file:line: column, value: message), those that many rows
    share said once with their count (grouping.py), then the total, and (`skippable`: the
    command takes --skip-invalid, not given) how to count the valid rows all the same."""
    from coopstats.grouping import shown_groups

    console = stderr_console()
    groups, left = shown_groups(err.problems, err.total, max_problems)
    for group in groups:
        console.print(group.describe(err.source), markup=False)
    if left > 0:
        console.print(
            f"... and {left} more problem(s) (--max-problems to see more; "
            "'coopstats validate' lists them all)",
            markup=False,
        )
    console.print(f"error: {err.message}", markup=False)
    if skippable:
        console.print(
            "hint: --skip-invalid leaves the invalid rows out, counts the rest and says which "
            "rows it left out",
            markup=False,
        )


@contextmanager
def handled(*, debug: bool, max_problems: int, skippable: bool = False) -> Iterator[None]:
    """Turn the tool's errors into a message on stderr and an exit status; never a traceback
    (--debug shows an internal error's); at most `max_problems` problems of invalid rows, and
    (`skippable`: the command takes --skip-invalid, not given) the hint to count the rest."""
    try:
        yield
    except InvalidRows as err:
        report_problems(err, max_problems or 20, skippable)
        raise typer.Exit(err.exit_code) from None
    except CoopstatsError as err:
        stderr_console().print(f"error: {err.message}", markup=False)
        raise typer.Exit(err.exit_code) from None
    except BrokenPipeError:
        # The reader of our output went away (`| head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as err:  # noqa: BLE001 - the one place that catches everything
        if debug:
            traceback.print_exc()
        stderr_console().print(
            f"internal error: {type(err).__name__}: {err} — this is a bug in coopstats; please "
            "report it with the command you ran (--debug shows the traceback)",
            markup=False,
        )
        raise typer.Exit(3) from None
