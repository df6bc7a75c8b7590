"""What the engine reads a log through: a Table, its header mapped onto the canonical columns and
its records each with the line a person sees it on in an editor.

Two tables implement it: CsvTable (csv.py, with the fast path of lines.py and a split in two
parts for two processes) and WorkbookTable (workbook.py). `open_table` (the package's face)
chooses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from coopstats.model import COLUMNS, Problem
from coopstats.read.lines import LineBlock, Record

# (first byte, end byte or None, first line) of a part; a first line None is to be counted.
Part = tuple[int, int | None, int | None]
Numbered = tuple[int, int | None, int]  # a part whose first line is known
Block = LineBlock | Iterator[Record]  # whole lines, or the csv module's records from there on


class Unreadable(list[str]):
    """A record that cannot be read as cells (a quoted cell never closed), carrying its
    problem. Its one cell is a quote: never blank, never of a header's width (which has the
    four required columns at least), so a reader of records meets it where it checks widths."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(['"'])
        self.problem = problem


class Table:
    """A log's header and its records, each with the line a person sees it on in an editor."""

    name: str
    header: list[str]
    # canonical column -> position; absent optional columns point past the end
    index: dict[str, int]
    width: int
    header_line: int = 1
    is_sheet = False  # a workbook's sheet, whose rows have cells, not delimited fields

    def records(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def halves(self) -> tuple[Part, Part] | None:
        """Two parts of the records that can be read apart (for counting on two cores), as
        (start, end, first line) each, or None when the table cannot be split: the default,
        which a table with a fast path may override."""
        return None

    def records_in(
        self, start: int, end: int | None, first_line: int | None
    ) -> Iterator[tuple[int, list[str]]]:
        """The records of one part given by `halves` (which may raise lines.NotPlain: see
        CsvTable.halves)."""
        raise NotImplementedError

    def counted_records(self, part: Numbered | None) -> Iterator[tuple[int, list[Any]]]:
        """The records of the whole table (part None) or of one part, for the loop that only
        counts (engine `_Pass.tallied`): as `records` gives them, except that a table may leave
        a date cell of the sent and executed columns as a `datetime.date` (and every other
        cell read as text), which the engine's cache of dates reads as its ISO text. `as_text`
        makes such a record the one `records` gives."""
        return self.records() if part is None else self.records_in(*part)

    def as_text(self, row: list[Any]) -> list[str]:
        """A record of `counted_records` as `records` gives it."""
        return row

    def numbered(self, part: Part) -> Numbered:
        """The part with its first line, counted if `halves` left it to count (None)."""
        start, end, first = part
        assert first is not None, "only a table with halves() leaves a first line to count"
        return start, end, first

    def line_blocks(self, part: Part | None = None) -> Iterator[Block] | None:
        """The records as blocks of whole lines (see lines.line_blocks), of the whole table or
        of one part given by `halves`; None when the table is not read line by line."""
        return None

    def column_label(self, canonical: str) -> str:
        """The file's own name for a canonical column, as the user would look for it."""
        position = self.index[canonical]
        return self.header[position] if position < self.width else canonical

    def absent_columns(self) -> tuple[str, ...]:
        """The optional columns this log does not have (SPEC §8: never silent)."""
        return tuple(name for name in COLUMNS if self.index[name] >= self.width)
