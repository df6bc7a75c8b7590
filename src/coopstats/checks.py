"""Checking one record against SPEC §1, with a message a person can act on for each problem.

The engine reads its caches directly on the fast path (a record whose cells it has seen before)
and calls `RowChecker.check` for anything new; that call fills the caches or says what is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from itertools import chain
from operator import itemgetter, methodcaller
from typing import NamedTuple

from coopstats.catalogue import groups_of
from coopstats.dates import DateOrder, DateProblem, OrderEvidence, lines_text, parse_date
from coopstats.model import CATEGORIES, KIND_ORGAN, KINDS, ORGANS, ORIGINS, OUTCOMES, Problem
from coopstats.read import FileProblem, Table, file_problem

PENDING = -1  # the day ordinal of an empty `executed` cell
UNKNOWN = -2  # the day ordinal of a cell that is no date
DATE_CACHE_LIMIT = 100_000  # datetimes can make every cell distinct: keep the cache bounded

DATE_COLUMNS = ("sent", "executed")
KIND_WORDS = "RFA, mission-notification, RFI (OTP) or RFC, decision-notification (Registry)"


class Kind(NamedTuple):
    """A valid (organ, kind, origin, categories) combination, classified once and cached."""

    organ: str
    kind: str
    origin: str | None
    categories: tuple[str, ...]
    groups: tuple[int, ...]


# A checked record: its kind, sent and executed day ordinals, and its outcome (None: none given).
Checked = tuple[Kind, int, int, bool | None]


def suggest(value: str, choices: Iterable[str] | Mapping[str, object]) -> str | None:
    """`did you mean 'Registry'?` for a near miss; a mapping's values are the spellings shown."""
    spelled = (
        {k: str(v) for k, v in choices.items()} if isinstance(choices, Mapping)
        else {c.casefold(): c for c in choices}
    )
    folded = value.strip().casefold()
    if len(folded) > 100:
        return None  # no word is that long, and difflib takes minutes over a 50 MB cell
    import difflib  # only when a value is wrong: kept off start-up

    close = difflib.get_close_matches(folded, list(spelled), n=2, cutoff=0.6)
    if not close:
        return None
    if len(close) == 2:  # as near to both ("notification": mission- or decision-?): say both
        first, second = (difflib.SequenceMatcher(None, folded, c).ratio() for c in close)
        if first - second < _AS_NEAR:
            return f"did you mean {spelled[close[0]]!r} or {spelled[close[1]]!r}?"
    return f"did you mean {spelled[close[0]]!r}?"


_AS_NEAR = 0.05  # two suggestions this close in difflib's ratio are both named


class RowChecker:
    """Validation of whole records, with the file's own column names in every message."""

    def __init__(
        self, table: Table, order: DateOrder | None, values: Mapping[str, Mapping[str, str]]
    ) -> None:
        self.table = table
        self.order = order
        self.index = table.index
        self.width = table.width
        self.label = {name: table.column_label(name) for name in table.index}
        self.values = {
            column: {k.strip().casefold(): v.strip().casefold() for k, v in mapping.items()}
            for column, mapping in values.items()
            if column not in DATE_COLUMNS
        }
        # A date column's words: case-folded -> the text read instead ('' for an empty cell).
        self.date_words = {
            column: {k.strip().casefold(): v.strip() for k, v in values.get(column, {}).items()}
            for column in DATE_COLUMNS
        }
        self.has_executed = table.index["executed"] < table.width
        # Caches keyed by the raw cell text, read directly by the engine's fast path; `dates`
        # also by a workbook's date cells as dates (see `remember`).
        self.kinds: dict[tuple[str, str, str, str], Kind] = {}
        self.dates: dict[str | date, int] = {"": PENDING}
        self.outcomes: dict[str, bool | None] = {"": None}

    def problem(
        self, line: int, column: str, value: str, message: str, code: str, hint: str | None = None
    ) -> Problem:
        return Problem(line, self.label[column], value, message, code, hint)

    def check(self, line: int, row: list[str]) -> Checked | list[Problem]:
        """The record's values, or every problem it has. `row` has had '' appended."""
        i = self.index
        problems: list[Problem] = []
        if not row[i["id"]].strip():
            problems.append(
                self.problem(line, "id", row[i["id"]], "the id is blank", "missing-value")
            )
        key = (row[i["organ"]], row[i["kind"]], row[i["origin"]], row[i["categories"]])
        kind = self.kinds.get(key)
        if kind is None:
            classified = self.classify(line, *key)
            if isinstance(classified, Kind):
                kind = self.kinds[key] = classified
            else:
                problems += classified
        sent = self.date(line, "sent", row[i["sent"]], problems)
        if sent == PENDING:
            problems.append(
                self.problem(
                    line, "sent", row[i["sent"]], "the sent date is blank", "missing-value"
                )
            )
        executed = self.date(line, "executed", row[i["executed"]], problems)
        if sent is not None and executed is not None and PENDING < executed < sent:
            problems.append(
                self.problem(
                    line, "executed", row[i["executed"]],
                    f"executed before it was sent ({date.fromordinal(sent).isoformat()})",
                    "executed-before-sent",
                )
            )
        outcome = self.outcome(line, row[i["outcome"]], problems)
        if outcome is not None and executed == PENDING and not self.has_executed:
            raise file_problem(
                self.table.name,
                f"the log has an outcome column ({self.label['outcome']!r}) but no executed "
                "column, so no request can have an outcome (the first on this line)",
                "missing-label",
                line=line,
                column=self.label["outcome"],
                value=row[i["outcome"]],
                hint="map the file's column of execution dates: --column executed=HEADER, or "
                "executed = \"HEADER\" under [columns] in coopstats.toml",
            )
        if outcome is not None and executed == PENDING:
            problems.append(
                self.problem(
                    line, "outcome", row[i["outcome"]],
                    "an outcome on a pending request (the executed date is empty)",
                    "outcome-without-execution", "fill in the executed date or clear the outcome",
                )
            )
        if problems:
            return problems
        assert kind is not None and sent is not None and executed is not None
        return kind, sent, executed, outcome

    def width_problem(self, line: int, row: list[str]) -> Problem:
        many = len(row) > self.width
        if many and self.table.is_sheet:
            hint = (
                f"give the column a title in the header row ({self.table.header_line}), "
                "or clear the cells beyond the header's last column"
            )
        elif many:
            hint = "quote cells that contain the delimiter"
        elif any("\n" in cell or "\r" in cell for cell in row):
            hint = "a quote opened in this row and closed rows later swallowed the lines between"
        else:
            hint = "every row needs every column, empty cells included"
        return Problem(
            line, None, None, f"{len(row)} fields where the header has {self.width}",
            "extra-cell" if many else "missing-cell", hint,
        )

    def word(self, column: str, raw: str) -> str:
        """The cell's word, case-folded, after the user's own vocabulary mapping (config)."""
        folded = raw.strip().casefold()
        return self.values.get(column, {}).get(folded, folded)

    def date_text(self, column: str, raw: str) -> str:
        """The text read as the date of a cell: the cell, or what the config maps its word onto
        (`[values.executed] "not executed" = ""`: an empty cell)."""
        words = self.date_words[column]
        if not words:
            return raw
        return words.get(raw.strip().casefold(), raw)

    def _shared(self, raw: str) -> str | None:
        """The text both date columns read for `raw`, so that the one cache of dates (which the
        fast path reads for either column) may hold it; None when they read it differently,
        except where `executed` reads it as empty: a pending `sent` is always checked in full."""
        sent, executed = self.date_text("sent", raw), self.date_text("executed", raw)
        if sent == executed or not executed.strip():
            return executed
        return None

    def _cache(self, raw: str | date, value: int) -> None:
        if len(self.dates) > DATE_CACHE_LIMIT:
            self.dates.clear()
            self.dates[""] = PENDING
        self.dates[raw] = value

    def remember(self, raw: str | date) -> int:
        """The day ordinal of a date cell, cached, or UNKNOWN: the fast path's way to meet a
        new date without a full check of the record (a log has a few thousand dates).

        A workbook's date cell may come as the date itself (Table.counted_records): it reads
        as its text would, the ISO date, and is cached under the date as well."""
        if not isinstance(raw, str):
            value = self.remember(raw.isoformat())
            if value != UNKNOWN:
                self._cache(raw, value)
            return value
        text = self._shared(raw)
        if text is None:
            return UNKNOWN  # the columns read this word differently: the full check decides
        try:
            value = parse_date(text, self.order) if text.strip() else PENDING
        except DateProblem:
            return UNKNOWN  # the full check will say what is wrong
        self._cache(raw, value)
        return value

    def date(self, line: int, column: str, raw: str, problems: list[Problem]) -> int | None:
        """The day ordinal (PENDING when blank), cached; None and a problem when not a date."""
        text = self.date_text(column, raw)
        if not text.strip():
            if text == self._shared(raw):
                self._cache(raw, PENDING)
            return PENDING
        try:
            value = parse_date(text, self.order)
        except DateProblem as err:
            problems.append(self.problem(line, column, raw, err.message, "invalid-date", err.hint))
            return None
        if text == self._shared(raw):
            self._cache(raw, value)
        return value

    def outcome(self, line: int, raw: str, problems: list[Problem]) -> bool | None:
        word = self.word("outcome", raw)
        if not word:
            self.outcomes[raw] = None  # a word mapped onto empty ("Pending" = ""): no outcome
            return None
        if word in OUTCOMES:
            self.outcomes[raw] = OUTCOMES[word]
            return OUTCOMES[word]
        problems.append(
            self.problem(
                line, "outcome", raw, "not an outcome: expected positive, negative or nothing",
                "unknown-outcome", suggest(raw, list(OUTCOMES)),
            )
        )
        return None

    def classify(
        self, line: int, organ_raw: str, kind_raw: str, origin_raw: str, cats_raw: str
    ) -> Kind | list[Problem]:
        problems: list[Problem] = []
        organ = ORGANS.get(self.word("organ", organ_raw))
        kind = KINDS.get(self.word("kind", kind_raw))
        if organ is None and self.index["organ"] >= self.width and kind is not None:
            organ = KIND_ORGAN[kind]  # no organ column: the kind's own (header.HEADER_COLUMNS)
        if organ is None and self.index["organ"] < self.width:
            problems.append(self._unknown(line, "organ", organ_raw, "OTP or Registry", ORGANS))
        if kind is None:
            problems.append(self._unknown(line, "kind", kind_raw, KIND_WORDS, KINDS))
        elif organ is not None and KIND_ORGAN[kind] != organ:
            problems.append(
                self.problem(
                    line, "kind", kind_raw,
                    f"{kind} is a kind of the {KIND_ORGAN[kind]}, not of the {organ}",
                    "kind-organ-mismatch",
                    f"the {organ}'s kinds are "
                    + ", ".join(k for k, o in KIND_ORGAN.items() if o == organ),
                )
            )
        origin: str | None = None
        categories: list[str] = []
        if kind == "RFC":  # origin and categories matter only on RFCs (SPEC §1)
            origin = ORIGINS.get(self.word("origin", origin_raw))
            if origin is None and self.index["origin"] >= self.width:
                raise self._no_origin_column(line)
            if origin is None and not origin_raw.strip():
                problems.append(
                    self.problem(
                        line, "origin", origin_raw, "an RFC needs its origin: HQ or country-office",
                        "missing-origin",
                    )
                )
            elif origin is None:
                problems.append(
                    self._unknown(line, "origin", origin_raw, "HQ or country-office", ORIGINS)
                )
            for piece in cats_raw.split(";"):
                word = self.word("categories", piece)
                if ";" in word:  # a word the config maps onto several categories
                    mapped = [w.strip() for w in word.split(";")]
                    categories.extend(w for w in mapped if w and w not in categories)
                elif word in CATEGORIES:
                    if word not in categories:
                        categories.append(word)
                elif word:
                    problem = self._unknown(
                        line, "categories", piece, ", ".join(CATEGORIES), CATEGORIES
                    )
                    if any(mark in piece for mark in ",|/\n"):
                        problem = problem._replace(hint="separate categories with ';'")
                    problems.append(problem)
        if problems:
            return problems
        assert organ is not None and kind is not None
        found = tuple(categories)
        return Kind(organ, kind, origin, found, groups_of(kind, origin, found))

    def _no_origin_column(self, line: int) -> FileProblem:
        """An RFC in a log without an origin column: said once, with the likeliest column."""
        from coopstats.read.header import guess_column

        titles = [title for title in self.table.header if title.strip()]
        likely = [t for t in titles if (g := guess_column(t)) is not None and g.name == "origin"]
        hint = (
            f"is {likely[0]!r} the origin column? pass --column 'origin={likely[0]}', or map it "
            "under [columns] in coopstats.toml ('coopstats init' writes one)"
            if likely else "map the file's column of HQ / country-office with --column "
            "origin=HEADER, or under [columns] in coopstats.toml"
        )
        return file_problem(
            self.table.name,
            "the log has no origin column, and every RFC needs its origin (HQ or "
            "country-office; the first RFC is on this line)",
            "missing-label",
            line=line,
            column="origin",
            hint=hint,
        )

    def _unknown(
        self,
        line: int,
        column: str,
        raw: str,
        expected: str,
        choices: Iterable[str] | Mapping[str, object],
    ) -> Problem:
        if not raw.strip():
            return self.problem(line, column, raw, f"the {column} is blank: expected {expected}",
                                "missing-value")
        noun = "category" if column == "categories" else column
        return self.problem(
            line, column, raw.strip(), f"not a known {noun}: expected {expected}",
            f"unknown-{noun}", suggest(raw, choices),
        )


def settle_order(table: Table) -> DateOrder:
    """The day/month order that the file's numeric dates prove (SPEC §1), or a FileProblem
    naming the lines that prove each order, or those that leave it open.

    What the dates prove depends on which distinct texts the date cells hold, not on how
    often or where: those are gathered a block of lines at a time, and each read once (a log
    has a few thousand). Only a log that proves no order is read again, record by record, for
    the lines that its message names."""
    evidence = OrderEvidence()
    for text in _date_texts(table):
        evidence.add(0, text)
    order = evidence.order()
    if order is not None:
        return order
    evidence = OrderEvidence()
    i_sent, i_exec = table.index["sent"], table.index["executed"]
    for line, row in table.records():
        for position in (i_sent, i_exec):
            if position < len(row):
                evidence.add(line, row[position])
    order = evidence.order()
    if order is not None:
        return order
    raise order_problem(table, evidence)


def _date_texts(table: Table) -> set[str]:
    """The distinct texts of the log's sent and executed cells: from its blocks of lines where
    it is read so, each line cut only as far as its last date cell; else from its records."""
    from coopstats.read.lines import LineBlock

    # An absent executed column points just past the header's last (table.index): a record
    # wider than the header has a cell there, which the records' reading takes for a date.
    positions = [table.index["sent"], table.index["executed"]]
    reach = max(positions) + 1
    texts: set[str] = set()
    add = texts.add
    blocks = table.line_blocks()
    delimiter = getattr(table, "delimiter", None) or ","
    cut = methodcaller("split", delimiter, reach)
    date_cells = itemgetter(*positions)
    for block in blocks if blocks is not None else (table.records(),):
        rows: Iterable[list[str]]
        if isinstance(block, LineBlock):
            # A quoted record's lines are "" in `lines`, its cells in `quoted`. The lines are
            # cut, and their date cells gathered, in C; a block with a short line among them
            # is gathered a row at a time.
            # (A blank line's one cell, "", proves no order: it is passed over.)
            lines = list(filter(None, block.lines))
            try:  # no row is kept: rows held by the thousand cost the garbage collector more
                texts.update(chain.from_iterable(map(date_cells, map(cut, lines))))
                rows = (block.quoted or {}).values()
            except IndexError:
                rows = chain(map(cut, lines), (block.quoted or {}).values())
        else:
            rows = (row for _, row in block)
        for row in rows:
            if len(row) >= reach:
                for position in positions:
                    add(row[position])
            else:  # a blank line, or a short one
                texts.update(row[position] for position in positions if position < len(row))
    return texts


def order_problem(table: Table, evidence: OrderEvidence) -> FileProblem:
    if evidence.day_first and evidence.month_first:
        return file_problem(
            table.name,
            f"the dates mix day-first (line {lines_text(evidence.day_first)}) and month-first "
            f"(line {lines_text(evidence.month_first)}) order",
            "date-order",
            line=min(evidence.day_first[0], evidence.month_first[0]),
            hint="fix the file, or pass --dayfirst or --monthfirst to read every date one way",
        )
    return file_problem(
        table.name,
        f"dates such as those on line {lines_text(evidence.ambiguous)} could be day-first or "
        "month-first, and no date in the file settles it",
        "date-order",
        line=evidence.ambiguous[0],
        hint="pass --dayfirst (05/06/2023 is 5 June) or --monthfirst (May 6)",
    )
