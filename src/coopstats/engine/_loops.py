"""The two loops of a pass: `_Pass.records` over records of any table, and the block loops over
the lines of a plain log (`_Pass.block` for the SPEC's layout, `_Pass.split_block` for any
other), with `_Pass.tallied` counting the csv module's records as the block loops count."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from itertools import chain, islice
from operator import itemgetter
from typing import Any, NamedTuple

from coopstats.breakdown import Split
from coopstats.checks import PENDING, UNKNOWN, Checked, Kind, RowChecker
from coopstats.dates import DateOrder
from coopstats.engine._ids import _FIRST_ID_AMONG, _MASK, IdRun, _first_id, wrong_width
from coopstats.engine.window import NO_FIRST, NO_LAST, Counted, Visited, Window
from coopstats.model import COLUMNS, Problem
from coopstats.read import Part, ReadOptions, Table, Unreadable
from coopstats.read.lines import LineBlock

AddFn = Callable[[Kind, int, int, bool, str, int], None]  # Window.add
# A visitor, as engine.visit takes it: told of each valid request as a Visited value.
Seer = Callable[[Visited], None]
CANONICAL = {name: position for position, name in enumerate(COLUMNS)}
_UNSEEN = object()  # a cell no cache knows
NUL = "\x00"
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
    `split_block` does what `block` does for any other column layout (see Layout), and
    `tallied` what `records` does, into the block loops' tallies: the loops of a counting run.
    `records` serves the rest: --by and --where, --days working, and a visitor (engine.visit),
    which it tells of each valid request sent in `visit_span`.
    """

    def __init__(
        self,
        table: Table,
        windows: Sequence[Window],
        options: ReadOptions,
        order: DateOrder | None,
        skip_lines: frozenset[int],
        id_hashes: list[array[int]] | None,
        visitor: Seer | None = None,
        visit_span: tuple[int, int] = (0, -1),
    ) -> None:
        self.table = table
        # Told of each valid request sent in `visit_span` (day ordinals), with its --by groups.
        self.visitor = visitor
        self.visit_span = visit_span
        self.windows = list(windows)
        self.skip_lines = skip_lines
        self.result = Counted(table.name, self.windows, date_order=order)
        self.checker = RowChecker(table, order, options.values)
        self.keep_hash = [bucket.append for bucket in id_hashes] if id_hashes is not None else None
        self.count = 0
        self.first_sent, self.last_sent = NO_FIRST, NO_LAST
        # Ids are hashed only once they stop coming in strictly increasing order (see IdRun).
        self.ordered, self.last_id = True, ""
        self.first_id: str | None = None  # the part's first id, where noted (IdRun.first)
        self.ordered_until: int | None = None
        self.part: Part | None = None
        # For the block loop: the kind of each run of kind cells seen in a valid record, and
        # each kind's tallies.
        self.heads: dict[str, _Tally] = {}
        self.tallies: dict[Kind, _Tally] = {}
        # The same for `split_block` and `tallied`, by a record's kind cells joined by NUL: one
        # string is quicker to make and look up than a tuple of four. A key is kept only when
        # its cells hold no NUL (no cell of the fast path does: lines.breaks_fast_path), so
        # that a record whose cells hold one, making more NULs in its key, is never taken for
        # a known one.
        self.joined_heads: dict[str, _Tally] = {}
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
            spec = layout is SPEC_LAYOUT
            for block in blocks:
                if not isinstance(block, LineBlock):  # the csv module's records from here on
                    self.tallied(block)
                    continue
                if spec and block.quoted is None:
                    self.block(block.first, block.lines, block.spaced)
                else:
                    self.split_block(block.first, block.lines, block.spaced, block.quoted)
                if between_blocks is not None:
                    between_blocks()
        elif fast:
            self.tallied(self._first_id_taken(self.table.counted_records(part)))
        else:
            self.records(self.table.records() if part is None else self.table.records_in(*part))
        return self.finish()

    def _first_id_taken(
        self, records: Iterator[tuple[int, list[Any]]]
    ) -> Iterator[tuple[int, list[Any]]]:
        """`records`, the part's first id noted on the way (IdRun.first) from its first few: a
        forked half would otherwise read its part again from the top for it, which for a
        workbook means calamine making every row before the part anew."""
        head = list(islice(records, _FIRST_ID_AMONG))
        self.first_id = _first_id(self.table, head, len(head) < _FIRST_ID_AMONG)
        return chain(head, records)

    def _blocks_fit(self) -> bool:
        """Whether the fast loops can count this log into these windows exactly: into tallies
        (see _Tally), by the block loops where the table is read line by line (any column
        layout: see Layout) and by `tallied` elsewhere. Otherwise `records` counts it."""
        return (
            self.keep_hash is not None
            and not self.skip_lines
            and self.split is None
            and self.visitor is None
            and all(w.days_fn is None for w in self.windows)
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
            result.id_runs = [IdRun(self.part, self.ordered_until, self.last_id, self.first_id)]
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
        spans = [(w.start, w.end, w.add) for w in windows]
        # Most requests fall in no window: one test against the windows' hull spares the loop.
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        visitor = self.visitor
        if visitor is not None:  # its span widens the hull
            lowest, highest = min(lowest, self.visit_span[0]), max(highest, self.visit_span[1])
        seen_from, seen_to = self.visit_span
        # A visitor is handed Visited values: dates (made once per day), None when pending.
        day_of: dict[int, date] = {}
        to_day, new = date.fromordinal, tuple.__new__
        keep_hash = self.keep_hash
        skip_lines = self.skip_lines
        unseen = _UNSEEN
        first_sent, last_sent = self.first_sent, self.last_sent
        ordered, last_id = self.ordered, self.last_id
        count = 0
        # With --by or --where: a request's groups (None: --where leaves it out), read only for
        # the requests that fall in a window.
        group_of = self.split.keys if self.split is not None else None
        # Per window, its parts' bound `add`, by group, made on a group's first use.
        parted: list[tuple[int, int, Window, dict[str, AddFn]]] = [
            (w.start, w.end, w, {}) for w in windows
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
            if lowest <= sent <= highest:
                if group_of is None:
                    if visitor is not None and seen_from <= sent <= seen_to:
                        sent_day = day_of.get(sent) or day_of.setdefault(sent, to_day(sent))
                        visitor(new(Visited, (line, rid, *kind[:4], sent_day, None, None,
                                              kind.groups, ())) if executed == PENDING else
                                new(Visited, (line, rid, *kind[:4], sent_day, day_of.get(executed)
                                              or day_of.setdefault(executed, to_day(executed)),
                                              positive, kind.groups, ())))  # fmt: skip
                    for start, end, add in spans:
                        if start <= sent <= end:
                            add(kind, sent, executed, positive, rid, line)
                    continue
                keys = group_of(row, kind, outcome)  # type: ignore[arg-type]  # checked: no `unseen`
                if keys is None:
                    continue
                if visitor is not None and seen_from <= sent <= seen_to:
                    sent_day = day_of.get(sent) or day_of.setdefault(sent, to_day(sent))
                    visitor(new(Visited, (line, rid, *kind[:4], sent_day, None, None,
                                          kind.groups, keys)) if executed == PENDING else
                            new(Visited, (line, rid, *kind[:4], sent_day, day_of.get(executed)
                                          or day_of.setdefault(executed, to_day(executed)),
                                          positive, kind.groups, keys)))  # fmt: skip
                for start, end, window, adds in parted:
                    if start <= sent <= end:
                        window.add(kind, sent, executed, positive, rid, line)
                        for key in keys:
                            part_add = adds.get(key)
                            if part_add is None:
                                part_add = adds[key] = window.part(key).add
                            part_add(kind, sent, executed, positive, rid, line)

        self.count += count
        self.first_sent, self.last_sent = first_sent, last_sent
        self.ordered, self.last_id = ordered, last_id

    def tallied(self, records: Iterable[tuple[int, list[Any]]]) -> None:
        """The loop over records of any table into tallies, as `block` counts lines: checked
        as `records` checks them, and counted per kind (see _Tally) rather than window by
        window. Only for windows that keep counts alone (`_tallies_fit`). The records are those
        of Table.counted_records: a date cell may be a date, which the cache of dates reads,
        and a record is made text (`as_text`) before anything else reads it."""
        checker, table = self.checker, self.table
        as_text = table.as_text
        dates, outcomes = checker.dates, checker.outcomes
        remember = checker.remember
        idx = table.index
        width = table.width
        pad = width in idx.values()  # an optional column is absent: it reads a '' appended to rows
        # Subscripts by local ints, and the kind cells joined into the key of their tally (see
        # `joined_heads`), as in `split_block`.
        at_id, at_sent = idx["id"], idx["sent"]
        at_executed, at_outcome = idx["executed"], idx["outcome"]
        at_organ, at_kind = idx["organ"], idx["kind"]
        at_origin, at_categories = idx["origin"], idx["categories"]
        heads, tally_of = self.joined_heads, self._tally
        windows = self.windows
        lowest = min((w.start for w in windows), default=0)
        highest = max((w.end for w in windows), default=-1)
        keep_hash = self.keep_hash
        assert keep_hash is not None and not self.skip_lines  # _blocks_fit
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
            rid = row[at_id].strip()
            sent_text, executed_text = row[at_sent], row[at_executed]
            outcome_text = row[at_outcome]
            head = f"{row[at_organ]}\0{row[at_kind]}\0{row[at_origin]}\0{row[at_categories]}"
            if rid:
                if ordered and rid > last_id:
                    last_id = rid
                else:
                    if ordered:
                        ordered, self.ordered_until = False, line
                    h = hash(rid)
                    keep_hash[h & _MASK](h)

            try:  # subscripts: the quickest look-ups while everything is known, as it mostly is
                tally = heads[head]
                sent = dates[sent_text]
                executed = dates[executed_text]
                outcome = outcomes[outcome_text]
            except KeyError:  # something new: a date to parse, or a record to check
                tally = heads.get(head)
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
                row = as_text(row)
                if not any(cell.strip() for cell in row):
                    count -= 1  # a row of empty cells, as spreadsheets leave: not a record
                    continue
                checked = checker.check(line, row)
                if isinstance(checked, list):
                    self._reject(line, checked)
                    continue
                kind, sent, executed, outcome = checked
                tally = tally_of(kind)
                if head.count(NUL) == 3:  # no cell holds a NUL (see joined_heads)
                    heads[head] = tally

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
                odd(line, text.split(delimiter))
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
                seen = odd(line, text.split(delimiter))
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

    def split_block(
        self,
        first_line: int,
        lines: list[str],
        spaced: bool = True,
        quoted: dict[int, list[str]] | None = None,
    ) -> None:
        """The loop over the lines of a block (see lines.LineBlock): those of a plain log in any
        other column layout than the SPEC's (see Layout), and of any block holding quotes.

        Each line is split at every delimiter (or its record is the csv module's, `quoted`),
        and a line of the header's width gives its cells by one C call, the run of kind cells
        joined into the key its tally is looked up by (`joined_heads`). Any other line — of
        another width, with a new value, a problem — goes to `_odd`, as in `block`.
        """
        self.count += len(lines)
        heads, dates, outcomes = self.joined_heads, self.checker.dates, self.checker.outcomes
        remember = self.checker.remember
        keep_hash = self.keep_hash
        assert keep_hash is not None and self.layout is not None  # _blocks_fit, run
        layout = self.layout
        width = layout.width
        # Subscripts by local ints and an f-string key are quicker than itemgetters and a
        # join (about 0.4 µs a row): the key is the kind cells joined by NUL (`joined_heads`).
        at_id, at_sent, at_executed, at_outcome = (
            layout.id, layout.sent, layout.executed, layout.outcome
        )  # fmt: skip
        at_organ, at_kind, at_origin, at_categories = layout.kind
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
            # Not of the header's width: the csv module's record (`quoted`), or a blank line, a
            # short or long row.
            if len(row) != width and (not quoted or len(row := quoted.get(line, row)) != width):
                if row == [""]:  # a blank line, or one that a quoted cell goes on over
                    self.count -= 1  # no record, as `_fit` finds
                    continue
                tally = None
            else:
                rid = row[at_id]
                sent_text, executed_text = row[at_sent], row[at_executed]
                outcome_text = row[at_outcome]
                head = f"{row[at_organ]}\0{row[at_kind]}\0{row[at_origin]}\0{row[at_categories]}"
                try:  # subscripts: the quickest look-ups while everything is known
                    tally = heads[head]
                    sent = dates[sent_text]
                    executed = dates[executed_text]
                    outcome = outcomes[outcome_text]
                except KeyError:  # something new: a date to parse, or a line for `_odd`
                    tally = heads.get(head)
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
                seen = odd(line, row)
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

    def _odd(self, line: int, row: list[str]) -> Odd:
        """A line the block loops cannot count on their own, checked as `records` checks it."""
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
            head = NUL.join([row[k] for k in layout.kind])
            if head.count(NUL) == 3:
                self.joined_heads[head] = tally
            if layout is SPEC_LAYOUT:  # `block` looks the run up as the text between
                self.heads[self.delimiter.join(row[1:5])] = tally
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
    visitor: Seer | None = None,
    span: tuple[int, int] = (0, -1),
) -> Counted:
    """One pass over the table, or over one part of it (see Table.halves). Raises
    NeedDateOrder when a numeric date needs an order."""
    return _Pass(table, windows, options, order, skip_lines, id_hashes, visitor, span).run(part)
