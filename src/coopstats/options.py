"""Options shared by the commands, their resolution against a config file, and error handling.

Each command declares its options with the aliases below, then calls `Settings.from_context`,
which takes each option from the command line, else from the config file's [defaults], else
from its own default.
"""

from __future__ import annotations

import inspect
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from coopstats.config import Config, load_config

if TYPE_CHECKING:
    from coopstats.breakdown import Breakdown
from coopstats.errors import CoopstatsError, InvalidRows, UsageError
from coopstats.model import Period
from coopstats.output import (
    STDIN,
    InputRef,
    check_stdout,
    check_stdout_target,
    check_target,
    same_file,
    write_atomic,
    write_stdout,
)
from coopstats.periods import COURT_YEAR_START, EXAMPLE, parse_iso, parse_period, parse_year_start
from coopstats.read import ReadOptions


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


_PATH_OPTIONS = ("config", "export", "holidays", "output")


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def warn(messages: list[str]) -> None:
    """Warnings go to standard error, one a line, so that standard output stays clean."""
    if not messages:
        return  # Rich is not even imported on the quiet path
    console = stderr_console()
    for message in messages:
        console.print(f"warning: {message}", markup=False)


def note(message: str) -> None:
    """A note on standard error: what the run took that the command line did not say (none
    under --quiet: feedback.note)."""
    from coopstats import feedback

    feedback.note(message)


@dataclass(frozen=True)
class Settings:
    """Everything the command line and the config file said, resolved and checked."""

    params: dict[str, Any]
    config: Config
    read: ReadOptions
    year_start: tuple[int, int]

    @classmethod
    def from_context(cls, ctx: typer.Context) -> Settings:
        from coopstats import feedback

        params = dict(ctx.params)
        feedback.configure(quiet=bool(params.get("quiet")))
        config_path = params.get("config")
        config = load_config(Path(config_path) if config_path is not None else None)
        for name, value in config.defaults.items():
            if name not in params:
                continue  # a default for another command (checked in config.py)
            if name == "output":
                raise UsageError(
                    f"{config.path}: [defaults] output would make every command write the same "
                    "file; give -o FILE on the command line"
                )
            source = ctx.get_parameter_source(name)
            if source is None or source.name == "DEFAULT":
                params[name] = value
        for name in _PATH_OPTIONS:  # from a config, or from a Typer that leaves them as text
            if isinstance(params.get(name), str):
                params[name] = Path(params[name])
        dayfirst, monthfirst = params.get("dayfirst"), params.get("monthfirst")
        if dayfirst and monthfirst:
            # One from the command line and one from the config: the command line wins.
            typed = [
                name for name in ("dayfirst", "monthfirst")
                if (source := ctx.get_parameter_source(name)) is not None
                and source.name == "COMMANDLINE"
            ]  # fmt: skip
            if len(typed) != 1:
                raise UsageError("--dayfirst and --monthfirst contradict each other; pass one")
            params["monthfirst" if typed[0] == "dayfirst" else "dayfirst"] = False
            dayfirst, monthfirst = params["dayfirst"], params["monthfirst"]
        columns = dict(config.columns)
        origins = {name: f"[columns] {name} in {config.name}" for name in columns}
        for item in params.get("column") or ():
            canonical, sep, header = item.partition("=")
            if not sep or not canonical.strip() or not header.strip():
                raise UsageError(
                    f"--column {item!r}: write it as CANONICAL=HEADER, e.g. sent=Date sent"
                )
            columns[canonical.strip().lower()] = header.strip()
            origins[canonical.strip().lower()] = f"--column {item}"
        feedback.configure(quiet=bool(params.get("quiet")))  # [defaults] quiet, if any
        if config.found:  # one given with --config is known to the user already
            note(f"using {config.name}")
        read = ReadOptions(
            encoding=params.get("encoding"),
            delimiter=params.get("delimiter"),
            columns=columns,
            date_order="day" if dayfirst else "month" if monthfirst else None,
            skip_invalid=bool(params.get("skip_invalid")),
            values=config.values,
            sheet=params.get("sheet"),
            header_row=params.get("header_row"),
            config=config.name,
            origins=origins,
        )
        year_start = params.get("year_start")
        settings = cls(
            params=params,
            config=config,
            read=read,
            year_start=parse_year_start(year_start) if year_start else COURT_YEAR_START,
        )
        settings._choose_format(ctx)
        settings._check_outputs()
        ctx.meta["settings"] = settings
        settings.note_decimals(ctx)
        return settings

    def note_decimals(self, ctx: typer.Context) -> None:
        """--decimals with a machine format rounds nothing: say so rather than ignore it."""
        source = ctx.get_parameter_source("decimals") if "decimals" in self.params else None
        machine = str(self.params.get("fmt")) in (Format.json, Format.csv)
        if machine and source is not None and source.name == "COMMANDLINE":
            note(
                "--decimals applies to tables, Markdown, HTML and SVG only; "
                f"{str(self.params['fmt']).upper()} keeps every value unrounded"
            )

    def inputs(self) -> list[tuple[str, InputRef]]:
        """Every file the run reads, for the check that no output is written over one; standard
        input's file is one whether or not the log is `-`."""
        found: list[tuple[str, InputRef]] = [("the file standard input reads", STDIN)]
        log = self.params.get("log")
        if log is not None and log != STDIN:
            found.append(("the log", log))
        if self.config.path is not None:
            found.append(("the config file", self.config.path))
        holidays = self.params.get("holidays")
        if holidays is not None:
            found.append(("the holidays file", holidays))
        return found

    def _choose_format(self, ctx: typer.Context) -> None:
        """--format when typed; else the extension of --output; else the config's, or table."""
        target = self.params.get("output")
        if target is None or "fmt" not in self.params or _is_stdout(target):
            return
        source = ctx.get_parameter_source("fmt")
        if source is not None and source.name == "COMMANDLINE":
            return
        chosen = EXTENSIONS.get(Path(target).suffix.lower())
        if chosen is not None:
            self.params["fmt"] = chosen
        elif "fmt" not in self.config.defaults:
            raise UsageError(
                f"--output {target}: no format for that extension; use one of "
                f"{' '.join(EXTENSIONS)}, or give --format"
            )

    def _check_outputs(self) -> None:
        """Refuse, before anything is read, an output that would write over an input or that
        cannot be written, and a closed standard output that would receive the figures."""
        target, export = self.params.get("output"), self.params.get("export")
        if target is None or _is_stdout(target):
            check_stdout()
            check_stdout_target(self.inputs())
        else:
            check_target("--output", Path(target), self.inputs())
        if export is not None:
            check_export(Path(export), None, self.inputs())
            if target is not None and not _is_stdout(target):
                if same_file(Path(target), Path(export)):
                    raise UsageError(f"--output and --export both name {target}; give one")

    def __getitem__(self, name: str) -> Any:
        return self.params[name]

    def period(self, name: str = "period") -> Period:
        """The period (required: from the command line or the config's [defaults])."""
        if self.params.get(name) is None:
            raise UsageError(f"missing option {_flag(name)}: the period to count, e.g. {EXAMPLE}")
        return parse_period(str(self.params[name]), self.year_start, _flag(name))

    def optional_period(self, name: str) -> Period | None:
        value = self.params.get(name)
        return parse_period(str(value), self.year_start, _flag(name)) if value else None

    def breakdown(self) -> Breakdown | None:
        """--by and --where (SPEC §6), None when neither is given."""
        from coopstats.breakdown import breakdown_of

        found = breakdown_of(self.params.get("by"), self.params.get("where"))
        return found if found.active else None

    def date(self, name: str) -> date | None:
        value = self.params.get(name)
        return parse_iso(str(value), _flag(name)) if value else None


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
def handled(ctx: typer.Context) -> Iterator[None]:
    """Turn the tool's errors into a message on stderr and an exit status; never a traceback."""
    debug = bool(ctx.params.get("debug"))
    try:
        yield
    except InvalidRows as err:
        settings = ctx.meta.get("settings")
        params = settings.params if isinstance(settings, Settings) else ctx.params
        skippable = "skip_invalid" in params and not params.get("skip_invalid")
        report_problems(err, int(params.get("max_problems") or 20), skippable)
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


def check_export(
    export: Path | None, log: str | None, inputs: list[tuple[str, InputRef]] | None = None
) -> None:
    """Refuse an export that is not .svg/.html, or that is an input of the run (`log`, or each
    of `inputs`: Settings.from_context checks every input this way for every command)."""
    if export is None:
        return
    if export.suffix.lower() not in (".svg", ".html", ".htm"):
        raise UsageError(f"--export {export}: the file must end in .svg or .html")
    found = list(inputs or [])
    if log is not None:
        found.append(("the log", log))
    check_target("--export", export, found)


def emit(
    fmt: Format,
    export: Path | None,
    *,
    output: Path | None,  # required: a command that forgot -o would print instead, silently
    table: Callable[[], Any],
    json: Callable[[], str],
    csv: Callable[[], str],
    markdown: Callable[[], str],
    document: Callable[[], Any],
) -> None:
    """Write the output in the chosen format, to standard output or to the file `output`, and
    the table's picture to `export` when asked (--export, the older spelling of -o FILE.svg).

    Each renderer is called only when its format is wanted: machine formats never import Rich,
    and a long table is never laid out for nothing. `document` gives the render.document
    Document that HTML pages and SVG pictures are drawn from.
    """
    text = {Format.json: json, Format.csv: csv, Format.markdown: markdown}.get(fmt)
    if text is not None:
        write_output(output, text())
    elif fmt in (Format.html, Format.svg):
        write_output(output, render_picture(fmt, document()))
    elif output is None or _is_stdout(output):
        write_output(None, terminal_text(table()))
    else:
        write_output(output, table_text(table()))
    if export is not None:
        save_export(document(), export)


def write_output(target: Path | None, text: str) -> None:
    """`text` to standard output, or (-o FILE) into FILE, replaced whole or not at all."""
    if target is None or _is_stdout(target):
        write_stdout(text)
    else:
        write_atomic("--output", target, text)


def _is_stdout(target: str | os.PathLike[str]) -> bool:
    return os.fspath(target) == STDIN  # -o - is standard output, as a log of - is its input


def render_picture(fmt: Format, document: Any) -> str:
    """The output's render.document.Document as an HTML page or an SVG picture: the one place
    that picks their renderer."""
    if fmt is Format.svg:
        from coopstats.render.svg import document_picture

        return document_picture(document)
    from coopstats.render.html import page

    return page(document)


def terminal_text(renderable: Any) -> str:
    """The table as standard output shows it: the terminal's width and colours when it is one,
    piped as wide as it needs; never a value cut (render/table.py)."""
    from coopstats.render.table import screen_text

    columns = os.environ.get("COLUMNS", "")  # asked for: a width even when piped
    return screen_text(renderable, int(columns) if columns.isdigit() and int(columns) else None)


def table_text(renderable: Any) -> str:
    """The table as plain text for a file: as wide as it needs, so that no value is cut or
    folded (a file has no terminal width to fit), without colour or trailing spaces."""
    from coopstats.render.table import plain_text

    return plain_text(renderable)


def save_export(document: Any, export: Path) -> None:
    """--export FILE.svg|FILE.html: the output's picture or page, written as -o writes a file."""
    fmt = Format.svg if export.suffix.lower() == ".svg" else Format.html
    write_atomic("--export", export, render_picture(fmt, document))


# The options of every command that reads a log, declared once and given to each command by
# `reads_logs`; the command reads them through Settings.from_context(ctx).
_READ_OPTIONS: tuple[tuple[str, Any, object], ...] = (
    ("output", OutputOpt, None),
    ("column", Columns, None),
    ("dayfirst", DayFirst, False),
    ("monthfirst", MonthFirst, False),
    ("encoding", Encoding, None),
    ("delimiter", Delimiter, None),
    ("sheet", Sheet, None),
    ("max_problems", MaxProblems, 20),
    ("header_row", HeaderRow, None),
    ("quiet", Quiet, False),
    ("config", ConfigOpt, None),
    ("debug", Debug, False),
)
Command = TypeVar("Command", bound=Callable[..., None])


def reads_logs(command: Command) -> Command:
    """Add the options of reading a log to a command's signature, as Typer reads it.

    The command takes them in `**read` and reads them from the context through `Settings`; one
    it declares itself (with another default, say) keeps its own declaration.
    """
    own = inspect.signature(command, eval_str=True)
    parameters = [p for p in own.parameters.values() if p.kind is not p.VAR_KEYWORD]
    parameters += [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=alias)
        for name, alias, default in _READ_OPTIONS
        if name not in own.parameters
    ]
    command.__signature__ = own.replace(parameters=parameters)  # type: ignore[attr-defined]
    return command
