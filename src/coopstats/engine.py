"""One streaming pass from records to counts: validation and the counting rules together.

Every command is built on `count`: it reads the log once, checks each record against SPEC §1, and
adds each valid request to the windows (a period and an as-of date) it falls in. Memory grows by
8 bytes a row (the hash of its id, to catch duplicates); everything else is a count or a
histogram of days, bounded by the number of distinct day values, not by the number of rows.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from coopstats.checks import PENDING, Kind, RowChecker
from coopstats.dates import DateOrder, NeedDateOrder, OrderEvidence, lines_text
from coopstats.errors import DataError, InvalidRows
from coopstats.groups import COUNT
from coopstats.model import Period, Problem, Request
from coopstats.reading import DEFAULT_READ, ReadOptions, Source, Table, open_table

PROBLEMS_KEPT = 10_000  # beyond this, problems are counted but not kept
# Id hashes are kept in a few arrays (by their low bits), each sorted alone at the end: few
# enough that appending stays cache-friendly, many enough that one sort's copy stays small.
_BUCKETS = 16

DaysFn = Callable[[int, int], int]
NO_FIRST, NO_LAST = date.max.toordinal() + 1, 0  # before any request is seen


class Window:
    """The counts of one period as of one date: S, E, positive replies and days, per base group.

    SPEC §2: S = requests sent within the period; E = those of S executed on or before the as-of
    date. Days to execute are kept as a histogram per group, which gives exact means, medians
    and percentiles in memory bounded by the number of distinct day values.
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

    @property
    def valid_rows(self) -> int:
        return self.records - self.invalid_rows

    def reject(self, line: int, problems: list[Problem]) -> None:
        self.invalid_rows += 1
        self.invalid_lines.append(line)
        self.problem_count += len(problems)
        if len(self.problems) < PROBLEMS_KEPT:
            self.problems.extend(problems)


def _pass(
    table: Table,
    windows: Sequence[Window],
    options: ReadOptions,
    order: DateOrder | None,
    skip_lines: frozenset[int],
    id_hashes: list[array[int]] | None,
) -> Counted:
    """One pass over the records. Raises NeedDateOrder when a numeric date needs an order.

    The loop is the hot path of every command: a record whose cells were all seen before is
    checked by dictionary look-ups alone; anything new goes to RowChecker, which fills the caches
    or reports the problems.
    """
    result = Counted(table.name, list(windows), date_order=order)
    checker = RowChecker(table, order, options.values)
    kinds, dates, outcomes = checker.kinds, checker.dates, checker.outcomes
    idx = table.index
    i_id, i_organ, i_kind, i_origin = idx["id"], idx["organ"], idx["kind"], idx["origin"]
    i_cats, i_sent, i_exec, i_out = idx["categories"], idx["sent"], idx["executed"], idx["outcome"]
    width = table.width
    pad = width in idx.values()  # an optional column is absent: it reads a '' appended to rows
    spans = [(w.start, w.end, w.add, w.outside if w.sees_all_rows else None) for w in windows]
    unseen = object()
    first_sent, last_sent = NO_FIRST, NO_LAST
    records = 0
    mask = _BUCKETS - 1

    for line, row in table.records():
        records += 1
        if len(row) != width:
            if len(row) < width or any(cell.strip() for cell in row[width:]):
                result.reject(line, [checker.width_problem(line, row)])
                continue
            del row[width:]  # trailing empty cells, as some exports write, are harmless
        if pad:
            row.append("")
        rid = row[i_id].strip()
        if id_hashes is not None and rid:
            h = hash(rid)
            id_hashes[h & mask].append(h)
        if skip_lines and line in skip_lines:
            continue

        kind = kinds.get((row[i_organ], row[i_kind], row[i_origin], row[i_cats]))
        sent = dates.get(row[i_sent])
        executed = dates.get(row[i_exec])
        outcome = outcomes.get(row[i_out], unseen)
        if (
            kind is None
            or sent is None
            or sent == PENDING
            or executed is None
            or outcome is unseen
            or not rid
            or PENDING < executed < sent
            or (outcome is not None and executed == PENDING)
        ):
            checked = checker.check(line, row)
            if isinstance(checked, list):
                result.reject(line, checked)
                continue
            kind, sent, executed, outcome = checked
        # An empty outcome on an executed request is a positive reply (SPEC §1).
        positive = executed != PENDING and outcome is not False

        if sent < first_sent:
            first_sent = sent
        if sent > last_sent:
            last_sent = sent
        for start, end, add, outside in spans:
            if start <= sent <= end:
                add(kind, sent, executed, positive, rid, line)
            elif outside is not None:
                outside(kind, sent, executed, positive, rid, line)

    result.records = records
    if records and first_sent != NO_FIRST:
        result.first_sent = date.fromordinal(first_sent)
        result.last_sent = date.fromordinal(last_sent)
    return result


def _settle_order(table: Table) -> DateOrder:
    """The day/month order that the file's numeric dates prove, or a DataError naming lines."""
    evidence = OrderEvidence()
    i_sent, i_exec = table.index["sent"], table.index["executed"]
    for line, row in table.records():
        for position in (i_sent, i_exec):
            if position < len(row):
                evidence.add(line, row[position])
    order = evidence.order()
    if order is not None:
        return order
    if evidence.day_first and evidence.month_first:
        raise DataError(
            f"{table.name}: the dates mix day-first (line {lines_text(evidence.day_first)}) and "
            f"month-first (line {lines_text(evidence.month_first)}) order; fix the file, or "
            "pass --dayfirst or --monthfirst to read every date one way"
        )
    raise DataError(
        f"{table.name}: dates such as those on line {lines_text(evidence.ambiguous)} could be "
        "day-first or month-first and no date in the file settles it; pass --dayfirst or "
        "--monthfirst"
    )


def _duplicates(table: Table, id_hashes: list[array[int]]) -> list[Problem]:
    """Every repeat of an id, named with the line of its first use.

    The pass kept only 8-byte hashes; equal hashes are candidates, and a second, cheap pass over
    the id column confirms them (two different ids may share a hash) and finds their lines.
    """
    suspects: set[int] = set()
    for bucket in id_hashes:
        ordered = sorted(bucket)
        suspects.update(a for a, b in zip(ordered, ordered[1:], strict=False) if a == b)
    if not suspects:
        return []
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    i_id = table.index["id"]
    label = table.column_label("id")
    for line, row in table.records():
        rid = row[i_id].strip() if i_id < len(row) else ""
        if rid and hash(rid) in suspects:
            if rid in first_line:
                problems.append(
                    Problem(
                        line, label, rid, f"duplicate id: already used on line {first_line[rid]}",
                        "duplicate-id", "every request needs its own id",
                    )
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
    row at each repeat (the first use stands).
    """
    table = open_table(source, options)
    order = options.date_order
    hashes: list[array[int]] = [array("q") for _ in range(_BUCKETS)]
    try:
        counted = _pass(table, windows(), options, order, frozenset(), hashes)
    except NeedDateOrder:
        order = _settle_order(table)
        hashes = [array("q") for _ in range(_BUCKETS)]
        counted = _pass(table, windows(), options, order, frozenset(), hashes)
    duplicates = _duplicates(table, hashes)
    del hashes
    if duplicates:
        problems = sorted(counted.problems + duplicates, key=lambda p: p.line or 0)
        total = counted.problem_count + len(duplicates)
        lines = sorted(set(counted.invalid_lines) | {p.line for p in duplicates if p.line})
        if options.skip_invalid:  # the repeats were counted: count again without them
            counted = _pass(table, windows(), options, order, frozenset(lines), None)
        counted.problems, counted.problem_count = problems, total
        counted.invalid_lines, counted.invalid_rows = lines, len(lines)
    if counted.problem_count and not options.skip_invalid:
        raise InvalidRows(
            source.name, counted.problems, counted.problem_count, counted.invalid_rows
        )
    return counted


def list_requests(source: Source, options: ReadOptions = DEFAULT_READ) -> list[Request]:
    """Every valid request of a log, in file order (it holds them all: for small logs)."""
    listing = Listing()
    count(source, lambda: [listing], options)
    return listing.requests
