"""The engine: a log read once, every record checked against SPEC §1, behind two doors.

- `count(source, windows, options)` counts each valid request into the windows (a period and an
  as-of date each) it falls in: the figures. Its loops are the fast ones — the block loops over
  the lines of a plain log in any column layout, the tallies of the csv module's records, two
  processes for a large plain log — for any set of windows.
- `visit(source, visitor, options, span=..., windows=...)` hands each valid request sent in
  `span` to a visitor as plain values (`Visited`: dates, `executed` None when pending), and may
  count windows in the same pass: for validate, explain, reconcile and times.

Memory grows by 8 bytes a row (the hash of its id, to catch duplicates) once ids stop coming in
increasing order, and not at all before; everything else is a count or a histogram of days,
bounded by the number of distinct day values, not by the number of rows. The loops
(`_loops`), the second process (`_fork`) and id hashing with duplicate detection (`_ids`) are
private modules; `window` holds what the figures read.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol, TypeVar

from coopstats.breakdown import Split
from coopstats.checks import settle_order
from coopstats.dates import NeedDateOrder
from coopstats.engine._fork import _both_cores, _can_fork, _Child, _count_part, _in_two
from coopstats.engine._ids import _BUCKETS, _duplicates
from coopstats.engine._loops import Seer, _Pass
from coopstats.engine.window import PROBLEMS_KEPT, Counted, DaysFn, Visited, Window
from coopstats.errors import InvalidRows, UsageError
from coopstats.model import Period
from coopstats.read import DEFAULT_READ, ReadOptions, Source, open_table

__all__ = ["PROBLEMS_KEPT", "Counted", "DaysFn", "Visited", "Visitor", "Window", "count", "visit"]
# The private rooms, named here for the tests that look inside.
_PRIVATE = (_Child, _Pass, _can_fork, _count_part, _in_two)


class Visitor(Protocol):
    def __call__(self, request: Visited, /) -> None: ...


V = TypeVar("V", bound=Visitor)
EVERY_DAY = Period(date.min, date.max)


def visit(
    source: Source,
    visitor: Callable[[], V],
    options: ReadOptions = DEFAULT_READ,
    *,
    span: Period = EVERY_DAY,
    windows: Callable[[], Sequence[Window]] = tuple,
) -> tuple[Counted, V]:
    """Read and check a log as `count` does, handing each valid request sent in `span` (and
    matched by --where) to a fresh visitor from `visitor()`; the windows from `windows()` are
    counted in the same pass. A log read twice (to settle the order of numeric dates, or to
    leave out repeated ids) gets a fresh visitor each time: the one returned saw the last.
    Problems are raised or accounted for as by `count`."""
    made: list[V] = []

    def seer() -> Seer:
        made.append(visitor())
        return made[-1]

    counted = _guarded(source, windows, options, seer, (span.start.toordinal(),
                       span.end.toordinal()))  # fmt: skip
    return counted, made[-1]


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
    return _guarded(source, windows, options)


def _guarded(
    source: Source,
    windows: Callable[[], Sequence[Window]],
    options: ReadOptions,
    seer: Callable[[], Seer | None] = lambda: None,
    span: tuple[int, int] = (0, -1),
) -> Counted:
    try:
        return _count(source, windows, options, seer, span)
    except FileNotFoundError:
        raise UsageError(
            f"{source.name}: the file went away while coopstats read it (moved or deleted?); "
            "run the command again on a file that stays in place"
        ) from None
    except OSError as err:
        raise UsageError(f"{source.name}: cannot read it ({err.strerror or err})") from None


def _count(
    source: Source,
    windows: Callable[[], Sequence[Window]],
    options: ReadOptions,
    seer: Callable[[], Seer | None],
    span: tuple[int, int],
) -> Counted:
    table = open_table(source, options)
    if options.breakdown is not None and options.breakdown.active:
        Split(options.breakdown, table, options.values)  # an unknown column: before any fork
    order = options.date_order
    hashes: list[array[int]] = [array("q") for _ in range(_BUCKETS)]
    try:
        counted = _both_cores(table, windows, options, order, frozenset(), hashes, seer, span)
    except NeedDateOrder:
        order = settle_order(table)
        hashes = [array("q") for _ in range(_BUCKETS)]
        counted = _both_cores(table, windows, options, order, frozenset(), hashes, seer, span)
    duplicates = _duplicates(table, hashes, counted.id_runs)
    del hashes
    if duplicates:
        problems = sorted(counted.problems + duplicates, key=lambda p: p.line or 0)
        total = counted.problem_count + len(duplicates)
        lines = sorted(set(counted.invalid_lines) | {p.line for p in duplicates if p.line})
        if options.skip_invalid:  # the repeats were counted: count again without them
            counted = _both_cores(
                table, windows, options, order, frozenset(lines), None, seer, span
            )
        counted.problems, counted.problem_count = problems, total
        counted.invalid_lines, counted.invalid_rows = lines, len(lines)
    counted.absent = table.absent_columns()
    if counted.problem_count and not options.skip_invalid:
        raise InvalidRows(
            source.name, counted.problems, counted.problem_count, counted.invalid_rows
        )
    return counted
