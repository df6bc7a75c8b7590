"""`--database URL --table T`: the figures counted where the data lives, printed as from a file.

The counts query of sql.py runs in the database and returns a few hundred rows: groups of
requests alike for the counting rules, each with the base groups it counts in, its window, its
days to execute and why it is invalid, if it is. Those rows fill the same windows of counts as a
pass over a file (engine.Window), so the figures are computed exactly by the catalogue and the
outputs — table, JSON, CSV, Markdown — come from the same renderers as a file's.

URLs: `duckdb:PATH` (a DuckDB database; a `.parquet` or `.csv` path is read in place),
`sqlite:PATH` (the standard library's sqlite3) and `postgresql://...` (psycopg 3; credentials from
the URL, the PG* environment variables or ~/.pgpass, as libpq finds them). Every connection is
read-only: coopstats never writes to a database. Passwords are never printed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from coopstats.errors import DataError, UsageError
from coopstats.model import CATEGORIES, COLUMNS, REQUIRED_COLUMNS, Period
from coopstats.read import DEFAULT_READ, ReadOptions
from coopstats.sql import EPOCH, REASONS, Plan, Span, check_table, counts_query, window_columns

SCHEMES = ("duckdb:PATH", "sqlite:PATH", "postgresql://...")
_IN_PLACE = {".parquet": "read_parquet", ".csv": "read_csv", ".tsv": "read_csv"}
# PostgreSQL type OIDs: how a column stores its values.
_PG_TYPES = {
    1082: "date", 1114: "timestamp", 1184: "timestamp", 20: "number", 21: "number", 23: "number",
    1700: "number", 25: "text", 1043: "text", 1042: "text", 19: "text",
}  # fmt: skip


# The user and password of a URL: everything up to the LAST '@' of the authority part, so that a
# password holding '/', '@' or ':' (unencoded, as users type them) is masked whole.
_USERINFO = re.compile(r"(://[^:@/?#]*:)(.*)@(?=[^@]*$)", re.DOTALL)


def mask(url: str) -> str:
    """The URL with any password replaced by ***, fit for a message."""
    masked = _USERINFO.sub(r"\1***@", url) if "@" in url else url
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", masked)


def _password(url: str) -> str | None:
    found = _USERINFO.search(url)
    return found.group(2) if found and found.group(2) else None


def _missing_driver(name: str, extra: str) -> UsageError:
    return UsageError(
        f"--database needs the {name} driver, which is not installed: "
        f"pip install 'coopstats[{extra}]'"
    )


class Database:
    """An open, read-only connection and what the query needs to know of its engine."""

    def __init__(self, url: str, table: str | None) -> None:
        self.url = url
        self.shown = mask(url)
        self.fold: str | None = None
        self.regexp = False
        self._close: Callable[[], None] = lambda: None
        self._con: Any = None
        self._error: tuple[type[BaseException], ...] = ()
        self.name = ""  # what messages call the table: set once opened
        scheme, sep, rest = url.partition(":")
        scheme = scheme.lower()
        if not sep or not rest:
            raise UsageError(f"--database {self.shown}: give a URL such as {', '.join(SCHEMES)}")
        if scheme == "duckdb":
            self.dialect = "duckdb"
            self.table = self._open_duckdb(rest, table)
        elif scheme in ("sqlite", "sqlite3"):
            self.dialect = "sqlite"
            self.table = self._open_sqlite(rest, self._table(table))
        elif scheme in ("postgresql", "postgres"):
            self.dialect = "postgres"
            self.table = self._open_postgres(self._table(table))
        else:
            raise UsageError(
                f"--database {self.shown}: unknown kind of database {scheme!r}; "
                f"use {', '.join(SCHEMES)}"
            )
        self.name = self.name or f"{self.shown} {self.table}"

    def _table(self, table: str | None) -> str:
        if table is None:
            raise UsageError(f"--database {self.shown}: name the table too, e.g. --table requests")
        try:
            return check_table(table)
        except ValueError as err:
            raise UsageError(str(err)) from None

    def _path(self, text: str) -> Path:
        path = Path(text).expanduser()
        if not path.exists():
            raise UsageError(f"--database {self.shown}: no such file {text}")
        return path

    def _open_duckdb(self, rest: str, table: str | None) -> str:
        try:
            import duckdb
        except ImportError:
            raise _missing_driver("DuckDB", "duckdb") from None
        path = self._path(rest)
        reader = _IN_PLACE.get(path.suffix.lower())
        try:
            if reader is not None:
                con = duckdb.connect(":memory:")
                literal = "'" + str(path).replace("'", "''") + "'"
                # Every cell as the text a file holds, so that it is read as coopstats reads it.
                source = (
                    f"read_csv({literal}, header = true, all_varchar = true)"
                    if reader == "read_csv" else f"read_parquet({literal})"
                )  # fmt: skip
                if table is not None:
                    raise UsageError(
                        f"--database {self.shown} is read in place: leave out --table"
                    )
                self.name = self.shown
            else:
                con = duckdb.connect(str(path), read_only=True)
                source = self._table(table)
        except duckdb.Error as err:
            raise self._connection_error(err) from None
        con.execute("SET enable_progress_bar = false")
        try:  # A TIMESTAMPTZ's date is its date in UTC, whatever the client's zone (TZ).
            con.execute("SET TimeZone = 'UTC'")
        except duckdb.Error:
            pass  # without the ICU extension DuckDB has no time zones: it reads UTC already
        self._con = con
        self._error = (duckdb.Error,)
        self._close = con.close
        return source

    def _open_sqlite(self, rest: str, table: str) -> str:
        import sqlite3

        path = self._path(rest)
        try:
            con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as err:
            raise self._connection_error(err) from None
        # SQLite's LOWER folds ASCII alone and it has no REGEXP: give it Python's own, so that
        # words and dates are read exactly as the command line reads them.
        con.create_function("coopstats_fold", 1, _fold, deterministic=True)
        con.create_function("regexp", 2, _regexp, deterministic=True)
        self.fold, self.regexp = "coopstats_fold", True
        self._con = con
        self._error = (sqlite3.Error,)
        self._close = con.close
        return table

    def _open_postgres(self, table: str) -> str:
        try:
            import psycopg
        except ImportError:
            raise _missing_driver("PostgreSQL (psycopg)", "postgres") from None
        try:
            con = psycopg.connect(self.url, connect_timeout=15, autocommit=True)
            # Read-only, and dates written as ISO text whatever the server's default.
            con.execute("SET default_transaction_read_only = on")
            con.execute("SET DateStyle = 'ISO, YMD'")
            # A TIMESTAMPTZ's date is its date in UTC, whatever the client's zone (PGTZ).
            con.execute("SET TIME ZONE 'UTC'")
            con.execute("SET jit = off")  # compiling the query costs more than it saves here
            # Room to hash the groups of the counts (the planner guesses 10% of the rows, the
            # truth is a few thousand) rather than sort every row of the table.
            con.execute("SET work_mem = '64MB'")
            # With more rows its guess outgrows any such room, and a sort of the whole table
            # (a minute for five million rows) would be chosen: hash, whatever the guess.
            con.execute("SET enable_sort = off")
        except psycopg.Error as err:
            raise self._connection_error(err) from None
        self._con = con
        self._error = (psycopg.Error,)
        self._close = con.close
        return table

    def _connection_error(self, err: BaseException) -> UsageError:
        return UsageError(f"--database {self.shown}: cannot connect ({self._message(err)})")

    def _message(self, err: BaseException) -> str:
        text = " ".join(str(err).split()) or type(err).__name__
        password = _password(self.url)
        if password:
            from urllib.parse import unquote

            text = text.replace(password, "***").replace(unquote(password), "***")
            # A driver may have split a malformed URL at a '/' or '@' of the password: mask its
            # pieces too, and the URL as it was given.
            for piece in re.split(r"[/@:]", password):
                if piece:  # as a word of its own ("port 'ab'"), not inside another
                    text = re.sub(rf"(?<![^\W_]){re.escape(piece)}(?![^\W_])", "***", text)
        return text.replace(self.url, self.shown)

    def close(self) -> None:
        self._close()

    def run(self, query: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The column names and rows of a query."""
        try:
            cursor = self._con.execute(query)
            names = [d[0] for d in cursor.description or ()]
            return names, list(cursor.fetchall())
        except self._error as err:
            raise DataError(f"{self.shown}: the query failed: {self._message(err)}") from None

    def columns(self) -> dict[str, str | None]:
        """The table's columns and how each stores its values (date, timestamp, text, number;
        None when the engine does not say)."""
        query = f"SELECT * FROM {self.table} AS src WHERE 1 = 0"
        try:
            if self.dialect == "duckdb":
                rows = self._con.execute(f"DESCRIBE {query}").fetchall()
                return {str(name): _duckdb_type(str(kind)) for name, kind, *_ in rows}
            cursor = self._con.execute(query)
            found: dict[str, str | None] = {}
            for column in cursor.description or ():
                code = getattr(column, "type_code", None)
                postgres = self.dialect == "postgres" and isinstance(code, int)
                found[str(column[0])] = _PG_TYPES.get(code) if postgres else None  # type: ignore[arg-type]
            return found
        except self._error as err:
            raise UsageError(
                f"--table {self.table}: cannot read it in {self.shown} ({self._message(err)})"
            ) from None


def _fold(value: object) -> str | None:
    return None if value is None else str(value).strip().casefold()


def _regexp(pattern: str, value: object) -> bool:
    return value is not None and re.fullmatch(pattern[1:-1], str(value)) is not None


def _duckdb_type(kind: str) -> str | None:
    kind = kind.upper()
    if kind == "DATE":
        return "date"
    if kind.startswith("TIMESTAMP"):
        return "timestamp"
    if kind in ("VARCHAR", "TEXT", "STRING") or kind.startswith("VARCHAR"):
        return "text"
    if kind in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"):
        return "number"
    return None


@contextmanager
def opened(url: str, table: str | None) -> Iterator[Database]:
    database = Database(url, table)
    try:
        yield database
    finally:
        database.close()


@dataclass
class Counts:
    """What the counts query found: the windows' counts and an account of every row."""

    windows: list[Any]  # engine.Window, filled
    records: int = 0
    invalid: dict[str, int] = field(default_factory=dict)  # reason code -> rows
    invalid_rows: int = 0
    first_sent: date | None = None  # over valid rows
    last_sent: date | None = None
    absent: tuple[str, ...] = ()
    split: Any = None  # _Split: what the rows said of --by and --where


def _categories(held: int) -> tuple[str, ...]:
    """A request's --by categories groups from its category bits (none: the blank group)."""
    from coopstats.breakdown import BLANK

    return tuple(word for i, word in enumerate(CATEGORIES) if held >> i & 1) or (BLANK,)


class _Filter(NamedTuple):
    label: str  # the column as outputs name it
    column: int | None  # the counts query's column of its values; None: categories (`held`)
    allowed: frozenset[str]


class _Split:
    """--by and --where over the counts query's rows, as breakdown.Split over a file's: the
    --by column's label, and which --where values some request had (to warn of the others)."""

    def __init__(
        self,
        database: Database,
        plan: Plan,
        options: ReadOptions,
        where: Sequence[tuple[str, tuple[str, ...]]],
        by: str | None,
        at: Mapping[str, int],
    ) -> None:
        from coopstats.breakdown import Asked

        self.active = by is not None or bool(where)
        self.by = plan.by
        self.label = None if by is None else _resolve(database, by, options, "--by")[1]
        self.filters: list[_Filter] = []
        asked: list[Asked] = []
        for k, (_, label, given) in enumerate(_wheres(database, where, options)):
            read = [_where_value(label, value, options) for value in given]
            asked += [Asked(label, g, value) for g, value in zip(given, read, strict=True)]
            column = None if plan.where[k][0] == "categories" else at[f"wv{k}"]
            self.filters.append(_Filter(label, column, frozenset(read)))
        self.asked = tuple(asked)
        self.matched: set[tuple[str, str]] = set()
        self.seen: dict[str, set[str]] = {f.label: set() for f in self.filters}
        self.i_span, self.i_held = at.get("in_span"), at["held"]

    def look(self, row: Sequence[Any]) -> None:
        """A group of valid requests: its --where values, as breakdown.Split.keys sees them."""
        from coopstats.breakdown import SEEN_LIMIT

        if self.i_span is None or not row[self.i_span]:
            return
        for f in self.filters:
            found = (
                (str(row[f.column]),) if f.column is not None
                else _categories(int(row[self.i_held]))
            )  # fmt: skip
            hit = False
            for value in found:
                if value in f.allowed:
                    hit = True
                    self.matched.add((f.label, value))
            seen = self.seen[f.label]
            if len(seen) < SEEN_LIMIT:
                seen.update(found)
            if not hit:
                return

    def report(self) -> Any:
        """The breakdown.SplitReport of a file's pass, None without --by or --where."""
        from coopstats.breakdown import SplitReport

        if not self.active:
            return None
        seen = {label: frozenset(values) for label, values in self.seen.items()}
        return SplitReport(self.label, self.asked, frozenset(self.matched), seen)


def _where_value(label: str, given: str, options: ReadOptions) -> str:
    """A --where value read as a request's value is (breakdown.Split)."""
    from coopstats.breakdown import VOCABULARY_COLUMNS, _vocabulary_word

    if label in VOCABULARY_COLUMNS:
        return _vocabulary_word(label, given, options.values)
    names = {label.casefold()}
    mapping: dict[str, str] = {}
    for column, table_of in options.values.items():
        if column.strip().casefold() in names:
            mapping.update({k.strip().casefold(): v.strip() for k, v in table_of.items()})
    trimmed = given.strip()
    return mapping.get(trimmed.casefold(), trimmed)


def layout(
    database: Database, options: ReadOptions
) -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    """Each canonical column's column in the table (matched as headers are: case-insensitive,
    trimmed), quoted as the engine writes it; the optional columns absent; the date types."""
    found = database.columns()
    by_fold: dict[str, list[str]] = {}
    for name in found:
        by_fold.setdefault(name.strip().casefold(), []).append(name)
    quote = {"duckdb": '""', "sqlite": '""', "postgres": '""'}[database.dialect]
    columns: dict[str, str] = {}
    absent: set[str] = set()
    types: dict[str, str] = {}
    shown = ", ".join(found) or "none"
    for canonical in COLUMNS:
        wanted = options.columns.get(canonical, canonical)
        names = by_fold.get(wanted.strip().casefold(), [])
        if len(names) > 1:
            raise UsageError(
                f"--table {database.table}: the columns {', '.join(names)} differ only in case; "
                f"name one with --column {canonical}=NAME"
            )
        if not names:
            if canonical in options.columns:
                raise UsageError(
                    f"--table {database.table}: no column {wanted!r} (given for {canonical}); "
                    f"its columns: {shown}"
                )
            if canonical in REQUIRED_COLUMNS:
                raise UsageError(
                    f"--table {database.table}: no column {canonical!r}; its columns: {shown} "
                    f"(map one with --column {canonical}=NAME)"
                )
            absent.add(canonical)
            continue
        name = names[0]
        columns[canonical] = quote[0] + name.replace(quote[1], quote[1] * 2) + quote[1]
        kind = found[name]
        if kind is not None:
            types[canonical] = kind
    return columns, frozenset(absent), types


def _resolve(
    database: Database, name: str, options: ReadOptions, option: str = "--where"
) -> tuple[str, str]:
    """A --by/--where column as the query names it (a canonical name, else one of the table's
    columns as SQL) and as outputs call it (breakdown.find_column's label: a canonical name,
    else the column as the table spells it)."""
    folded = name.strip().casefold()
    if folded in COLUMNS:
        return folded, folded
    for canonical, wanted in options.columns.items():  # a column mapped by --column
        if wanted.strip().casefold() == folded:
            return canonical, canonical
    found = database.columns()
    for column in found:
        if column.strip().casefold() == folded:
            return '"' + column.replace('"', '""') + '"', column.strip()
    raise UsageError(
        f"{option} {name}: the table {database.table} has no such column; its columns: "
        + ", ".join(found)
    )


def _wheres(
    database: Database, where: Sequence[tuple[str, tuple[str, ...]]], options: ReadOptions
) -> list[tuple[str, str, tuple[str, ...]]]:
    """The --where items by the column they name however spelled (as breakdown.Split joins
    them): the column as the query names it, as outputs call it, and its values given."""
    found: dict[str, tuple[str, list[str]]] = {}
    for name, values in where:
        sql, label = _resolve(database, name, options)
        found.setdefault(sql, (label, []))[1].extend(values)
    return [(sql, label, tuple(values)) for sql, (label, values) in found.items()]


def plan_of(
    database: Database,
    spans: Sequence[Span],
    options: ReadOptions = DEFAULT_READ,
    where: Sequence[tuple[str, tuple[str, ...]]] = (),
    by: str | None = None,
) -> Plan:
    """The plan of the counts query that `count` runs for these windows."""
    columns, absent, types = layout(database, options)
    return Plan(
        table=database.table,
        windows=tuple(spans),
        columns=columns,
        absent=absent,
        date_types=types,
        values=options.values,
        by=None if by is None else _resolve(database, by, options, "--by")[0],
        where=tuple((sql, values) for sql, _, values in _wheres(database, where, options)),
        fold=database.fold,
        regexp=database.regexp,
        # The figures read the days to execute through their mean alone: a sum per group of
        # requests, not a group per number of days (tens of thousands of groups).
        histogram=False,
    )


def count(
    database: Database,
    spans: Sequence[Span],
    make_windows: Callable[[], list[Any]],
    options: ReadOptions = DEFAULT_READ,
    where: Sequence[tuple[str, tuple[str, ...]]] = (),
    by: str | None = None,
) -> Counts:
    """Run the counts query for these windows and fill fresh windows from its rows: with --by,
    each window's parts (`Window.part`) too, as a pass over a file fills them (breakdown.py)."""
    plan = plan_of(database, spans, options, where, by)
    try:
        query = counts_query(plan, database.dialect)
    except ValueError as err:
        raise UsageError(str(err)) from None
    names, rows = database.run(query)
    windows = make_windows()
    result = Counts(windows, absent=tuple(sorted(plan.absent, key=COLUMNS.index)))
    at = {name: i for i, name in enumerate(names)}
    slots = [(at[sent], at[done]) for sent, done in window_columns(spans)]
    i_n, i_reasons, i_keep, i_member = at["n"], at["reasons"], at["keep"], at["member"]
    i_positive, i_days = at["positive"], at["days"]
    i_first, i_last = at["first_sent"], at["last_sent"]
    split = _Split(database, plan, options, where, by, at)
    result.split = split
    i_grp, i_held = at["grp"], at["held"]
    firsts: list[Any] = []
    lasts: list[Any] = []
    groups_of: dict[int, list[int]] = {}
    for row in rows:
        n = int(row[i_n])
        result.records += n
        reasons = int(row[i_reasons])
        if reasons:
            result.invalid_rows += n
            for reason in REASONS:
                if reasons & reason.bit:
                    result.invalid[reason.code] = result.invalid.get(reason.code, 0) + n
            continue
        if row[i_first] is not None:
            firsts.append(row[i_first])
            lasts.append(row[i_last])
        if split.filters:
            split.look(row)
        if not int(row[i_keep]):
            continue
        member = int(row[i_member])
        groups = groups_of.get(member)
        if groups is None:
            groups = groups_of[member] = [g for g in range(member.bit_length()) if member >> g & 1]
        if split.by is None:
            keys: tuple[str, ...] = ()
        elif split.by == "categories":
            keys = _categories(int(row[i_held]))
        else:
            keys = (str(row[i_grp]),)
        for whole, (sent_column, done_column) in zip(windows, slots, strict=True):
            if not row[sent_column]:
                continue
            done = bool(row[done_column])
            # The group's n requests took row[i_days] days together: entered as at most two
            # numbers of days of that sum and count, so that every mean is exact.
            low, high = divmod(int(row[i_days]), n) if done else (0, 0)
            positive = bool(row[i_positive])
            for window in (whole, *(whole.part(key) for key in keys)):
                for g in groups:
                    window.sent[g] += n
                    if not done:
                        continue
                    window.executed[g] += n
                    histogram = window.days[g]
                    if n - high:
                        histogram[low] = histogram.get(low, 0) + n - high
                    if high:
                        histogram[low + 1] = histogram.get(low + 1, 0) + high
                    if positive:
                        window.positive[g] += n
    # Dates (or day numbers) compare as they come: converted once, at the end.
    result.first_sent = _day(min(firsts)) if firsts else None
    result.last_sent = _day(max(lasts)) if lasts else None
    return result


def _day(value: object) -> date | None:
    """A first/last sent date from the query: a date (or datetime), or a day number."""
    if value is None:
        return None
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return date.fromordinal(int(str(value)) + EPOCH)


def left_out(counts: Counts, table: str, strict: bool) -> str | None:
    """The warning for the rows the query could not read (or the error, with --strict)."""
    if not counts.invalid_rows:
        return None
    why = "; ".join(
        f"{counts.invalid[r.code]:,} with {r.words}" for r in REASONS if r.code in counts.invalid
    )
    text = (
        f"{table}: {counts.invalid_rows:,} of {counts.records:,} row(s) left out, which break the "
        f"rules of SPEC section 1 ({why})"
    )
    if "invalid-sent" in counts.invalid or "invalid-executed" in counts.invalid:
        text += " (a database's dates are read as DATE, TIMESTAMP or ISO text: YYYY-MM-DD)"
    if strict:
        raise DataError(
            text.replace("left out", "cannot be counted") + "; no figures printed (--strict)"
        )
    return text + "; the figures are those of the other rows"


def absent_warning(counts: Counts, table: str) -> str | None:
    if not counts.absent:
        return None
    effects = {
        "origin": "every RFC is invalid (an RFC needs its origin)",
        "categories": "the breakdown by category and the arrest figures are 0",
        "executed": "every request is pending",
        "outcome": "every executed request counts as a positive reply",
    }
    said = "; ".join(f"no {c!r} column: {effects[c]}" for c in counts.absent if c in effects)
    return f"{table}: {said}" if said else None


def span_of(period: Period, as_of: date) -> Span:
    return Span(period.start, period.end, as_of)


def read_where(items: Sequence[str] | None) -> list[tuple[str, tuple[str, ...]]]:
    """--where COLUMN=VALUE items, the values of each column together, in order."""
    found: dict[str, list[str]] = {}
    for item in items or ():
        column, sep, value = item.partition("=")
        if not sep or not column.strip():
            raise UsageError(f"--where {item!r}: write it as COLUMN=VALUE, e.g. --where kind=RFC")
        found.setdefault(column.strip(), []).append(value.strip())
    return [(column, tuple(values)) for column, values in found.items()]


def values_of(options: ReadOptions) -> Mapping[str, Mapping[str, str]]:
    return options.values


def _notes(counts: Counts, database: Database, strict: bool) -> list[str | None]:
    split = counts.split.report() if counts.split is not None else None
    return [
        left_out(counts, database.name, strict),
        absent_warning(counts, database.name),
        *(split.warnings() if split is not None else ()),
    ]


def _counted(counts: Counts, source: str) -> Any:
    """An engine.Counted holding the database's counts, for the warnings written for files."""
    from coopstats.engine import Counted

    return Counted(
        source,
        counts.windows,
        records=counts.records,
        invalid_rows=counts.invalid_rows,
        problem_count=counts.invalid_rows,
        first_sent=counts.first_sent,
        last_sent=counts.last_sent,
        split=counts.split.report() if counts.split is not None else None,
    )


class _Two(NamedTuple):
    """A period and its prior (or --against) counted by the database, with their notes."""

    source: str
    prior: Period
    as_of: date
    counted: Any  # its windows: the period's, then the prior's
    notes: list[str]


def _two_periods(
    url: str,
    table: str | None,
    period: Period,
    as_of: date | None,
    against: Period | None,
    options: ReadOptions,
    strict: bool,
    where: Sequence[tuple[str, tuple[str, ...]]],
    by: str | None,
) -> _Two:
    """What summarize and compare both count: the period as of `as_of`, and its prior as of
    its own end, in one query."""
    from coopstats.engine import Window
    from coopstats.periods import prior_period
    from coopstats.summary import check_as_of, empty_period_warning, incomplete_prior_warning

    as_of = check_as_of(period, as_of)
    prior = against or prior_period(period)
    spans = [span_of(period, as_of), span_of(prior, prior.end)]
    with opened(url, table) as database:
        counts = count(
            database, spans,
            lambda: [Window(period, as_of), Window(prior, prior.end)], options, where, by,
        )  # fmt: skip
        counted = _counted(counts, database.shown)
        notes = (
            *_notes(counts, database, strict),
            empty_period_warning(counted, counts.windows[0]),
            incomplete_prior_warning(counted, prior),
        )
        return _Two(database.name, prior, as_of, counted, [note for note in notes if note])


def summarize(
    url: str,
    table: str | None,
    period: Period,
    *,
    as_of: date | None = None,
    against: Period | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    strict: bool = False,
    where: Sequence[tuple[str, tuple[str, ...]]] = (),
    by: str | None = None,
) -> Any:
    """summary.summarize over a table: the same Summary, counted by the database."""
    from coopstats.summary import summary_of

    two = _two_periods(url, table, period, as_of, against, options, strict, where, by)
    return summary_of(
        two.source, period, two.prior, two.as_of, two.counted, two.notes, notifications,
        "calendar", options.config,
    )  # fmt: skip


def compare(
    url: str,
    table: str | None,
    period: Period,
    *,
    as_of: date | None = None,
    against: Period | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    strict: bool = False,
    where: Sequence[tuple[str, tuple[str, ...]]] = (),
    by: str | None = None,
) -> Any:
    """comparison.compare over a table."""
    from coopstats.comparison import comparison_of

    two = _two_periods(url, table, period, as_of, against, options, strict, where, by)
    return comparison_of(
        two.source, period, two.prior, two.as_of, two.counted, two.notes, notifications
    )


def trend(
    url: str,
    table: str | None,
    last: Period,
    periods: int,
    *,
    as_of: date | None = None,
    notifications: bool = True,
    options: ReadOptions = DEFAULT_READ,
    strict: bool = False,
    where: Sequence[tuple[str, tuple[str, ...]]] = (),
    by: str | None = None,
) -> Any:
    """comparison.trend over a table: every period in one query."""
    from coopstats.comparison import chain_of, trend_of
    from coopstats.engine import Window
    from coopstats.summary import check_as_of

    chain = chain_of(last, periods)
    as_of = check_as_of(last, as_of)
    as_ofs = [p.end for p in chain[:-1]] + [as_of]
    spans = [span_of(p, when) for p, when in zip(chain, as_ofs, strict=True)]
    with opened(url, table) as database:
        counts = count(
            database, spans,
            lambda: [Window(p, when) for p, when in zip(chain, as_ofs, strict=True)],
            options, where, by,
        )  # fmt: skip
        counted = _counted(counts, database.shown)
        return trend_of(
            database.name, chain, counted, _notes(counts, database, strict), notifications
        )
