"""The figures of SPEC §3 computed where the data lives: one SQL query compiled from the catalogue.

The query reads the table once, in three steps that every dialect writes alike:

1. `cells`: each row's cells as stored, and its dates read into day numbers (days since
   1970-01-01) or kept as the engine's own DATE when the column is known to hold dates.
2. `counted`: one GROUP BY over the raw vocabulary cells, as stored, and flags of what the
   counting rules need of the dates and the id (sent in window i, executed by its as-of date,
   blank, unreadable, executed before sent), the days to execute summed. A log of a million rows
   holds a few hundred such groups, so everything that follows — reading cells as text,
   trimming, case, the config's `[values.*]`, splitting categories, the SPEC's vocabulary — runs
   over those few hundred, once each, never per row. The flags are booleans where the dialect
   has them: PostgreSQL then estimates their groups as few and counts the table in parallel
   (grouped by a number made of the dates, it guesses as many groups as rows and counts alone).
3. `classified`: each group's words, why it is invalid (a bit per reason, 0 = valid), and the
   base groups of the catalogue it counts in (a bit per group).

`build_query` adds the figures: one sum per (window, base group, measure) and one expression per
figure by its shape, so a figure added to the catalogue appears in the query unchanged here.
`counts_query` stops at step 3; `coopstats summarize --database` runs it and computes the
figures exactly in Python, from the same counts as a file gives.

Cells are trimmed of what Python's `str.strip()` trims (Unicode spaces included) and matched
case-insensitively, as on the command line. Dates are read when stored as DATE, TIMESTAMP or ISO
text (`YYYY-MM-DD`, a time part ignored); a period is a half-open range of days.

This module uses only the standard library and the catalogue, so importing it costs the CLI's
start-up nothing worth measuring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from coopstats import catalogue
from coopstats.model import CATEGORIES, COLUMNS, KIND_ORGAN, KINDS, ORGANS, ORIGINS, OUTCOMES

__all__ = [
    "DIALECTS",
    "EPOCH",
    "REASONS",
    "Plan",
    "Span",
    "build_query",
    "counts_query",
    "quote_name",
    "check_table",
]

DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "sqlserver", "sqlite", "spark")
EPOCH = date(1970, 1, 1).toordinal()  # day numbers in the query count from 1970-01-01
# What Python's str.strip() removes: every character for which str.isspace() is true.
WHITESPACE = (
    0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001,
    0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029,
    0x202F, 0x205F, 0x3000,
)  # fmt: skip
# dates.py's time part, written without backslashes (Spark reads them as string escapes).
_TIME = (
    "^[T ]+[0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?[ ]*([AaPp][Mm]|Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_TIME_FORMAT = _TIME.replace("{", "{{").replace("}", "}}")  # inside a str.format template
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CATEGORY_BIT = {word: 1 << i for i, word in enumerate(CATEGORIES)}
# A vocabulary column's folded words -> the SPEC's spelling, a request's --by value.
_CANONICAL_WORDS: dict[str, dict[str, str]] = {
    "organ": ORGANS,
    "kind": KINDS,
    "origin": ORIGINS,
    "outcome": {w: w for w in OUTCOMES},
}
_UNKNOWN_CATEGORY = 1 << len(CATEGORIES)
_ALL_CATEGORIES = _UNKNOWN_CATEGORY - 1


class Reason(NamedTuple):
    """Why a row cannot be counted: a bit of the query's `reasons`, and words for a warning."""

    bit: int
    code: str
    words: str


REASONS: tuple[Reason, ...] = tuple(
    Reason(1 << i, code, words)
    for i, (code, words) in enumerate(
        (
            ("blank-id", "a blank id"),
            ("unknown-organ", "an organ outside the vocabulary or blank"),
            ("unknown-kind", "a kind outside the vocabulary or blank"),
            ("kind-organ-mismatch", "a kind of the other organ"),
            ("unknown-origin", "an RFC whose origin is blank or outside the vocabulary"),
            ("unknown-category", "an RFC with a category outside the vocabulary"),
            ("blank-sent", "a blank sent date"),
            ("invalid-sent", "a sent date it cannot read"),
            ("invalid-executed", "an executed date it cannot read"),
            ("executed-before-sent", "executed before it was sent"),
            ("unknown-outcome", "an outcome outside the vocabulary"),
            ("outcome-without-execution", "an outcome on a pending request"),
        )
    )
)
_REASON = {r.code: r.bit for r in REASONS}


class Span(NamedTuple):
    """A window of the counting rules: requests sent from `start` to `end` (inclusive),
    executed as of `as_of` (SPEC §2)."""

    start: date
    end: date
    as_of: date


@dataclass(frozen=True)
class Plan:
    """Everything a query depends on besides its dialect.

    `columns` maps each canonical column to the table's column as SQL text (already quoted when
    it needs to be); a canonical column missing from it is read as its own name, and one in
    `absent` as empty. `date_types` says how `sent` and `executed` are stored, when known:
    "date", "timestamp" or "text"; unknown types are read whatever they are. `values` is the
    config's `[values.*]`; `by` and `where` name columns as `columns` does (a canonical name or
    SQL text). `fold` names a function registered by the caller that trims and case-folds
    exactly as Python does (SQLite through the standard library), else the dialect's LOWER.
    """

    table: str
    windows: tuple[Span, ...]
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    absent: frozenset[str] = frozenset()
    date_types: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    values: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    by: str | None = None
    where: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fold: str | None = None
    regexp: bool = False  # SQLite: a REGEXP function is registered
    histogram: bool = True  # the days to execute as a key (exact histograms), not only a sum


@dataclass(frozen=True)
class _Dialect:
    name: str
    text: str  # the text type of CAST
    double: str  # the 8-byte float type
    quote: str  # the opening and closing identifier quotes
    idiv: str  # integer division of {a} by {b}
    digits: str  # {t} has the shape 0000-00-00 (ten characters, digits and hyphens)
    time: str  # {t} is a time part as dates.py accepts one (or a close approximation)
    ws: str  # the characters str.strip() removes, as one SQL expression
    trim: str  # {x} trimmed of {ws}
    pieces: str  # SUM(DISTINCT {bit}) over the ';'-separated pieces `piece` of {x}
    piece: str = "pieces.piece"  # how a piece is named inside `pieces`
    substr: str = "SUBSTR({x}, {start}{n})"  # {x} from character {start}, {n} = ', count'
    rest: str = ""  # {n} for "to the end"
    dated: str | None = None  # {x} holds the engine's dates (a type test the engine folds)
    fence: str = ""  # ends the `cells` step: keeps it a step of its own (see _Dialect uses)
    materialized: str = "AS"  # how a CTE is computed once whatever refers to it
    native_days: str = "{e} - {s}"  # days from DATE {s} to DATE {e}
    date_literal: str = "DATE '{0}'"
    counts_as_double: bool = True  # False: counts stay integers (a dynamically typed engine)
    booleans: bool = True  # a comparison is a value (False: SQL Server, where CASE makes one)


def _codes(template: str, join: str) -> str:
    return join.join(template.format(c) for c in WHITESPACE)


_SPLIT = "(SELECT SUM(DISTINCT {bit}) FROM UNNEST({split}) AS pieces (piece))"
_DIALECTS: dict[str, _Dialect] = {
    "postgres": _Dialect(
        "postgres",
        "TEXT",
        "DOUBLE PRECISION",
        '""',
        "{a} / {b}",
        "TRANSLATE({t}, '0123456789', '0000000000') = '0000-00-00'",
        f"{{t}} ~ '{_TIME_FORMAT}'",
        "E'" + "".join(f"\\x{c:02x}" if c < 0x80 else f"\\u{c:04x}" for c in WHITESPACE) + "'",
        "BTRIM({x}, {ws})",
        _SPLIT.replace("{split}", "STRING_TO_ARRAY({x}, ';')"),
        # OFFSET 0 keeps `cells` a step of its own when dates are read from text: inlined,
        # PostgreSQL would compute a date's expression again at each use (measured slower,
        # though the step then runs in one process). Dates stored as dates need no fence, and
        # without one the table is counted in parallel.
        fence="\n    OFFSET 0",
        dated="pg_typeof({x}) IN ('date'::regtype, 'timestamp'::regtype, 'timestamptz'::regtype)",
        materialized="AS MATERIALIZED",
    ),
    "duckdb": _Dialect(
        "duckdb",
        "VARCHAR",
        "DOUBLE",
        '""',
        "{a} // {b}",
        "regexp_full_match({t}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}')",
        f"regexp_full_match({{t}}, '{_TIME_FORMAT[1:-1]}')",
        _codes("chr({})", " || "),
        "TRIM({x}, {ws})",
        _SPLIT.replace("{split}", "STRING_SPLIT({x}, ';')"),
        dated="typeof({x}) IN ('DATE', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_S', "
        "'TIMESTAMP_MS', 'TIMESTAMP_NS')",
        materialized="AS MATERIALIZED",
    ),
    "sqlite": _Dialect(
        "sqlite",
        "TEXT",
        "REAL",
        '""',
        "{a} / {b}",
        "{t} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
        # Without a REGEXP function: a time part that starts like one.
        "({t} GLOB '[T ]*[0-9]:[0-9][0-9]*' OR {t} GLOB '[T ]*[0-9][0-9]:[0-9][0-9]*')",
        "char(" + ", ".join(str(c) for c in WHITESPACE) + ")",
        "TRIM({x}, {ws})",
        # json_quote escapes whatever the cell holds, and a ';' is never part of an escape.
        "(SELECT SUM(DISTINCT {bit}) FROM json_each('[' || REPLACE(json_quote({x}), ';', "
        "'\",\"') || ']') AS pieces)",
        piece="pieces.value",
        counts_as_double=False,
        materialized="AS MATERIALIZED",
    ),
    "sqlserver": _Dialect(
        "sqlserver",
        "NVARCHAR(4000)",
        "FLOAT",
        "[]",
        "{a} / {b}",
        "{t} LIKE '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'",
        "({t} LIKE '[T ]%[0-9]:[0-9][0-9]%')",
        _codes("NCHAR({})", " + "),
        "TRIM({ws} FROM {x})",
        "(SELECT SUM(DISTINCT {bit}) FROM STRING_SPLIT({x}, ';') AS pieces)",
        piece="pieces.value",
        substr="SUBSTRING({x}, {start}{n})",
        rest=", 4000",
        native_days="DATEDIFF(day, {s}, {e})",
        date_literal="CAST('{0}' AS DATE)",
        booleans=False,
    ),
    "spark": _Dialect(
        "spark",
        "STRING",
        "DOUBLE",
        "``",
        "{a} DIV {b}",
        "{t} RLIKE '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$'",
        f"{{t}} RLIKE '{_TIME_FORMAT}'",
        "'" + "".join(f"\\u{c:04x}" for c in WHITESPACE) + "'",
        "TRIM(BOTH {ws} FROM {x})",
        "aggregate(array_distinct(transform(split(COALESCE({x}, ''), ';'), piece -> {bit})), "
        "0, (total, bit) -> total + bit)",
        piece="piece",
        native_days="datediff({e}, {s})",
    ),
}


def dialect_of(name: str) -> _Dialect:
    try:
        return _DIALECTS[name]
    except KeyError:
        raise ValueError(
            f"unknown SQL dialect {name!r}: choose one of {', '.join(DIALECTS)}"
        ) from None


def check_table(table: str) -> str:
    """The table as written — `schema.table`, a quoted name, `read_parquet('x.parquet')` — but
    never with a statement separator or a comment, which could smuggle another statement into
    a query that is printed to be run."""
    text = table.strip()
    if not text:
        raise ValueError("--table: give the table to read, e.g. --table requests")
    for mark in (";", "--", "/*", "*/"):
        if mark in text:
            raise ValueError(
                f"--table {table!r}: a table may not contain {mark!r} (one query, no comments)"
            )
    return text


def quote_name(name: str, dialect: str) -> str:
    """A column name as SQL: bare when it is a plain identifier, taken as written when the user
    quoted it, otherwise quoted (a header such as `Date sent`)."""
    spec = dialect_of(dialect)
    opener, closer = spec.quote[0], spec.quote[1]
    text = name.strip()
    if _PLAIN_NAME.fullmatch(text):
        return text
    if len(text) > 1 and text[0] in '"[`' and text[-1] in '"]`':
        return check_table(text)
    return opener + text.replace(closer, closer * 2) + closer


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _fold_word(text: str) -> str:
    """The case-folded, trimmed form the command line compares (checks.py's `word`)."""
    return text.strip().casefold()


class _Compiler:
    """Writes the three steps of the query for one plan and one dialect."""

    def __init__(self, plan: Plan, dialect: str) -> None:
        self.plan = plan
        self.d = dialect_of(dialect)
        self.table = check_table(plan.table)
        if not plan.windows:
            raise ValueError("a query needs at least one period")
        for span in plan.windows:
            if span.start > span.end:
                raise ValueError("a period must not end before it starts")
            if span.as_of < span.start:
                raise ValueError("the as-of date must not be before the period's start")
        # Whether a date column is read from text (parsed), not stored as the engine's dates.
        self.parsed = not self.native("sent")
        self.extra: dict[str, str] = {}  # raw column SQL -> its name in the steps (x0, x1...)
        self.joins: list[str] = []  # joins of step 1 (PostgreSQL's calendar, date look-ups)
        self.lookups: list[tuple[str, str]] = []  # steps before `cells`: each text date read
        self.per_row = False  # whether `cells` parses dates row by row
        self.values = {
            column: {_fold_word(k): v for k, v in mapping.items()}
            for column, mapping in plan.values.items()
        }
        for column in ("categories",):
            for key in self.values.get(column, {}):
                if ";" in key or not key:
                    raise ValueError(
                        f"[values.categories] {key!r}: a category key may not be empty or hold "
                        "';' (the query splits the cell at ';' first)"
                    )
            for key, target in self.values.get(column, {}).items():
                if ";" in target:
                    raise ValueError(
                        f"[values.categories] {key!r} = {target!r}: the query cannot read one "
                        "word as several categories; count an export of the table instead, or "
                        "write the categories separated by ';' in the table"
                    )

    # -- small pieces of SQL ------------------------------------------------------------------

    def column(self, canonical: str) -> str:
        """A canonical column as step 1 reads it from the table (aliased `src`)."""
        if canonical in self.plan.absent:
            return "NULL"
        return "src." + self.plan.columns.get(canonical, canonical)

    def source(self, name: str) -> str:
        """A --by/--where column: a canonical name, or a column of the table as SQL text."""
        return self.column(name) if name in COLUMNS else "src." + name

    def text(self, x: str) -> str:
        return f"CAST({x} AS {self.d.text})"

    def word(self, x: str) -> str:
        """A cell as text, NULL read as ''."""
        return f"COALESCE({self.text(x)}, '')"

    def trim(self, x: str) -> str:
        return self.d.trim.format(x=x, ws=self.d.ws)

    def printable(self, x: str) -> str | None:
        """SQL true when the text {x} starts with a printable ASCII character (so is neither
        blank nor padded at the start), by byte comparisons; None where collations may order
        characters otherwise (SQL Server)."""
        if self.d.name == "sqlserver":
            return None
        delete = {"postgres": "E'\\x7f'", "sqlite": "char(127)"}.get(self.d.name, "chr(127)")
        c = ' COLLATE "C"' if self.d.name == "postgres" else ""
        return f"{x}{c} >= '!' AND {x}{c} < {delete}"

    def trim_fast(self, x: str) -> str:
        """{x} trimmed, sparing the trim (slow in every engine) to a cell whose first and last
        characters are printable ASCII: str.strip() leaves such a cell as it is."""
        first = self.printable(x)
        if first is None:
            return self.trim(x)
        last = self.printable(f"SUBSTR({x}, -1)" if self.d.name == "sqlite" else f"RIGHT({x}, 1)")
        return f"CASE WHEN {first} AND {last} THEN {x} ELSE {self.trim(x)} END"

    def fold(self, x: str) -> str:
        """Trimmed and lower-cased; NULL reads as ''."""
        if self.plan.fold is not None:
            return f"COALESCE({self.plan.fold}({x}), '')"
        return f"COALESCE(LOWER({self.trim(x)}), '')"

    def substr(self, x: str, start: int, n: int | None = None) -> str:
        return self.d.substr.format(x=x, start=start, n=self.d.rest if n is None else f", {n}")

    def mapped(self, column: str, folded: str) -> str:
        """A folded cell's word after the config's [values.COLUMN] (as checks.py maps it)."""
        mapping = {k: _fold_word(v) for k, v in self.values.get(column, {}).items()}
        if not mapping:
            return folded
        cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in mapping.items())
        return f"CASE {folded} {cases} ELSE {folded} END"

    def idiv(self, a: str, b: int) -> str:
        return self.d.idiv.format(a=a, b=b)

    def flag(self, condition: str) -> str:
        """A condition as a value to group by: the comparison itself where the dialect has
        booleans (PostgreSQL then estimates its groups as two, not by the columns' distinct
        values, and counts the table in parallel), else 1 or 0."""
        if self.d.booleans:
            return f"({condition})"
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    def true(self, value: str) -> str:
        """The condition that a `flag` holds (a NULL flag, of a NULL date, is false)."""
        return value if self.d.booleans else f"{value} = 1"

    # -- step 1: the cells ------------------------------------------------------------------

    def native(self, canonical: str) -> bool:
        """Whether the dates are known to be the engine's own, both of them (then compared as
        they are, with DATE literals)."""
        return self.d.name in ("postgres", "duckdb") and all(
            self.plan.date_types.get(c) in ("date", "timestamp") for c in ("sent", "executed")
        )

    def date_parts(self, canonical: str) -> tuple[list[str], list[str] | None, list[str] | None]:
        """The select lists of the (up to) three sub-steps of `cells` that read one date column
        into a day number (`{c}`, NULL when it is no date) and whether it is blank
        (`{c}_blank`); None where a sub-step only passes these on."""
        c, raw = canonical, self.column(canonical)
        stored = self.plan.date_types.get(c)
        if self.native(c):
            value = raw if stored == "date" else f"CAST({raw} AS DATE)"
            return [f"{value} AS {c}"], None, None
        number_of = "CAST({x} AS DATE) - DATE '1970-01-01'"
        if self.d.name in ("postgres", "duckdb") and stored in ("date", "timestamp"):
            # Stored as dates, beside a column that is not: both are read as day numbers.
            return (
                [
                    f"{number_of.format(x=raw)} AS {c}",
                    f"CASE WHEN {raw} IS NULL THEN 1 ELSE 0 END AS {c}_blank",
                ],
                None,
                None,
            )
        dated = self.d.dated.format(x=raw) if self.d.dated and stored != "text" else None
        if self.d.name in ("duckdb", "sqlite") and not dated:
            # Each distinct text is read once, in a step of its own (a few thousand rows), and
            # looked up by a hash join: parsing every row's text costs several times as much.
            lookup = f"SELECT DISTINCT {raw} AS t FROM {self.table} AS src"
            for number, listed in enumerate(self.parse_lists(c, "t", stored, None, False), 1):
                assert listed is not None  # three sub-steps without the calendar
                lookup = f"SELECT t, {', '.join(listed)} FROM ({lookup}) AS step{number}"
            self.lookups.append((f"{c}_days", lookup))
            self.joins.append(f"LEFT JOIN {c}_days ON {c}_days.t = {raw}")
            blank = f"CASE WHEN {raw} IS NULL THEN 1 ELSE {c}_days.{c}_blank END AS {c}_blank"
            return [f"{c}_days.{c} AS {c}", blank], None, None
        self.per_row = True
        return self.parse_lists(c, raw, stored, dated)

    def parse_lists(
        self, c: str, raw: str, stored: str | None, dated: str | None, per_row: bool = True
    ) -> tuple[list[str], list[str] | None, list[str] | None]:
        """The three sub-steps that read the text {raw} of date column {c} (a cell of the
        engine's dates, when `dated` tells it so, read as it is); PostgreSQL, row by row, looks
        ISO dates up in a calendar instead."""
        number_of = "CAST({x} AS DATE) - DATE '1970-01-01'"
        as_text = raw if stored == "text" else self.text(raw)
        words = self.values.get(c, {})
        if words:
            # [values.sent] / [values.executed]: a word read as another text ('' = empty), as
            # checks.py's date_text reads it.
            cases = " ".join(
                f"WHEN {_literal(k)} THEN {_literal(v.strip())}" for k, v in words.items()
            )
            as_text = f"CASE {self.fold(as_text)} {cases} ELSE {as_text} END"
        text = self.trim_fast(as_text)
        # Read by its type, row by row, when the type is not known: a DATE or TIMESTAMP column
        # as it is, anything else as text. The type test is cheap (DuckDB folds it); the branch
        # not taken never runs.
        if self.d.name == "postgres" and per_row:
            # A cell that is an ISO date of the calendar is looked up (a hash join), not parsed:
            # PostgreSQL's string functions cost a microsecond a call, the look-up a tenth of
            # that. Any other cell is parsed by a subquery run for that row alone.
            self.joins.append(f"LEFT JOIN {_CALENDAR} AS {c}_cal ON {c}_cal.cal_t = {as_text}")
            parse = self.parse_subquery(text)
            if dated:
                parse = f"CASE WHEN {dated} THEN {number_of.format(x=raw)} ELSE {parse} END"
            # Blank cells, the pending requests' dates, are told apart before any parsing.
            number = f"COALESCE({c}_cal.cal_n, CASE WHEN {as_text} <> '' THEN {parse} END)"
            blank = (
                f"CASE WHEN {raw} IS NULL THEN 1 WHEN {c}_cal.cal_n IS NOT NULL THEN 0 "
                + (f"WHEN {dated} THEN 0 " if dated else "")
                + f"WHEN COALESCE({text}, '') = '' THEN 1 ELSE 0 END"
            )
            return [f"{number} AS {c}", f"{blank} AS {c}_blank"], None, None
        first: list[str] = []
        known: list[str] = []
        if dated:
            first.append(f"CASE WHEN {dated} THEN {number_of.format(x=raw)} END AS {c}_d")
            first.append(f"CASE WHEN NOT {dated} THEN {text} END AS {c}_t")
            known.append(f"{c}_d")
        else:
            first.append(f"{text} AS {c}_t")
        t = f"{c}_t"
        y, m, d = f"{c}_y", f"{c}_m", f"{c}_dd"
        shaped, parts = self.date_shape(t)
        second = [
            *known,
            f"CASE WHEN {t} IS NULL OR {t} = '' THEN 1 ELSE 0 END AS {c}_blank",
            *(f"CASE WHEN {shaped} THEN {part} END AS {name}"
              for part, name in zip(parts, (y, m, d), strict=True)),
        ]  # fmt: skip
        number = self.day_number(y, m, d)
        if known:
            number = f"COALESCE({', '.join(known)}, {number})"
            found = " AND ".join(f"{k} IS NULL" for k in known)
            blank = f"CASE WHEN {found} AND {c}_blank = 1 THEN 1 ELSE 0 END"
        else:
            blank = f"{c}_blank"
        return first, second, [f"{number} AS {c}", f"{blank} AS {c}_blank"]

    def date_shape(self, t: str) -> tuple[str, tuple[str, str, str]]:
        """Whether the text {t} is an ISO date (a time part allowed), and its year, month and
        day as integers when it is."""
        head, tail = self.substr(t, 1, 10), self.substr(t, 11)
        time_ok = (
            f"{tail} REGEXP '{_TIME}'"
            if self.d.name == "sqlite" and self.plan.regexp
            else self.d.time.format(t=tail)
        )
        shaped = f"{self.d.digits.format(t=head)} AND ({tail} = '' OR {time_ok})"
        parts = tuple(
            f"CAST({self.substr(t, start, n)} AS INTEGER)" for start, n in ((1, 4), (6, 2), (9, 2))
        )
        return shaped, (parts[0], parts[1], parts[2])

    def day_number(self, y: str, m: str, d: str) -> str:
        """Days from 1970-01-01 of a valid (y, m, d), else NULL: H. Hinnant's days_from_civil in
        integers alone, so that every dialect computes it alike and no date function can fail on
        a bad cell."""
        leap = f"(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)"
        month_days = (
            f"CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END "
            f"WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
        )
        valid = f"{y} >= 1 AND {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {month_days}"
        y2 = f"({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)"
        era = self.idiv(y2, 400)
        yoe = f"({y2} - {era} * 400)"
        doy = f"({self.idiv(f'(153 * (({m} + 9) % 12) + 2)', 5)} + {d} - 1)"
        doe = f"({yoe} * 365 + {self.idiv(yoe, 4)} - {self.idiv(yoe, 100)} + {doy})"
        return f"CASE WHEN {valid} THEN ({era} * 146097 + {doe} - 719468) END"

    def parse_subquery(self, text: str) -> str:
        """The day number of a text cell, as a scalar subquery (PostgreSQL runs it only for the
        rows that need it)."""
        shaped, parts = self.date_shape("t")
        listed = ", ".join(
            f"CASE WHEN {shaped} THEN {part} END AS {name}"
            for part, name in zip(parts, ("y", "m", "d"), strict=True)
        )
        return (
            f"(SELECT {self.day_number('y', 'm', 'd')} FROM (SELECT {listed} FROM (SELECT {text} "
            "AS t) AS cell) AS parts)"
        )

    def extra_name(self, column_sql: str) -> str:
        """The step name of a raw column that --by or --where reads."""
        for canonical in ("organ", "kind", "origin", "categories", "outcome"):
            if self.column(canonical) == column_sql:
                return canonical
        if column_sql not in self.extra:
            self.extra[column_sql] = f"x{len(self.extra)}"
        return self.extra[column_sql]

    def cells(self) -> str:
        """Step 1: the cells of each row, its dates read."""
        # The vocabulary cells as stored: grouped as they are, read as text after (step 3).
        words = [
            f"{self.column(c)} AS {c}" for c in ("organ", "kind", "origin", "categories", "outcome")
        ]
        id_sql = self.column("id")
        if self.plan.date_types.get("id") == "number":
            blank_id = f"{self.flag(f'{id_sql} IS NULL')} AS no_id"
        else:
            text = self.text(id_sql)
            blank = f"COALESCE({self.trim(text)}, '') = ''"
            printable = self.printable(text)
            if printable and self.d.booleans:
                # An id starting with a printable ASCII character is not blank: two byte
                # comparisons spare most rows the trim, which costs microseconds a call.
                blank_id = f"CASE WHEN {printable} THEN FALSE ELSE {blank} END AS no_id"
            else:
                blank_id = f"{self.flag(blank)} AS no_id"
        by_where = [self.plan.by] if self.plan.by and self.plan.by != "categories" else []
        by_where += [column for column, _ in self.plan.where if column != "categories"]
        for column in by_where:
            self.extra_name(self.source(column))
        extras = [f"{sql} AS {name}" for sql, name in self.extra.items()]
        carried = [
            "organ",
            "kind",
            "origin",
            "categories",
            "outcome",
            "no_id",
            *self.extra.values(),
        ]
        sent, executed = self.date_parts("sent"), self.date_parts("executed")
        first = [*words, blank_id, *extras, *sent[0], *executed[0]]
        joins = "".join(f"\n    {join}" for join in self.joins)
        body = f"SELECT\n        {', '.join(first)}\n    FROM {self.table} AS src{joins}"
        if sent[1] is not None or executed[1] is not None:
            for step in (1, 2):
                listed = [*carried]
                for c, parts in (("sent", sent), ("executed", executed)):
                    listed += parts[step] or [c, f"{c}_blank"]
                body = (
                    f"SELECT\n        {', '.join(listed)}\n    FROM (\n    {body}\n    ) AS "
                    f"step{step}"
                )
        return body + (self.d.fence if self.per_row else "")

    # -- step 2: the counts -------------------------------------------------------------------

    def day(self, canonical: str, day: date) -> str:
        """A date to compare with the column: a DATE literal or a day number."""
        if self.native(canonical):
            return self.d.date_literal.format(day.isoformat())
        return str(day.toordinal() - EPOCH)

    def days_between(self) -> str:
        if self.native("sent"):
            return self.d.native_days.format(e="executed", s="sent")
        return "executed - sent"

    def flag_conditions(self) -> dict[str, str]:
        """The flags of step 2, each as its condition over a `cells` row, in order: its id or
        dates blank, its dates unreadable, executed before sent, sent in window i (`in{i}`),
        executed by the as-of date of its window in layer l (`done{l}`: a request is in one
        window of a layer at most) and, with --where, sent within the windows (`in_span`)."""
        sent_blank = "sent IS NULL" if self.native("sent") else "sent_blank = 1"
        exec_blank = "executed IS NULL" if self.native("executed") else "executed_blank = 1"
        found = {
            "blank_id": self.true("no_id"),
            "blank_sent": sent_blank,
            "blank_executed": exec_blank,
            "early": "executed < sent",
        }
        if self.parsed:  # dates read from text may be unreadable; the engine's dates never are
            found["bad_sent"] = f"NOT ({sent_blank}) AND sent IS NULL"
            found["bad_executed"] = f"NOT ({exec_blank}) AND executed IS NULL"
        for index, span in enumerate(self.plan.windows):
            found[f"in{index}"] = self.sent_within(span.start, span.end)
        for number, layer in enumerate(_layers(self.plan.windows)):
            # Executed by its window's own as-of date (each window has its own).
            found[f"done{number}"] = " OR ".join(
                f"({self.sent_within(span.start, span.end)} AND executed <= "
                f"{self.day('executed', span.as_of)})"
                for _, span in layer
            )
        if self.plan.where:
            # The requests whose --where values are looked at (to warn of one that matches none).
            found["in_span"] = self.sent_within(
                min(span.start for span in self.plan.windows),
                max(span.end for span in self.plan.windows),
            )
        return found

    @property
    def boolean_keys(self) -> bool:
        """Whether step 2 groups by each flag as a boolean (PostgreSQL, for its estimates),
        rather than by the bits of one integer."""
        return self.d.name == "postgres"

    def sent_within(self, first: date, last: date) -> str:
        """Sent from `first` to `last`, inclusive: a half-open range of days."""
        after = date.fromordinal(last.toordinal() + 1) if last < date.max else None
        return f"sent >= {self.day('sent', first)}" + (
            f" AND sent < {self.day('sent', after)}" if after else ""
        )

    def counted(self) -> str:
        """Step 2: one row per distinct (cells, flags[, days]).

        Where the dialect has booleans (PostgreSQL), each flag is a boolean key: PostgreSQL
        estimates the groups of a boolean as two, but those of a number made of the dates and
        the id as many as the rows, and would then count alone, not in parallel. Elsewhere the
        flags are the bits of one integer key (`flags`), fewer keys to hash. The days to execute
        are summed per group, or with `histogram` a key too."""
        keys = ["organ", "kind", "origin", "categories", "outcome", *self.extra.values()]
        conditions = self.flag_conditions()
        if self.boolean_keys:
            computed = [f"({condition}) AS {name}" for name, condition in conditions.items()]
            names = list(conditions)
        else:
            bits = " + ".join(
                f"CASE WHEN {condition} THEN {1 << bit} ELSE 0 END"
                for bit, condition in enumerate(conditions.values())
            )
            computed, names = [f"{bits} AS flags"], ["flags"]
        days = self.days_between()
        if self.plan.histogram:
            within = " OR ".join(f"({conditions[f'in{i}']})" for i in range(len(self.plan.windows)))
            computed.append(f"CASE WHEN executed >= sent AND ({within}) THEN {days} END AS days")
        else:  # summed, of every request (only those executed in a window are read)
            computed.append(f"CASE WHEN executed >= sent THEN {days} END AS days")
        # The flags first: grouped in this order, no sort of the rows can serve the join of
        # step 3 on the words, so PostgreSQL hashes the groups rather than sorting every row.
        # With a histogram each distinct number of days is a group of its own; without, the
        # days of a group are summed (a few hundred groups, not tens of thousands).
        sums = "COUNT(*) AS n, "
        if self.plan.histogram:
            names.append("days")
        else:
            total = "CAST(days AS BIGINT)" if self.d.name == "sqlserver" else "days"
            sums += f"SUM({total}) AS days, "
        names += keys
        inner = f"SELECT\n        {', '.join([*keys, *computed, 'sent'])}\n    FROM cells"
        listed = ", ".join(names)
        return (
            f"SELECT\n        {listed},\n        {sums}MIN(sent) AS first_sent, MAX(sent) AS "
            f"last_sent\n    FROM (\n    {inner}\n    ) AS keyed\n    GROUP BY {listed}"
        )

    # -- step 3: the classification -----------------------------------------------------------

    def category_bits(self) -> str:
        piece = self.mapped("categories", self.fold(f"COALESCE({self.d.piece}, '')"))
        cases = " ".join(f"WHEN {_literal(word)} THEN {bit}" for word, bit in _CATEGORY_BIT.items())
        bit = f"CASE {piece} {cases} WHEN '' THEN 0 ELSE {_UNKNOWN_CATEGORY} END"
        return f"COALESCE({self.d.pieces.format(x='categories', bit=bit)}, 0)"

    def group_value(self, name: str) -> str:
        """A request's --by/--where value, as breakdown.py states it: for a vocabulary column
        the SPEC's word it was read as (origin and categories on RFCs only, else blank); for
        any other column the cell trimmed, else as written, mapped by [values.COLUMN]."""
        if name in _CANONICAL_WORDS:
            words = _CANONICAL_WORDS[name]
            cases = " ".join(f"WHEN {_literal(k)} THEN {_literal(v)}" for k, v in words.items())
            value = f"CASE {name}_w {cases} ELSE '' END"
            if name == "origin":  # an origin counts on RFCs only (SPEC §1)
                return f"CASE WHEN kind_w = 'rfc' THEN {value} ELSE '' END"
            return value
        column = self.extra_name(self.source(name))
        mapping = self.values.get(name, {})
        trimmed = f"COALESCE({self.trim(self.text(column))}, '')"
        if not mapping:
            return trimmed
        folded = self.fold(self.text(column))
        cases = " ".join(
            f"WHEN {_literal(k)} THEN {_literal(v.strip())}" for k, v in mapping.items()
        )
        return f"CASE {folded} {cases} ELSE {trimmed} END"

    def wanted(self, name: str, value: str) -> str:
        """A --where value read as a request's value is (breakdown.py)."""
        mapped = self.values.get(name, {}).get(_fold_word(value), value.strip())
        if name in _CANONICAL_WORDS:
            return _CANONICAL_WORDS[name].get(_fold_word(mapped), mapped.strip())
        return mapped.strip()

    def keep(self) -> str:
        """1 when a row passes every --where (the same column again widens, another narrows)."""
        held = f"(CASE WHEN kind_w = 'rfc' THEN cats & {_ALL_CATEGORIES} ELSE 0 END)"
        tests = []
        for name, wanted in self.plan.where:
            if name == "categories":
                bits = sum(_CATEGORY_BIT.get(_fold_word(self.mapped_word("categories", w)), 0)
                           for w in wanted)  # fmt: skip
                test = [f"({held} & {bits}) <> 0"] if bits else []
                if any(not self.mapped_word("categories", w) for w in wanted):
                    test.append(f"{held} = 0")
                tests.append(f"({' OR '.join(test) or '1 = 0'})")
            else:
                listed = ", ".join(_literal(self.wanted(name, w)) for w in wanted)
                tests.append(f"{self.group_value(name)} IN ({listed})")
        return f"CASE WHEN {' AND '.join(tests)} THEN 1 ELSE 0 END" if tests else "1"

    def where_values(self) -> list[tuple[str, str]]:
        """The counts query's column of each --where column's value (`wv{k}`, k its place in
        `plan.where`), but categories (a request's categories are its `held` bits)."""
        return [(f"wv{k}", name) for k, (name, _) in enumerate(self.plan.where)
                if name != "categories"]  # fmt: skip

    def mapped_word(self, column: str, word: str) -> str:
        folded = _fold_word(word)
        return self.values.get(column, {}).get(folded, folded)

    def raw_keys(self) -> list[str]:
        """The raw cells that make a request's words (and its --by/--where values)."""
        return ["organ", "kind", "origin", "categories", "outcome", *self.extra.values()]

    def kinds(self) -> str:
        """Step 3a: each distinct combination of raw words, classified once: its words, the
        reasons they make it invalid, the base groups of the catalogue it counts in."""
        words = [
            f"{self.mapped(c, self.fold(c))} AS {c}_w"
            for c in ("organ", "kind", "origin", "outcome")
        ]
        words.append(f"{self.category_bits()} AS cats")
        raw = self.raw_keys()
        organs = ", ".join(_literal(o) for o in ORGANS)
        kinds = ", ".join(_literal(k) for k in KINDS)
        origins = ", ".join(_literal(o) for o in ORIGINS)
        outcomes = ", ".join(_literal(o) for o in OUTCOMES)
        otp_kinds = ", ".join(_literal(k.lower()) for k, o in KIND_ORGAN.items() if o == "OTP")
        registry_kinds = ", ".join(
            _literal(k.lower()) for k, o in KIND_ORGAN.items() if o == "Registry"
        )
        rules = {
            "unknown-organ": f"organ_w NOT IN ({organs})",
            "unknown-kind": f"kind_w NOT IN ({kinds})",
            "kind-organ-mismatch": f"(organ_w = 'otp' AND kind_w IN ({registry_kinds})) "
            f"OR (organ_w = 'registry' AND kind_w IN ({otp_kinds}))",
            "unknown-origin": f"kind_w = 'rfc' AND origin_w NOT IN ({origins})",
            "unknown-category": f"kind_w = 'rfc' AND (cats & {_UNKNOWN_CATEGORY}) <> 0",
            "unknown-outcome": f"outcome_w NOT IN ('', {outcomes})",
        }
        reasons = " + ".join(
            f"CASE WHEN {rules[r.code]} THEN {r.bit} ELSE 0 END" for r in REASONS if r.code in rules
        )
        groups = " + ".join(
            f"CASE WHEN {self.holds(g)} THEN {1 << g.index} ELSE 0 END" for g in catalogue.GROUPS
        )
        by = self.plan.by
        grp = "''" if by is None or by == "categories" else self.group_value(by)
        # NULL and '' read alike (blank); '' lets step 3b join on the cells by equality.
        texts = ", ".join(f"{self.word(k)} AS {k}" for k in raw)
        distinct = f"SELECT DISTINCT {texts} FROM counted"
        inner = f"SELECT\n        {', '.join([*raw, *words])}\n    FROM ({distinct}) AS raw"
        outer = [
            *raw,
            f"{grp} AS grp",
            f"{reasons} AS word_reasons",
            f"{groups} AS member",
            f"CASE WHEN kind_w = 'rfc' THEN cats & {_ALL_CATEGORIES} ELSE 0 END AS held",
            "CASE WHEN outcome_w = 'negative' THEN 0 ELSE 1 END AS positive",
            f"CASE WHEN outcome_w IN ({outcomes}) THEN 1 ELSE 0 END AS has_outcome",
            f"{self.keep()} AS keep",
            *(f"{self.group_value(name)} AS {key}" for key, name in self.where_values()),
        ]
        return f"SELECT\n        {', '.join(outer)}\n    FROM (\n    {inner}\n    ) AS worded"

    def classified(self) -> str:
        """Step 3b: each counted row with its kind's classification and every reason it is
        invalid (0: valid)."""
        names = list(self.flag_conditions())
        if self.boolean_keys:
            held = {name: f"counted.{name}" for name in names}
        else:
            held = {name: f"(counted.flags & {1 << bit}) <> 0" for bit, name in enumerate(names)}
        rules = {
            "blank-id": held["blank_id"],
            "blank-sent": held["blank_sent"],
            "executed-before-sent": held["early"],
            "outcome-without-execution": f"kinds.has_outcome = 1 AND {held['blank_executed']}",
        }
        if self.parsed:  # dates read from text may be unreadable; the engine's dates never are
            rules["invalid-sent"] = held["bad_sent"]
            rules["invalid-executed"] = held["bad_executed"]
        reasons = " + ".join(
            f"CASE WHEN {rules[r.code]} THEN {r.bit} ELSE 0 END" for r in REASONS if r.code in rules
        )
        flags = [n for n in names if n.startswith(("in", "done"))]  # in0.., done0.., in_span
        carried = ["days", "n", "first_sent", "last_sent"]
        joined = " AND ".join(f"{self.word('counted.' + k)} = kinds.{k}" for k in self.raw_keys())
        listed = [
            "kinds.grp",
            f"kinds.word_reasons + {reasons} AS reasons",
            "kinds.member", "kinds.held", "kinds.positive", "kinds.keep",
            *(f"kinds.{key}" for key, _ in self.where_values()),
            *(f"{self.flag(held[name])} AS {name}" for name in flags),
            *(f"counted.{c}" for c in carried),
        ]  # fmt: skip
        return f"SELECT\n        {', '.join(listed)}\n    FROM counted\n    JOIN kinds ON {joined}"

    def holds(self, group: catalogue.Group) -> str:
        """The SQL of Group.holds over a counted row's words."""
        tests = [f"kind_w = {_literal(group.kind.lower())}"]
        if group.origin is not None:
            tests.append(f"origin_w = {_literal(group.origin.lower())}")
        if group.category is not None:
            tests.append(f"(cats & {_CATEGORY_BIT[group.category]}) <> 0")
        return " AND ".join(tests)

    def steps(self) -> list[tuple[str, str]]:
        cells = self.cells()
        return [
            *self.lookups,
            ("cells", cells),
            ("counted", self.counted()),
            ("kinds", self.kinds()),
            ("classified", self.classified()),
        ]


# PostgreSQL's look-up of ISO dates: every day of 1990-2089 (36,524 rows, a few ms to build).
_CALENDAR = (
    # A subquery at each join, grouped by the text, so that PostgreSQL knows the text unique and
    # the join as long as the table (and hashes the calendar, not the table); an integer series,
    # so that it knows the calendar's length.
    "(SELECT cal_t, MIN(cal_n) AS cal_n FROM (SELECT TO_CHAR(DATE '1970-01-01' + cal_n, "
    "'YYYY-MM-DD') AS cal_t, cal_n FROM GENERATE_SERIES(7305, 43829) AS days (cal_n)) AS "
    "days GROUP BY cal_t)"
)


def _layers(windows: Sequence[Span]) -> list[list[tuple[int, Span]]]:
    """The windows in layers of windows that do not overlap, so that one flag says whether a
    request was executed by its window's as-of date in each layer (a period and its prior never
    overlap; `--against` may)."""
    layers: list[list[tuple[int, Span]]] = []
    for index, span in enumerate(windows):
        for layer in layers:
            if all(span.end < other.start or other.end < span.start for _, other in layer):
                layer.append((index, span))
                break
        else:
            layers.append([(index, span)])
    return layers


def window_columns(windows: Sequence[Span]) -> list[tuple[str, str]]:
    """For each window, in order: the counts query's column saying whether a request was sent
    in it, and the one saying whether such a request was executed by the window's as-of date."""
    layer_of = {index: n for n, layer in enumerate(_layers(windows)) for index, _ in layer}
    return [(f"in{i}", f"done{layer_of[i]}") for i in range(len(windows))]


def _with(steps: list[tuple[str, str]], dialect: _Dialect, per_row: bool) -> str:
    # `counted` and `kinds` are worked out once, not again at each use: `counted` feeds both
    # `kinds` and `classified`, and `kinds` is joined to every counted row.
    # Where dates are parsed from text and no fence keeps `cells` one step (all but
    # PostgreSQL), it is materialized too, or DuckDB and SQLite would parse each row's dates
    # again at every use of them; dates stored as dates are read where they are.
    # The look-ups of text dates (`sent_days`, `executed_days`) are read once each, and not
    # merged into the join, which would read a text again at each row.
    once = ("counted", "kinds") if dialect.fence or not per_row else ("cells", "counted", "kinds")
    return "WITH\n" + ",\n".join(
        f"{name} {dialect.materialized if name in once or name.endswith('_days') else 'AS'} "
        f"(\n    {body}\n)"
        for name, body in steps
    )


def counts_query(plan: Plan, dialect: str = "duckdb") -> str:
    """The query of the counts: one row per group of requests alike for the counting rules.

    Columns: grp, reasons (0 = valid, else REASONS bits), member (a bit per catalogue group),
    held (category bits), positive, keep (passes --where), with --where wv0.. (each --where
    column's value, but categories: see `where_values`) and in_span, in0, done0, in1, ... (see
    `window_columns`; booleans, or 1 and 0), days (to execute, of a request in a window: with
    `plan.histogram` a key, else the sum over the group's rows), n (rows), first_sent and
    last_sent (a date or a day number, see EPOCH).
    """
    compiler = _Compiler(plan, dialect)
    keys = ["grp", "reasons", "member", "held", "positive", "keep"]
    keys += list(dict.fromkeys(name for pair in window_columns(plan.windows) for name in pair))
    if plan.where:
        keys += [key for key, _ in compiler.where_values()] + ["in_span"]
    sums = "SUM(n) AS n"
    if plan.histogram:
        keys.append("days")
    else:
        sums += ", SUM(days) AS days"
    listed = ", ".join(keys)
    return (
        _with(compiler.steps(), compiler.d, compiler.per_row)
        + f"\nSELECT {listed}, {sums}, MIN(first_sent) AS first_sent, MAX(last_sent) AS "
        f"last_sent\nFROM classified\nGROUP BY {listed};\n"
    )


def build_query(
    *,
    start: date,
    end: date,
    prior_start: date,
    prior_end: date,
    as_of: date,
    notifications: bool = True,
    dialect: str = "duckdb",
    table: str = "requests",
    plan: Plan | None = None,
) -> str:
    """One query computing the catalogue's figures as rows (`id`, `value`) in its order, or with
    `plan.by` (`grp`, `id`, `value`) rows, groups by the requests sent in the period, most
    first. Periods are inclusive; `as_of` decides which executions count (SPEC §2).

    Raises ValueError for an unknown dialect, a table with a ';' or a comment, a period that
    ends before it starts, or an as-of date before the period's start.
    """
    windows = (Span(start, end, as_of), Span(prior_start, prior_end, prior_end))
    if plan is None:
        plan = Plan(table=table, windows=windows, histogram=False)
    else:
        plan = Plan(**{**plan.__dict__, "windows": windows, "histogram": False})
    compiler = _Compiler(plan, dialect)
    d = compiler.d
    steps = compiler.steps()
    (current_in, current_done), (prior_in, _) = window_columns(windows)
    valid = "reasons = 0 AND keep = 1"

    def total(g: catalogue.Group, measure: str) -> str:
        return f"{measure}_{g.index}"

    def summed_if(condition: str, name: str, amount: str = "n") -> str:
        return f"COALESCE(SUM(CASE WHEN {condition} THEN {amount} ELSE 0 END), 0) AS {name}"

    sums = [
        summed_if(f"{valid} AND {compiler.true(current_in)}", "all_sent"),
        summed_if(f"{valid} AND {compiler.true(prior_in)}", "all_prior"),
    ]
    for g in catalogue.GROUPS:
        member = f"{valid} AND (member & {1 << g.index}) <> 0"
        now = f"{member} AND {compiler.true(current_in)}"
        done = f"{now} AND {compiler.true(current_done)}"
        sums += [
            summed_if(now, total(g, "s")),
            summed_if(done, total(g, "e")),
            summed_if(f"{done} AND positive = 1", total(g, "p")),
            summed_if(done, total(g, "d"), "days"),
            summed_if(f"{member} AND {compiler.true(prior_in)}", total(g, "q")),
        ]
    if plan.by == "categories":
        words = " UNION ALL ".join(
            f"SELECT {bit} AS bit, {_literal(word)} AS word" for word, bit in _CATEGORY_BIT.items()
        )
        steps.append(("category_words", words))
        steps.append(
            (
                "grouped",
                "SELECT classified.*, category_words.word AS by_value FROM classified JOIN "
                "category_words ON (classified.held & category_words.bit) <> 0\n    UNION ALL\n    "
                "SELECT classified.*, '' AS by_value FROM classified WHERE classified.held = 0",
            )
        )
        source, key = "grouped", "by_value"
    else:
        source, key = "classified", "grp"
    # Without --by, no GROUP BY: one row of totals even over an empty table.
    grouping = f"\n    GROUP BY {key}" if plan.by is not None else ""
    steps.append(
        (
            "totals",
            f"SELECT\n        {'MIN(' + key + ')' if not grouping else key} AS grp,\n        "
            + ",\n        ".join(sums)
            + f"\n    FROM {source}{grouping}",
        )
    )
    figures = catalogue.FIGURES
    steps.append(
        (
            "metrics",
            " UNION ALL\n    ".join(
                f"SELECT {i} AS ordinal, {_literal(f.id)} AS id" for i, f in enumerate(figures, 1)
            ),
        )
    )

    def as_double(x: str) -> str:
        return f"CAST({x} AS {d.double})"

    def summed(groups: Sequence[catalogue.Group], measure: str) -> str:
        return " + ".join(total(g, measure) for g in groups) if groups else "0"

    def expression(f: catalogue.Figure) -> str:
        groups = catalogue.figure_groups(f, notifications)
        s, e = summed(groups, "s"), summed(groups, "e")
        shape = f.shape
        if shape in (catalogue.Shape.SENT, catalogue.Shape.EXECUTED):
            count = s if shape is catalogue.Shape.SENT else e
            return as_double(count) if d.counts_as_double else f"({count})"
        if shape is catalogue.Shape.RATE:
            part = e
        elif shape is catalogue.Shape.POSITIVE:
            part = summed(groups, "p")
        elif shape is catalogue.Shape.DAYS:
            return f"{as_double(summed(groups, 'd'))} / {as_double(f'NULLIF({e}, 0)')}"
        else:
            q = summed(groups, "q")
            return f"{as_double(f'100 * (({s}) - ({q}))')} / {as_double(f'NULLIF({q}, 0)')}"
        # 100 * part / whole: the numerator multiplied while still exact, one division, as
        # Python's `100 * part / whole`; NULLIF gives NULL (N/A) for a zero whole.
        return f"{as_double(f'100 * ({part})')} / {as_double(f'NULLIF({s}, 0)')}"

    branches = "\n".join(f"        WHEN {i} THEN {expression(f)}" for i, f in enumerate(figures, 1))
    toggle = (
        "mission notifications counted among the OTP's RFAs"
        if notifications
        else "mission notifications left out of every OTP figure (--no-notifications)"
    )
    head = (
        "-- coopstats: metrics of the ICC Report of the Court on Cooperation (SPEC section 3)\n"
        f"-- period {start.isoformat()} to {end.isoformat()}; prior period "
        f"{prior_start.isoformat()} to {prior_end.isoformat()}; as of {as_of.isoformat()}\n"
        f"-- notifications: {toggle}\n"
        f"-- dialect {d.name}; rows it cannot read (a word outside the vocabulary, a date that "
        "is no ISO date,\n-- executed before sent, ...) are left out: "
        "coopstats --database counts and reports them\n"
    )
    if plan.by is None:
        head += "-- one row per metric: id, value (NULL = N/A)\n"
        select = (
            f"SELECT\n    metrics.id,\n    CASE metrics.ordinal\n{branches}\n    END AS value\n"
            "FROM metrics\nCROSS JOIN totals\nORDER BY metrics.ordinal;\n"
        )
    else:
        head += "-- one row per group and metric: grp ('' = blank), id, value (NULL = N/A)\n"
        select = (
            f"SELECT\n    totals.grp,\n    metrics.id,\n    CASE metrics.ordinal\n{branches}\n"
            "    END AS value\nFROM metrics\nCROSS JOIN totals\n"
            "WHERE totals.all_sent + totals.all_prior > 0\n"
            "ORDER BY totals.all_sent DESC, totals.grp, metrics.ordinal;\n"
        )
    return head + _with(steps, d, compiler.per_row) + "\n" + select
