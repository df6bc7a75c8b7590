"""One streaming pass from records to counts: validation and the counting rules together.

Every command is built on `count`: it reads the log once, checks each record against SPEC §1, and
adds each valid request to the windows (a period and an as-of date) it falls in. Memory grows by
8 bytes a row (the hash of its id, to catch duplicates) once ids stop coming in increasing order,
and not at all before; everything else is a count or a histogram of days, bounded by the number
of distinct day values, not by the number of rows.
"""

from __future__ import annotations

import os
import signal
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from coopstats.breakdown import Split, SplitReport
from coopstats.catalogue import GROUPS
from coopstats.checks import PENDING, UNKNOWN, Checked, Kind, RowChecker, settle_order
from coopstats.dates import DateOrder, NeedDateOrder
from coopstats.errors import CoopstatsError, DataError, InvalidRows, UsageError
from coopstats.lines import LineBlock, NotPlain
from coopstats.model import COLUMNS, Period, Problem, Request
from coopstats.reading import (
    DEFAULT_READ,
    LEAVING,
    Part,
    ReadOptions,
    Source,
    Table,
    Unreadable,
    open_table,
)

PROBLEMS_KEPT = 10_000  # beyond this, problems are counted but not kept
# Id hashes are kept in a few arrays (by their low bits), each checked alone at the end: few
# enough that appending stays cache-friendly, many enough that one check's set stays small.
_BUCKETS = 64
_MASK = _BUCKETS - 1

DaysFn = Callable[[int, int], int]
AddFn = Callable[[Kind, int, int, bool, str, int], None]  # Window.add and Window.outside
# A window's counts, and its parts' (per --by group), to send from one process to another.
WindowState = tuple[
    list[int], list[int], list[int], list[dict[int, int]], dict[str, "WindowState"]
]
COUNT = len(GROUPS)
NO_FIRST, NO_LAST = date.max.toordinal() + 1, 0  # before any request is seen


class Window:
    """The counts of one period as of one date: S, E, positive replies and days, per base group.

    SPEC §2: S = requests sent within the period; E = those of S executed on or before the as-of
    date. Days to execute are kept as a histogram per group, which gives exact means, medians
    and percentiles in memory bounded by the number of distinct day values.

    With --by, each --by group of requests has its own window of the same period, a *part*
    (`part(value)`, made on the first request of that group): the pass adds a request to the
    window and to its part for each of the request's groups (see breakdown.py).
    """

    sees_all_rows = False  # a subclass that needs requests sent outside the period sets this

    def __init__(self, period: Period, as_of: date, days: DaysFn | None = None) -> None:
        self.period = period
        self.as_of_date = as_of
        self.start = period.start.toordinal()
        self.end = period.end.toordinal()
        self.as_of = as_of.toordinal()
        self.days_fn = days
        self.sent = [0] * COUNT
        self.executed = [0] * COUNT
        self.positive = [0] * COUNT
        self.days: list[dict[int, int]] = [{} for _ in range(COUNT)]
        self.parts: dict[str, Window] = {}

    def fresh(self) -> Window:
        """An empty window like this one, for a part; a subclass that keeps more says how."""
        return Window(self.period, self.as_of_date, self.days_fn)

    def part(self, value: str) -> Window:
        """The window of the requests of one --by group, made on demand."""
        part = self.parts.get(value)
        if part is None:
            part = self.parts[value] = self.fresh()
        return part

    def add(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        """Count one request of S (the caller has checked that it was sent in the period).

        `sent` and `executed` are day ordinals, `executed` PENDING when empty; `positive` says
        whether the request was executed with a positive reply.
        """
        if PENDING < executed <= self.as_of:
            d = executed - sent if self.days_fn is None else self.days_fn(sent, executed)
            for g in kind.groups:
                self.sent[g] += 1
                self.executed[g] += 1
                hist = self.days[g]
                hist[d] = hist.get(d, 0) + 1
                if positive:
                    self.positive[g] += 1
        else:
            for g in kind.groups:
                self.sent[g] += 1

    def outside(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        """A request not sent in the period; only windows with `sees_all_rows` are told."""

    def add_counts(self, kind: Kind, counts: dict[int, int]) -> None:
        """Add requests of one kind counted by the block loop: `counts` maps 2 × days +
        positive to a number of requests executed by the as-of date, and -1 to the others."""
        for key, n in counts.items():
            for g in kind.groups:
                self.sent[g] += n
                if key >= 0:
                    self.executed[g] += n
                    hist = self.days[g]
                    hist[key >> 1] = hist.get(key >> 1, 0) + n
                    if key & 1:
                        self.positive[g] += n

    def state(self) -> WindowState:
        """The counts alone, to send from one process to another."""
        parts = {value: part.state() for value, part in self.parts.items()}
        return self.sent, self.executed, self.positive, self.days, parts

    def merge(self, state: WindowState) -> None:
        """Add the counts of the same window over another part of the log."""
        sent, executed, positive, days, parts = state
        for value, part in parts.items():
            self.part(value).merge(part)
        for g in range(COUNT):
            self.sent[g] += sent[g]
            self.executed[g] += executed[g]
            self.positive[g] += positive[g]
            mine = self.days[g]
            for d, n in days[g].items():
                mine[d] = mine.get(d, 0) + n


class Listing(Window):
    """Every valid request of the log, whatever its dates: for `explain` and for tests."""

    sees_all_rows = True

    def __init__(self) -> None:
        super().__init__(Period(date.min, date.max), date.max)
        self.requests: list[Request] = []

    def add(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        super().add(kind, sent, executed, positive, rid, line)
        self.outside(kind, sent, executed, positive, rid, line)

    def outside(
        self, kind: Kind, sent: int, executed: int, positive: bool, rid: str, line: int
    ) -> None:
        done = executed != PENDING
        self.requests.append(
            Request(
                line, rid, kind.organ, kind.kind, kind.origin, kind.categories,
                date.fromordinal(sent), date.fromordinal(executed) if done else None,
                positive if done else None,
            )
        )


class IdRun(NamedTuple):
    """The ids at the start of one part of a log (part None: the whole table) that came in
    strictly increasing order, up to line `until` (None: to the part's end). Such ids are all
    different, so the pass kept no hash of them. `last` is the greatest id of the run ('' when
    there is none); `first` the part's first id, when known."""

    part: Part | None
    until: int | None
    last: str
    first: str | None = None

    def first_id(self, table: Table) -> str:
        """The part's first id ('' when it has none), read if not known."""
        if self.first is None:
            return next((rid for _, rid in _ids(table, self.part)), "")
        return self.first


@dataclass
class Counted:
    """What one pass over a log found: the windows' counts and an account of every record."""

    source: str
    windows: list[Window]
    records: int = 0  # records read after the header, blank lines aside
    invalid_rows: int = 0
    invalid_lines: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    first_sent: date | None = None  # over valid requests
    last_sent: date | None = None
    date_order: DateOrder | None = None
    id_runs: list[IdRun] = field(default_factory=list)  # one per part, in the log's order
    split: SplitReport | None = None  # what the pass learnt of --by and --where
    absent: tuple[str, ...] = ()  # the optional columns the log does not have

    @property
    def valid_rows(self) -> int:
        return self.records - self.invalid_rows

    def absorb(self, other: Counted) -> None:
        """Add the account of the part of the log that follows this one (another process's)."""
        self.records += other.records
        self.invalid_rows += other.invalid_rows
        self.invalid_lines += other.invalid_lines
        self.problem_count += other.problem_count
        self.problems += other.problems[: max(0, PROBLEMS_KEPT - len(self.problems))]
        self.id_runs += other.id_runs
        if self.split is not None and other.split is not None:
            self.split = self.split.absorb(other.split)
        firsts = [d for d in (self.first_sent, other.first_sent) if d is not None]
        lasts = [d for d in (self.last_sent, other.last_sent) if d is not None]
        self.first_sent = min(firsts) if firsts else None
        self.last_sent = max(lasts) if lasts else None

    def reject(self, line: int, problems: list[Problem]) -> None:
        self.invalid_rows += 1
        self.invalid_lines.append(line)
        self.problem_count += len(problems)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.extend(problem.kept() for problem in problems)


CANONICAL = {name: position for position, name in enumerate(COLUMNS)}
_UNSEEN = object()  # a cell no cache knows
# What `_Pass._odd` makes of a line: None when it holds no id to keep (a blank line, a row of the
# wrong width); else the id (maybe blank) and the checked request, None when rejected.
Odd = tuple[str, Checked | None] | None


class Layout(NamedTuple):
    """Where the block loops find a record's cells in a line split at the delimiter: the
    position of the id, of the four cells that make its kind (organ, kind, origin,
    categories), of sent, executed and outcome, and the header's width. Any order of the
    columns, and any number of extra columns, is a layout; SPEC_LAYOUT (the SPEC's 8 columns
    in order) has a loop of its own, `_Pass.block`, which splits a line three times rather
    than at every delimiter."""

    width: int
    id: int
    kind: tuple[int, int, int, int]
    sent: int
    executed: int
    outcome: int

    @classmethod
    def of(cls, table: Table) -> Layout | None:
        """The table's layout; None when an optional column is absent (its cell is not in the
        line: `tallied` reads such a log, a '' appended to each record)."""
        index, width = table.index, table.width
        if any(position >= width for position in index.values()):
            return None
        layout = cls(
            width, index["id"], (index["organ"], index["kind"], index["origin"],
            index["categories"]), index["sent"], index["executed"], index["outcome"],
        )  # fmt: skip
        return SPEC_LAYOUT if layout == SPEC_LAYOUT else layout


SPEC_LAYOUT = Layout(len(COLUMNS), 0, (1, 2, 3, 4), 5, 6, 7)
assert [SPEC_LAYOUT.id, *SPEC_LAYOUT.kind, *SPEC_LAYOUT[3:]] == list(CANONICAL.values())


class _Tally:
    """The requests of one kind, counted per window by the block loop.

    Per window, one histogram keyed by 2 × days + positive for requests executed by the as-of
    date, and by -1 for the others: a dictionary of a few hundred small integers, which
    `Window.add_counts` turns into the window's counts per group at the end of the pass.
    """

    def __init__(self, kind: Kind, windows: Sequence[Window]) -> None:
        self.kind = kind
        self.spans = [(w.start, w.end, w.as_of, dict[int, int]()) for w in windows]


class _Pass:
    """One pass over a log (or one part of it): the records checked and counted into windows.

    Two loops share this state. `records` takes records (line, cells) from any table. `block`
    takes whole lines of a plain log in the SPEC's column order, and is the hot path of large
    logs: it splits a line into the id, the four cells that make its kind, and the three last
    cells, and counts a line whose cells it has all seen before with dictionary look-ups alone.
    Any other line — a new value, a problem, a blank line — goes to `_odd`, which checks the
    whole record as `records` would, so both loops find the same problems on the same lines.
    """

    def __init__(
        self,
        table: Table,
        windows: Sequence[Window],
        options: ReadOptions,
        order: DateOrder | None,
        skip_lines: frozenset[int],
        id_hashes: list[array[int]] | None,
    ) -> None:
        self.table = table
        self.windows = list(windows)
        self.skip_lines = skip_lines
        self.result = Counted(table.name, self.windows, date_order=order)
        self.checker = RowChecker(table, order, options.values)
        self.keep_hash = [bucket.append for bucket in id_hashes] if id_hashes is not None else None
        self.count = 0
        self.first_sent, self.last_sent = NO_FIRST, NO_LAST
        # Ids are hashed only once they stop coming in strictly increasing order (see IdRun).
        self.ordered, self.last_id = True, ""
        self.ordered_until: int | None = None
        self.part: Part | None = None
        # For the block loop: the kind of each run of kind cells seen in a valid record, and
        # each kind's tallies.
        self.heads: dict[str, _Tally] = {}
        self.tallies: dict[Kind, _Tally] = {}
        self.row_heads: dict[tuple[str, ...], _Tally] = {}  # the same, by a record's kind cells
        self.delimiter = getattr(table, "delimiter", None) or ","
        self.layout = Layout.of(table)
        breakdown = options.breakdown
        self.split = (
            Split(breakdown, table, options.values)
            if breakdown is not None and breakdown.active
            else None
        )
        self.cut: tuple[int, int] | None = None  # (line, cells) of the last record cut to width

    def run(
        self, part: Part | None, between_blocks: Callable[[], None] | None = None
    ) -> Counted:
        """Count the whole table (part None) or one part of it, by the fastest loop that can;
        `between_blocks` is called after each block of lines (see _Child.check)."""
        if part is not None:
            part = self.table.numbered(part)  # counted once, not again by each reader
        self.part = part
        fast = self._blocks_fit()
        layout = self.layout
        blocks = self.table.line_blocks(part) if fast and layout is not None else None
        if blocks is not None:
            lines_loop = self.block if layout is SPEC_LAYOUT else self.split_block
            for block in blocks:
                if isinstance(block, LineBlock):
                    lines_loop(block.first, block.lines, block.spaced)
                    if between_blocks is not None:
                        between_blocks()
                else:  # the csv module's records, from a block with a quote on
                    self.tallied(block)
        else:
            loop = self.tallied if fast else self.records
            loop(self.table.records() if part is None else self.table.records_in(*part))
        return self.finish()

    def _blocks_fit(self) -> bool:
        """Whether the fast loops can count this log into these windows exactly: into tallies
        (see _Tally), by the block loops where the table is read line by line (any column
        layout: see Layout) and by `tallied` elsewhere. Otherwise `records` counts it."""
        return (
            self.keep_hash is not None
            and not self.skip_lines
            and self.split is None
            and all(type(w) is Window and w.days_fn is None for w in self.windows)
        )

    def finish(self) -> Counted:
        for tally in self.tallies.values():
            for window, (_, _, _, counts) in zip(self.windows, tally.spans, strict=True):
                window.add_counts(tally.kind, counts)
        self.tallies.clear()
        result = self.result
        result.records = self.count
        if self.split is not None:
            result.split = self.split.report()
        if self.keep_hash is not None:
            result.id_runs = [IdRun(self.part, self.ordered_until, self.last_id)]
        if self.first_sent != NO_FIRST:
            result.first_sent = date.fromordinal(self.first_sent)
            result.last_sent = date.fromordinal(self.last_sent)
        return result

    def records(self, records: Iterable[tuple[int, list[str]]]) -> None:
        """The loop over records of any table: a record whose cells were all seen before is
        checked by dictionary look-ups alone; anything new goes to RowChecker, which fills the
        caches or reports the problems."""
        checker, table = self.checker, self.table
        kinds, dates, outcomes = checker.kinds, checker.dates, checker.outcomes
        remember = checker.remember
        idx = table.index
        width = table.width
        pad = width in idx.values()  # an optional column is absent: it reads a '' appended to rows
        # One C call fetches the cells a record is checked and counted by.
        cells = itemgetter(
            idx["id"], idx["organ"], idx["kind"], idx["origin"], idx["categories"], idx["sent"],
            idx["executed"], idx["outcome"],
        )  # fmt: skip
        windows = self.windows
        spans = [(w.start, w.end, w.add, w.outside if w.sees_all_rows else None) for w in windows]
        # Most requests fall in no window: one test against the windows' hull spares the loop.
        every_row = any(w.sees_all_rows for w in windows)
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        keep_hash = self.keep_hash
        skip_lines = self.skip_lines
        unseen = _UNSEEN
        first_sent, last_sent = self.first_sent, self.last_sent
        ordered, last_id = self.ordered, self.last_id
        count = 0
        # With --by or --where: a request's groups (None: --where leaves it out), read only for
        # the requests that fall in a window.
        group_of = self.split.keys if self.split is not None else None
        # Per window, its parts' bound `add` and `outside`, by group, made on a group's first use.
        parted: list[tuple[int, int, Window, bool, dict[str, AddFn], dict[str, AddFn]]] = [
            (w.start, w.end, w, w.sees_all_rows, {}, {}) for w in windows
        ]
        kind: Kind | None
        outcome: object  # True, False, None (no outcome given), or `unseen`

        for line, row in records:
            count += 1
            if len(row) != width and not self._fit(line, row):
                continue
            if pad:
                row.append("")
            rid, organ, kind_text, origin, categories, sent_text, executed_text, outcome_text = (
                cells(row)
            )
            rid = rid.strip()
            if keep_hash is not None and rid:
                if ordered and rid > last_id:
                    last_id = rid
                else:
                    if ordered:
                        ordered, self.ordered_until = False, line
                    h = hash(rid)
                    keep_hash[h & _MASK](h)
            if skip_lines and line in skip_lines:
                continue

            # The caches answer for every cell seen before, and a new date is parsed on the spot;
            # PENDING (-1) is an empty date, UNKNOWN (-2) a cell that is no date.
            try:  # subscripts: the quickest look-ups while everything is known, as it mostly is
                kind = kinds[organ, kind_text, origin, categories]
                sent = dates[sent_text]
                executed = dates[executed_text]
                outcome = outcomes[outcome_text]
            except KeyError:  # something new: a date to parse, or a record to check
                kind = kinds.get((organ, kind_text, origin, categories))
                sent = dates.get(sent_text, UNKNOWN)
                if sent == UNKNOWN:
                    sent = remember(sent_text)
                executed = dates.get(executed_text, UNKNOWN)
                if executed == UNKNOWN:
                    executed = remember(executed_text)
                outcome = outcomes.get(outcome_text, unseen)
            if (
                kind is None
                or sent < 0
                or executed == UNKNOWN
                or outcome is unseen
                or not rid
                or sent > executed >= 0
                or (outcome is not None and executed == PENDING)
            ):
                if not any(cell.strip() for cell in row):
                    count -= 1  # a row of empty cells, as spreadsheets leave: not a record
                    continue
                checked = checker.check(line, row)
                if isinstance(checked, list):
                    self._reject(line, checked)
                    continue
                kind, sent, executed, outcome = checked
            # An empty outcome on an executed request is a positive reply (SPEC §1).
            positive = executed != PENDING and outcome is not False

            if sent < first_sent:
                first_sent = sent
            if sent > last_sent:
                last_sent = sent
            if every_row or lowest <= sent <= highest:
                if group_of is None:
                    for start, end, add, outside in spans:
                        if start <= sent <= end:
                            add(kind, sent, executed, positive, rid, line)
                        elif outside is not None:
                            outside(kind, sent, executed, positive, rid, line)
                    continue
                keys = group_of(row, kind, outcome)  # type: ignore[arg-type]  # checked: no `unseen`
                if keys is None:
                    continue
                for start, end, window, every, adds, outsides in parted:
                    if start <= sent <= end:
                        window.add(kind, sent, executed, positive, rid, line)
                        for key in keys:
                            part_add = adds.get(key)
                            if part_add is None:
                                part_add = adds[key] = window.part(key).add
                            part_add(kind, sent, executed, positive, rid, line)
                    elif every:
                        window.outside(kind, sent, executed, positive, rid, line)
                        for key in keys:
                            part_outside = outsides.get(key)
                            if part_outside is None:
                                part_outside = outsides[key] = window.part(key).outside
                            part_outside(kind, sent, executed, positive, rid, line)

        self.count += count
        self.first_sent, self.last_sent = first_sent, last_sent
        self.ordered, self.last_id = ordered, last_id

    def tallied(self, records: Iterable[tuple[int, list[str]]]) -> None:
        """The loop over records of any table into tallies, as `block` counts lines: checked
        as `records` checks them, and counted per kind (see _Tally) rather than window by
        window. Only for windows that keep counts alone (`_tallies_fit`)."""
        checker, table = self.checker, self.table
        dates, outcomes = checker.dates, checker.outcomes
        remember = checker.remember
        idx = table.index
        width = table.width
        pad = width in idx.values()  # an optional column is absent: it reads a '' appended to rows
        # Two C calls fetch the cells a record is checked and counted by: the run of kind cells
        # comes out as the tuple its tally is looked up by.
        cells = itemgetter(idx["id"], idx["sent"], idx["executed"], idx["outcome"])
        kind_cells = itemgetter(idx["organ"], idx["kind"], idx["origin"], idx["categories"])
        row_heads, tally_of = self.row_heads, self._tally
        windows = self.windows
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        keep_hash = self.keep_hash
        skip_lines = self.skip_lines
        unseen = _UNSEEN
        first_sent, last_sent = self.first_sent, self.last_sent
        ordered, last_id = self.ordered, self.last_id
        count = 0
        tally: _Tally | None
        outcome: object  # True, False, None (no outcome given), or `unseen`

        for line, row in records:
            count += 1
            if len(row) != width and not self._fit(line, row):
                continue
            if pad:
                row.append("")
            rid, sent_text, executed_text, outcome_text = cells(row)
            rid = rid.strip()
            if keep_hash is not None and rid:
                if ordered and rid > last_id:
                    last_id = rid
                else:
                    if ordered:
                        ordered, self.ordered_until = False, line
                    h = hash(rid)
                    keep_hash[h & _MASK](h)
            if skip_lines and line in skip_lines:
                continue

            try:  # subscripts: the quickest look-ups while everything is known, as it mostly is
                tally = row_heads[kind_cells(row)]
                sent = dates[sent_text]
                executed = dates[executed_text]
                outcome = outcomes[outcome_text]
            except KeyError:  # something new: a date to parse, or a record to check
                tally = row_heads.get(kind_cells(row))
                sent = dates.get(sent_text, UNKNOWN)
                if sent == UNKNOWN:
                    sent = remember(sent_text)
                executed = dates.get(executed_text, UNKNOWN)
                if executed == UNKNOWN:
                    executed = remember(executed_text)
                outcome = outcomes.get(outcome_text, unseen)
            if (
                tally is None
                or sent < 0
                or executed == UNKNOWN
                or outcome is unseen
                or not rid
                or sent > executed >= 0
                or (outcome is not None and executed == PENDING)
            ):
                if not any(cell.strip() for cell in row):
                    count -= 1  # a row of empty cells, as spreadsheets leave: not a record
                    continue
                checked = checker.check(line, row)
                if isinstance(checked, list):
                    self._reject(line, checked)
                    continue
                kind, sent, executed, outcome = checked
                tally = row_heads[kind_cells(row)] = tally_of(kind)

            if sent < first_sent:
                first_sent = sent
            if sent > last_sent:
                last_sent = sent
            if lowest <= sent <= highest:
                for start, end, as_of, counts in tally.spans:
                    if start <= sent <= end:
                        # An empty outcome on an executed request is a positive reply (SPEC §1).
                        key = (
                            (executed - sent) * 2 + (outcome is not False)
                            if PENDING < executed <= as_of
                            else -1
                        )
                        counts[key] = counts.get(key, 0) + 1

        self.count += count
        self.first_sent, self.last_sent = first_sent, last_sent
        self.ordered, self.last_id = ordered, last_id

    def block(self, first_line: int, lines: list[str], spaced: bool = True) -> None:
        """The loop over the lines of a plain log in the SPEC's column order.

        The split takes the id (up to the first delimiter) and the last three cells (sent,
        executed, outcome); what remains between is the run of the four kind cells, looked up
        whole. A run is cached only from a valid record of the header's width, so a run found in
        the cache has three delimiters and its line the header's eight cells. Ids are stripped
        only when the block has a space in it (`spaced`): most exports have none.
        """
        self.count += len(lines)
        heads, dates, outcomes = self.heads, self.checker.dates, self.checker.outcomes
        remember = self.checker.remember
        keep_hash = self.keep_hash
        assert keep_hash is not None  # _blocks_fit
        odd, tally_of = self._odd, self._tally
        delimiter = self.delimiter
        windows = self.windows
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        unseen = _UNSEEN
        first_sent, last_sent = self.first_sent, self.last_sent
        ordered, last_id = self.ordered, self.last_id
        tally: _Tally | None
        outcome: object  # True, False, None (no outcome given), or `unseen`

        for line, text in enumerate(lines, first_line):
            try:
                rid, rest = text.split(delimiter, 1)
                head, sent_text, executed_text, outcome_text = rest.rsplit(delimiter, 3)
            except ValueError:  # fewer than four delimiters: a blank line or a short row
                odd(line, text)
                continue
            try:  # subscripts: the quickest look-ups while everything is known, as it mostly is
                tally = heads[head]
                sent = dates[sent_text]
                executed = dates[executed_text]
                outcome = outcomes[outcome_text]
            except KeyError:  # something new: a date to parse, or a line for `_odd`
                tally = heads.get(head)
                # Only a known run of kind cells vouches for the line's width: in any other line
                # the "dates" may be shifted cells, and `_odd` checks the width first.
                if tally is not None:
                    sent = dates.get(sent_text, UNKNOWN)
                    if sent == UNKNOWN:
                        sent = remember(sent_text)
                    executed = dates.get(executed_text, UNKNOWN)
                    if executed == UNKNOWN:
                        executed = remember(executed_text)
                    outcome = outcomes.get(outcome_text, unseen)
            if spaced:
                rid = rid.strip()
            if (
                tally is None
                or sent < 0
                or executed == UNKNOWN
                or outcome is unseen
                or not rid
                or sent > executed >= 0
                or (outcome is not None and executed == PENDING)
            ):
                seen = odd(line, text)
                if seen is None:
                    continue
                rid, checked = seen
                if checked is not None:
                    kind, sent, executed, outcome = checked
                    tally = tally_of(kind)
                elif rid:
                    tally = None  # a rejected record still takes its id
                else:
                    continue
            if ordered and rid > last_id:
                last_id = rid
            else:
                if ordered:
                    ordered, self.ordered_until = False, line
                h = hash(rid)
                keep_hash[h & _MASK](h)
            if tally is None:
                continue

            if sent < first_sent:
                first_sent = sent
            if sent > last_sent:
                last_sent = sent
            if lowest <= sent <= highest:
                for start, end, as_of, counts in tally.spans:
                    if start <= sent <= end:
                        # An empty outcome on an executed request is a positive reply (SPEC §1).
                        key = (
                            (executed - sent) * 2 + (outcome is not False)
                            if PENDING < executed <= as_of
                            else -1
                        )
                        counts[key] = counts.get(key, 0) + 1

        self.first_sent, self.last_sent = first_sent, last_sent
        self.ordered, self.last_id = ordered, last_id

    def split_block(self, first_line: int, lines: list[str], spaced: bool = True) -> None:
        """The loop over the lines of a plain log in any other column layout (see Layout).

        Each line is split at every delimiter, and a line of the header's width gives its cells
        by one C call, the run of kind cells as the tuple its tally is looked up by. Any other
        line — of another width, with a new value, a problem — goes to `_odd`, as in `block`.
        """
        self.count += len(lines)
        row_heads, dates, outcomes = self.row_heads, self.checker.dates, self.checker.outcomes
        remember = self.checker.remember
        keep_hash = self.keep_hash
        assert keep_hash is not None and self.layout is not None  # _blocks_fit, run
        layout = self.layout
        width = layout.width
        cells = itemgetter(layout.id, layout.sent, layout.executed, layout.outcome)
        kind_cells = itemgetter(*layout.kind)
        odd, tally_of = self._odd, self._tally
        delimiter = self.delimiter
        windows = self.windows
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        unseen = _UNSEEN
        first_sent, last_sent = self.first_sent, self.last_sent
        ordered, last_id = self.ordered, self.last_id
        tally: _Tally | None
        outcome: object  # True, False, None (no outcome given), or `unseen`

        for line, text in enumerate(lines, first_line):
            row = text.split(delimiter)
            if len(row) != width:  # a blank line, a short or long row
                tally = None
            else:
                rid, sent_text, executed_text, outcome_text = cells(row)
                try:  # subscripts: the quickest look-ups while everything is known
                    tally = row_heads[kind_cells(row)]
                    sent = dates[sent_text]
                    executed = dates[executed_text]
                    outcome = outcomes[outcome_text]
                except KeyError:  # something new: a date to parse, or a line for `_odd`
                    tally = row_heads.get(kind_cells(row))
                    if tally is not None:
                        sent = dates.get(sent_text, UNKNOWN)
                        if sent == UNKNOWN:
                            sent = remember(sent_text)
                        executed = dates.get(executed_text, UNKNOWN)
                        if executed == UNKNOWN:
                            executed = remember(executed_text)
                        outcome = outcomes.get(outcome_text, unseen)
                if spaced:
                    rid = rid.strip()
            if (
                tally is None
                or sent < 0
                or executed == UNKNOWN
                or outcome is unseen
                or not rid
                or sent > executed >= 0
                or (outcome is not None and executed == PENDING)
            ):
                seen = odd(line, text)
                if seen is None:
                    continue
                rid, checked = seen
                if checked is not None:
                    kind, sent, executed, outcome = checked
                    tally = tally_of(kind)
                elif rid:
                    tally = None  # a rejected record still takes its id
                else:
                    continue
            if ordered and rid > last_id:
                last_id = rid
            else:
                if ordered:
                    ordered, self.ordered_until = False, line
                h = hash(rid)
                keep_hash[h & _MASK](h)
            if tally is None:
                continue

            if sent < first_sent:
                first_sent = sent
            if sent > last_sent:
                last_sent = sent
            if lowest <= sent <= highest:
                for start, end, as_of, counts in tally.spans:
                    if start <= sent <= end:
                        # An empty outcome on an executed request is a positive reply (SPEC §1).
                        key = (
                            (executed - sent) * 2 + (outcome is not False)
                            if PENDING < executed <= as_of
                            else -1
                        )
                        counts[key] = counts.get(key, 0) + 1

        self.first_sent, self.last_sent = first_sent, last_sent
        self.ordered, self.last_id = ordered, last_id

    def _odd(self, line: int, text: str) -> Odd:
        """A line the block loops cannot count on their own, checked as `records` checks it."""
        row = text.split(self.delimiter)
        exact = len(row) == self.table.width
        if not exact:
            if not self._fit(line, row):
                return None
        elif not any(cell.strip() for cell in row):
            self.count -= 1  # a row of empty cells, as spreadsheets leave: not a record
            return None
        layout = self.layout
        assert layout is not None  # only the block loops call this
        rid = row[layout.id].strip()
        checked = self.checker.check(line, row)
        if isinstance(checked, list):
            self._reject(line, checked)
            return rid, None
        if exact:  # this run of kind cells (organ to categories) is known good from now on
            tally = self._tally(checked[0])
            if layout is SPEC_LAYOUT:
                self.heads[self.delimiter.join(row[1:5])] = tally
            else:
                self.row_heads[tuple(row[k] for k in layout.kind)] = tally
        return rid, checked

    def _fit(self, line: int, row: list[str]) -> bool:
        """A record of another width than the header's: cut to it when only empty cells are
        beyond it (as some exports write), else left out: a blank line is no record, and a
        record that cannot be read by the header is rejected."""
        width = self.table.width
        if isinstance(row, Unreadable):
            self.result.reject(line, [row.problem])
            return False
        if not any(cell.strip() for cell in row):
            self.count -= 1  # a blank line: not a record
            return False
        if wrong_width(row, width):
            self.result.reject(line, [self.checker.width_problem(line, row)])
            return False
        self.cut = line, len(row)
        del row[width:]
        return True

    def _reject(self, line: int, problems: list[Problem]) -> None:
        """Reject a record. One cut to the header's width (empty cells beyond it) whose cells
        do not fit their columns was most likely shifted by a delimiter in an unquoted cell:
        that, not the shifted cell, is what the user must fix, so it is what the problem says."""
        if self.cut is not None and self.cut[0] == line:
            found = problems[0]._replace(line=None, hint=None).describe("").removeprefix(": ")
            problems = [
                Problem(
                    line, None, None,
                    f"the row has {self.cut[1]} cells, the header {self.table.width}: is a cell "
                    f"holding the delimiter not quoted? (read by the header, {found})",
                    "extra-cell", "quote cells that contain the delimiter",
                )
            ]
        self.result.reject(line, problems)

    def _tally(self, kind: Kind) -> _Tally:
        tally = self.tallies.get(kind)
        if tally is None:
            tally = self.tallies[kind] = _Tally(kind, self.windows)
        return tally


def _pass(
    table: Table,
    windows: Sequence[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
    part: Part | None = None,
) -> Counted:
    """One pass over the table, or over one part of it (see Table.halves). Raises
    NeedDateOrder when a numeric date needs an order."""
    return _Pass(table, windows, options, order, skip_lines, id_hashes).run(part)


def wrong_width(row: list[str], width: int) -> bool:
    """Too few cells, or more with something in them: the record cannot be read by the header.
    Such a record is never an id's first use (its cells may be shifted)."""
    return len(row) < width or any(cell.strip() for cell in row[width:])


def _both_cores(
    table: Table,
    windows: Callable[[], Sequence[Window]],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
) -> Counted:
    """`_pass` over the log, in two processes when the log is large and plain enough.

    A plain log (one record a line) splits at a line end into two halves; a forked child counts
    the second half while this process counts the first, then the child's counts, problems and
    id hashes are merged in. Line numbers stay exact: the child counts the lines before its
    half. A half that turns out to hold a quote (which may span lines, and the split with it)
    stops both, and the log is counted again in one process, by the csv module from that quote
    on. Small logs, workbooks and windows that keep more than counts take one process.
    """
    own = list(windows())
    halves = table.halves() if _can_fork() and all(type(w) is Window for w in own) else None
    if halves is not None:
        try:
            return _in_two(table, own, list(windows()), options, order, skip_lines, id_hashes,
                           halves)  # fmt: skip
        except NotPlain:
            own = list(windows())  # start again from nothing
            for bucket in id_hashes or ():
                del bucket[:]
    return _pass(table, own, options, order, skip_lines, id_hashes)


def _in_two(
    table: Table,
    own: list[Window],
    theirs: list[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
    halves: tuple[Part, Part],
) -> Counted:
    child = _Child(
        lambda send: _count_part(
            send, table, theirs, options, order, skip_lines, id_hashes is not None, halves[1]
        )
    )
    try:
        counted = _Pass(table, own, options, order, skip_lines, id_hashes).run(
            halves[0], between_blocks=child.check
        )
        status, part, states = child.receive()
        if status == "error":
            raise part
        for bucket in id_hashes or ():  # read before waiting: the child is still sending them
            bucket.frombytes(child.receive())
    except BaseException:
        child.kill()
        raise
    finally:
        child.close()
    counted.absorb(part)
    for window, state in zip(own, states, strict=True):
        window.merge(state)
    return counted


def _can_fork() -> bool:
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


class ChildLost(CoopstatsError):
    """The forked process died before it answered: a fault of the machine, not of the log."""

    exit_code = 2


class _Child:
    """A forked process running `work(send)`, whose messages come back pickled through a pipe.

    os.fork and a pipe rather than multiprocessing, whose imports alone cost 30 ms: the whole
    of what this needs is a few messages from one child.
    """

    def __init__(self, work: Callable[[Callable[[object], None]], None]) -> None:
        import pickle
        import select

        readable, writable = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: work, send, and leave without the parent's clean-up
            os.close(readable)
            # A signal that ends the run is the parent's to handle (it removes a temporary
            # copy of the log, say); the child just stops, and the parent hears it has.
            for number in LEAVING:
                signal.signal(number, signal.SIG_DFL)
            status = 0
            try:
                with open(writable, "wb") as out:
                    work(lambda message: pickle.dump(message, out, pickle.HIGHEST_PROTOCOL))
            except BaseException:  # noqa: BLE001 - the parent sees the pipe end early
                status = 1
            finally:
                os._exit(status)
        os.close(writable)
        self.pipe = open(readable, "rb")  # noqa: SIM115 - closed by close()
        self.load = pickle.load
        self.broken: tuple[type[Exception], ...] = (EOFError, pickle.UnpicklingError)
        self.select = select.select
        self.early: list[Any] = []
        self.done = False

    def check(self) -> None:
        """Between two blocks of this process's own half: if the child has already sent its
        answer and it is a failure that stops both (a lone carriage return in its half, a date
        that needs the day/month order), raise it now, not at the end. Other failures wait for
        the end of this half: only then is it known that the child's half began at a record's
        start (see CsvTable.halves), and so that the failure is the log's, not the split's."""
        if self.early or not self.select([self.pipe], [], [], 0)[0]:
            return
        message = self._next()
        self.early.append(message)
        if message[0] == "error" and isinstance(message[1], NotPlain | NeedDateOrder):
            raise message[1]

    def receive(self) -> Any:
        """The child's next message, waiting for it."""
        if self.early:
            return self.early.pop()
        return self._next()

    def _next(self) -> Any:
        """One message; the pipe ends early, or in the middle of one, when the child died."""
        try:
            return self.load(self.pipe)
        except self.broken:
            raise ChildLost(
                "the process counting the second half of the log stopped without an answer "
                "(killed, or out of memory?); run the command again"
            ) from None

    def kill(self) -> None:
        if not self.done:
            os.kill(self.pid, signal.SIGKILL)

    def close(self) -> None:
        if not self.done:
            self.done = True
            self.pipe.close()
            os.waitpid(self.pid, 0)


def _count_part(
    send: Callable[[object], None],
    table: Table,
    windows: list[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    want_hashes: bool,
    part: Part,
) -> None:
    """The child's half: count it and send back plain data (windows' counts, not the windows)."""
    try:
        hashes = [array("q") for _ in range(_BUCKETS)] if want_hashes else None
        part_count = _pass(table, windows, options, order, skip_lines, hashes, part)
        part_count.windows = []
        # The parent checks that this part's ids follow its own: the first is read here, in
        # parallel, rather than there after the wait.
        part_count.id_runs = [run._replace(first=run.first_id(table)) for run in part_count.id_runs]
        send(("ok", part_count, [w.state() for w in windows]))
        for bucket in hashes or ():  # one at a time: the parent never holds them all twice
            send(bucket.tobytes())
    except BaseException as err:  # noqa: BLE001 - every failure goes back to the parent
        try:
            send(("error", err, None))
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            send(("error", DataError(f"{table.name}: {type(err).__name__}: {err}"), None))


def _ids(table: Table, part: Part | None) -> Iterator[tuple[int, str]]:
    """(line, id) of each record of the table, or of one part of it, whose id a pass takes: a
    record of the header's width (or with empty cells beyond it) with an id that is not blank."""
    i_id, width = table.index["id"], table.width
    records = table.records() if part is None else table.records_in(*part)
    for line, row in records:
        if len(row) != width and wrong_width(row, width):
            continue
        rid = row[i_id].strip() if i_id < len(row) else ""
        if rid:
            yield line, rid


def _all_increasing(table: Table, runs: list[IdRun]) -> bool:
    """Whether the ids of the whole log came in strictly increasing order, so none repeats."""
    if any(run.until is not None for run in runs):
        return False
    highest = ""
    for run in runs:
        if highest and run.last and run.first_id(table) <= highest:
            return False  # this part's first id does not follow the ids of the part before
        highest = run.last or highest
    return True


def _duplicates(table: Table, id_hashes: list[array[int]], runs: list[IdRun]) -> list[Problem]:
    """Every repeat of an id, named with the line of its first use.

    When the ids came in strictly increasing order there is none. Otherwise the ids of the
    increasing runs, which the pass did not hash, are hashed now; then equal hashes are
    candidates, and a second, cheap pass over the id column confirms them (two different ids
    may share a hash) and finds their lines.
    """
    if _all_increasing(table, runs):
        return []
    for run in runs:
        for line, rid in _ids(table, run.part):
            if run.until is not None and line >= run.until:
                break
            h = hash(rid)
            id_hashes[h & _MASK].append(h)
    suspects: set[int] = set()
    for k, bucket in enumerate(id_hashes):
        id_hashes[k] = array("q")  # let each bucket go once checked: memory falls as we go
        if len(set(bucket)) < len(bucket):  # one bucket at a time keeps the set small
            ordered = sorted(bucket)
            suspects.update(a for a, b in zip(ordered, ordered[1:], strict=False) if a == b)
        del bucket
    if not suspects:
        return []
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    label = table.column_label("id")
    for line, rid in _ids(table, None):
        if hash(rid) in suspects:
            if rid in first_line:
                problems.append(
                    Problem(
                        line, label, rid, f"duplicate id: already used on line {first_line[rid]}",
                        "duplicate-id", "every request needs its own id",
                    ).kept()
                )
            else:
                first_line[rid] = line
    return problems


def count(
    source: Source,
    windows: Callable[[], Sequence[Window]],
    options: ReadOptions = DEFAULT_READ,
) -> Counted:
    """Read, check and count a log into fresh windows from `windows()`.

    Invalid rows raise InvalidRows with every problem found, unless `options.skip_invalid`, in
    which case they are left out and accounted for in the result. A duplicate id is an invalid
    row at each repeat (the first use stands). A log that cannot be read to its end (deleted
    or moved in the meantime, say) is a usage error that says so: it is read more than once.
    """
    try:
        return _count(source, windows, options)
    except FileNotFoundError:
        raise UsageError(
            f"{source.name}: the file went away while coopstats read it (moved or deleted?); "
            "run the command again on a file that stays in place"
        ) from None
    except OSError as err:
        raise UsageError(f"{source.name}: cannot read it ({err.strerror or err})") from None


def _count(
    source: Source, windows: Callable[[], Sequence[Window]], options: ReadOptions
) -> Counted:
    table = open_table(source, options)
    if options.breakdown is not None and options.breakdown.active:
        Split(options.breakdown, table, options.values)  # an unknown column: before any fork
    order = options.date_order
    hashes: list[array[int]] = [array("q") for _ in range(_BUCKETS)]
    try:
        counted = _both_cores(table, windows, options, order, frozenset(), hashes)
    except NeedDateOrder:
        order = settle_order(table)
        hashes = [array("q") for _ in range(_BUCKETS)]
        counted = _both_cores(table, windows, options, order, frozenset(), hashes)
    duplicates = _duplicates(table, hashes, counted.id_runs)
    del hashes
    if duplicates:
        problems = sorted(counted.problems + duplicates, key=lambda p: p.line or 0)
        total = counted.problem_count + len(duplicates)
        lines = sorted(set(counted.invalid_lines) | {p.line for p in duplicates if p.line})
        if options.skip_invalid:  # the repeats were counted: count again without them
            counted = _both_cores(table, windows, options, order, frozenset(lines), None)
        counted.problems, counted.problem_count = problems, total
        counted.invalid_lines, counted.invalid_rows = lines, len(lines)
    counted.absent = table.absent_columns()
    if counted.problem_count and not options.skip_invalid:
        raise InvalidRows(
            source.name, counted.problems, counted.problem_count, counted.invalid_rows
        )
    return counted
