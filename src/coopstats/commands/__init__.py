"""The commands' one pipeline: options received typed → settings → library call → warnings →
output.

A command takes its own options as typed parameters (options.py declares each once) and the
options of reading a log, gathered by `reads_logs` into one typed `Reading`; `settle` resolves
them, with the config file's, into `Settings` (checked before anything is read), whose
`counted` picks the log or the database, and whose `show` prints the warnings and writes the
output in the chosen format.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from inspect import Parameter, signature  # not `import inspect`: a command module's name
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import typer

from coopstats.config import Config
from coopstats.errors import UsageError
from coopstats.model import Period
from coopstats.options import (
    EXTENSIONS,
    Columns,
    ConfigOpt,
    DayCount,
    DayFirst,
    Debug,
    Delimiter,
    Encoding,
    Format,
    HeaderRow,
    MaxProblems,
    MonthFirst,
    OutputOpt,
    QueryOutput,
    Quiet,
    Sheet,
    configured,
    handled,
    warn,
)
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

if TYPE_CHECKING:
    from coopstats.breakdown import Breakdown
    from coopstats.read import Source

T = TypeVar("T")

# The options of reading a log, given by `reads_logs` to every command that reads one, in the
# order of its help; a command that declares one itself (another default, say) keeps its own.
READ_OPTIONS: tuple[tuple[str, Any, object], ...] = (
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
# What `sql` reads of them: it reads no log, but the config's columns and words, and --column.
QUERY_OPTIONS: tuple[tuple[str, Any, object], ...] = (
    ("column", Columns, None),
    ("config", ConfigOpt, None),
    ("output", QueryOutput, None),
    ("debug", Debug, False),
)


@dataclass(frozen=True)
class Reading:
    """The options of reading a log, as the command line and the config gave them; `config`
    is the file read (--config, or ./coopstats.toml) and `typed` the options of the command
    that the command line gave (not the config, not their defaults)."""

    config: Config
    typed: frozenset[str]
    output: Path | None = None
    column: list[str] | None = None
    dayfirst: bool = False
    monthfirst: bool = False
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    max_problems: int = 20
    header_row: int | None = None
    quiet: bool = False
    debug: bool = False


def _gathered(ctx: typer.Context, given: dict[str, Any]) -> Reading:
    """The Reading of a command's typed options `given` (the config's [defaults] are in them
    already: options.config_defaults)."""
    typed = frozenset(
        name for name in given
        if (source := ctx.get_parameter_source(name)) is not None and source.name == "COMMANDLINE"
    )  # fmt: skip
    fields = {
        field.name: given[field.name]
        for field in dataclasses.fields(Reading)
        if field.name in given and field.name not in ("config", "typed")
    }
    return Reading(config=configured(ctx), typed=typed, **fields)


def shared(
    options: Sequence[tuple[str, Any, object]],
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator that adds `options` to a command's signature, as Typer reads it, and gives
    the command what they say as one typed `read: Reading` (a keyword parameter of its own),
    its errors turned into messages and exit statuses (options.handled)."""

    def decorate(command: Callable[..., None]) -> Callable[..., None]:
        own = signature(command, eval_str=True)
        mine = [p for p in own.parameters.values() if p.name != "read"]
        names = [p.name for p in mine]
        added = [
            Parameter(name, Parameter.KEYWORD_ONLY, default=default, annotation=alias)
            for name, alias, default in options
            if name not in names
        ]
        context = Parameter("ctx", Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)

        @functools.wraps(command)
        def run(ctx: typer.Context, **given: Any) -> None:
            debug, most = bool(given.get("debug")), int(given.get("max_problems") or 20)
            skippable = "skip_invalid" in names and not given.get("skip_invalid")
            with handled(debug=debug, max_problems=most, skippable=skippable):
                read = _gathered(ctx, given)  # a config that could not be read is said here
                command(**{name: given[name] for name in names}, read=read)

        run.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=[context, *mine, *added]
        )
        return run

    return decorate


reads_logs = shared(READ_OPTIONS)


def note(message: str) -> None:
    """A note on standard error: what the run took that the command line did not say (none
    under --quiet: feedback.note)."""
    from coopstats import feedback

    feedback.note(message)


class Database(NamedTuple):
    """--database URL --table T --strict: where summarize, compare and trend count instead of a
    LOG."""

    url: str | None = None
    table: str | None = None
    strict: bool = False


class Views(NamedTuple):
    """An output's renderers, one per format; each is called only when its format is wanted."""

    table: Callable[[], Any]
    json: Callable[[], str]
    csv: Callable[[], str]
    markdown: Callable[[], str]
    document: Callable[[], Any]


def views(render: Any, name: str, result: Any, *args: Any) -> Views:
    """The renderers of a render module for `name`: `render.NAME_table(result, *args)`, and
    NAME_json, NAME_csv (the result alone), NAME_markdown and NAME_document (as the table)."""

    def view(form: str, *more: Any) -> Callable[[], Any]:
        return functools.partial(getattr(render, f"{name}_{form}"), result, *more)

    return Views(
        table=view("table", *args),
        json=view("json"),
        csv=view("csv"),
        markdown=view("markdown", *args),
        document=view("document", *args),
    )


@dataclass(frozen=True)
class Settings:
    """What the command line and the config file said of the run, resolved and checked."""

    read: ReadOptions
    config: Config
    year_start: tuple[int, int]
    log: str | None = None
    fmt: Format = Format.table
    output: Path | None = None
    export: Path | None = None

    def period(self, value: str | None, flag: str = "--period") -> Period:
        """The period (required: from the command line or the config's [defaults])."""
        if value is None:
            raise UsageError(f"missing option {flag}: the period to count, e.g. {EXAMPLE}")
        return parse_period(value, self.year_start, flag)

    def optional_period(self, value: str | None, flag: str) -> Period | None:
        return parse_period(value, self.year_start, flag) if value else None

    def date(self, value: str | None, flag: str) -> date | None:
        return parse_iso(value, flag) if value else None

    def breakdown(self, by: str | None, where: list[str] | None) -> Breakdown | None:
        """--by and --where (SPEC §6), None when neither is given."""
        from coopstats.breakdown import breakdown_of

        found = breakdown_of(by, where)
        return found if found.active else None

    def source(self) -> Source:
        """The LOG, opened (a context manager)."""
        from coopstats.read import Source

        assert self.log is not None
        return Source(self.log)

    def counted(
        self,
        name: str,
        file: Callable[..., T],
        database: Database,
        period: str | None,
        *more: Any,
        as_of: str | None,
        notifications: bool,
        by: str | None,
        where: list[str] | None,
        against: str | None = None,
        days: tuple[DayCount, Path | None] | None = None,
    ) -> T:
        """`file(source, period, *more, ...)` over the LOG, or the database module's function
        `name` (summarize, compare, trend) over --database's table: the one place that picks,
        and that gives each the period, --as-of, --against (when given), the reading options,
        the breakdown and the day count. The log is opened before the options are read, so
        that a missing log is said first."""

        def dated() -> dict[str, Any]:
            found: dict[str, Any] = {"as_of": self.date(as_of, "--as-of")}
            if against is not None:
                found["against"] = self.optional_period(against, "--against")
            return found

        if from_database(self, database, days=days):
            from coopstats import database as db
            from coopstats.breakdown import breakdown_of
            from coopstats.database import read_where

            assert database.url is not None
            found: T = getattr(db, name)(
                database.url, database.table, self.period(period), *more, **dated(),
                notifications=notifications, options=self.read, strict=database.strict,
                where=read_where(where), by=breakdown_of(by, None).by,
            )  # fmt: skip
            return found
        counting: dict[str, Any] = {}
        if days is not None:
            from coopstats.days import day_counter

            counting["days"], counting["days_name"] = day_counter(*days)
        with self.source() as source:
            return file(
                source, self.period(period), *more, **dated(), notifications=notifications,
                options=self.read, breakdown=self.breakdown(by, where), **counting,
            )  # fmt: skip

    def emit(self, found: Views) -> None:
        """Write the output in the chosen format (with --export, the picture too)."""
        emit(self.fmt, self.export, output=self.output, table=found.table, json=found.json,
             csv=found.csv, markdown=found.markdown, document=found.document)  # fmt: skip

    def show(self, warnings: Sequence[str], found: Views) -> None:
        """The warnings on standard error, then the output."""
        warn(list(warnings))
        self.emit(found)


def settle(
    read: Reading,
    log: str | None = None,
    *,
    fmt: Format | None = None,
    export: Path | None = None,
    year_start: str | None = None,
    skip_invalid: bool = False,
    holidays: Path | None = None,
) -> Settings:
    """The run's settings from the command's typed options (the config's [defaults] are in
    them already: options.config_defaults), checked before anything is read: --dayfirst and
    --monthfirst, --column, the output's format and that no output writes over an input."""
    from coopstats import feedback

    feedback.configure(quiet=read.quiet)
    config = read.config
    dayfirst, monthfirst = read.dayfirst, read.monthfirst
    if dayfirst and monthfirst:
        # One from the command line and one from the config: the command line wins.
        typed = [name for name in ("dayfirst", "monthfirst") if name in read.typed]
        if len(typed) != 1:
            raise UsageError("--dayfirst and --monthfirst contradict each other; pass one")
        dayfirst, monthfirst = typed[0] == "dayfirst", typed[0] == "monthfirst"
    columns = dict(config.columns)
    origins = {name: f"[columns] {name} in {config.name}" for name in columns}
    for item in read.column or ():
        canonical, sep, header = item.partition("=")
        if not sep or not canonical.strip() or not header.strip():
            raise UsageError(
                f"--column {item!r}: write it as CANONICAL=HEADER, e.g. sent=Date sent"
            )
        columns[canonical.strip().lower()] = header.strip()
        origins[canonical.strip().lower()] = f"--column {item}"
    if config.found:  # one given with --config is known to the user already
        note(f"using {config.name}")
    options = ReadOptions(
        encoding=read.encoding,
        delimiter=read.delimiter,
        columns=columns,
        date_order="day" if dayfirst else "month" if monthfirst else None,
        skip_invalid=skip_invalid,
        values=config.values,
        sheet=read.sheet,
        header_row=read.header_row,
        config=config.name,
        origins=origins,
    )
    chosen = _format(fmt, read)
    settings = Settings(
        read=options,
        config=config,
        year_start=parse_year_start(year_start) if year_start else COURT_YEAR_START,
        log=log,
        fmt=chosen or Format.table,
        output=read.output,
        export=export,
    )
    _check_outputs(settings, _inputs(log, config, holidays))
    if chosen in (Format.json, Format.csv) and "decimals" in read.typed:
        # --decimals with a machine format rounds nothing: say so rather than ignore it.
        note(
            "--decimals applies to tables, Markdown, HTML and SVG only; "
            f"{chosen.upper()} keeps every value unrounded"
        )
    return settings


def _format(fmt: Format | None, read: Reading) -> Format | None:
    """--format when typed; else the extension of --output; else the config's, or table."""
    target = read.output
    if target is None or fmt is None or _is_stdout(target) or "fmt" in read.typed:
        return fmt
    chosen = EXTENSIONS.get(target.suffix.lower())
    if chosen is not None:
        return chosen
    if "fmt" not in read.config.defaults:
        raise UsageError(
            f"--output {target}: no format for that extension; use one of "
            f"{' '.join(EXTENSIONS)}, or give --format"
        )
    return fmt


def _inputs(log: str | None, config: Config, holidays: Path | None) -> list[tuple[str, InputRef]]:
    """Every file the run reads, for the check that no output is written over one; standard
    input's file is one whether or not the log is `-`."""
    found: list[tuple[str, InputRef]] = [("the file standard input reads", STDIN)]
    if log is not None and log != STDIN:
        found.append(("the log", log))
    if config.path is not None:
        found.append(("the config file", config.path))
    if holidays is not None:
        found.append(("the holidays file", holidays))
    return found


def _check_outputs(s: Settings, inputs: list[tuple[str, InputRef]]) -> None:
    """Refuse, before anything is read, an output that would write over an input or that
    cannot be written, and a closed standard output that would receive the figures."""
    target, export = s.output, s.export
    if target is None or _is_stdout(target):
        check_stdout()
        check_stdout_target(inputs)
    else:
        check_target("--output", target, inputs)
    if export is not None:
        check_export(export, None, inputs)
        if target is not None and not _is_stdout(target):
            if same_file(target, export):
                raise UsageError(f"--output and --export both name {target}; give one")


def from_database(
    s: Settings,
    database: Database,
    *,
    days: tuple[DayCount, Path | None] | None = None,
) -> bool:
    """Whether this run reads a database; refuses a LOG and --database together, or neither."""
    log, url = s.log, database.url
    if url is None:
        if log is None:
            raise UsageError("give the LOG to read, or --database URL --table T")
        if database.table is not None:
            raise UsageError("--table names a table of --database URL; a LOG needs neither")
        return False
    if log is not None:
        raise UsageError(f"give a LOG or --database, not both ({log!r} and --database)")
    scheme, _, rest = url.partition(":")
    if scheme.lower() in ("duckdb", "sqlite", "sqlite3") and rest:
        # The database file is an input of the run: never a target.
        for option, target in (("output", s.output), ("export", s.export)):
            if target is not None and str(target) != "-":
                check_target(f"--{option}", target, [("the database", rest)])
    if days is not None:
        count, holidays = days
        if count is not DayCount.calendar:
            raise UsageError("--days needs a LOG: --database counts calendar days")
        if holidays is not None:
            raise UsageError("--holidays needs a LOG: --database counts calendar days")
    return True


# --- output ------------------------------------------------------------------------------------


def check_export(
    export: Path | None, log: str | None, inputs: list[tuple[str, InputRef]] | None = None
) -> None:
    """Refuse an export that is not .svg/.html, or that is an input of the run (`log`, or each
    of `inputs`: `settle` checks every input this way for every command)."""
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
