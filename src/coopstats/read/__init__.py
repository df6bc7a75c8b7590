"""The reading wing: from a path (or `-`) to a Table of located records.

    source.py    Source (a log on disk, standard input spooled), FileProblem, the format sniff
    options.py   ReadOptions: what the command line and a config say about reading
    header.py    the header: title rows, usual names of columns, mapping onto canonical names
    lines.py     the fast path: plain CSV lines split at the delimiter, a block at a time
    table.py     Table: what the engine reads (records, parts, line blocks), Unreadable
    csv.py       CsvTable: encoding, delimiter, the csv module where quotes need it
    workbook.py  WorkbookTable: .xlsx, .xls, .ods through python-calamine (imported lazily)

Arrows run one way: source and options below header and lines, table above those, the two
tables above table, and `open_table` here above all. Nothing here imports this face.
"""

from __future__ import annotations

from coopstats.errors import UsageError
from coopstats.read.csv import CsvTable, nul_problem
from coopstats.read.header import HEADER_ROWS, has_columns
from coopstats.read.options import DEFAULT_READ, Breakdown, ReadOptions
from coopstats.read.source import (
    LEAVING,
    SNIFF_BYTES,
    WORKBOOK_SUFFIXES,
    FileProblem,
    Source,
    file_problem,
    sniff_format,
)
from coopstats.read.table import Block, Numbered, Part, Table, Unreadable

__all__ = [
    "DEFAULT_READ",
    "HEADER_ROWS",
    "LEAVING",
    "Block",
    "Breakdown",
    "CsvTable",
    "FileProblem",
    "Numbered",
    "Part",
    "ReadOptions",
    "Source",
    "Table",
    "Unreadable",
    "file_problem",
    "has_columns",
    "nul_problem",
    "open_table",
    "sniff_format",
]


def open_table(source: Source, options: ReadOptions) -> Table:
    """The table behind a source: a workbook by its name or its bytes, anything else as CSV."""
    with open(source.path, "rb") as raw:
        head = raw.read(SNIFF_BYTES)
    kind = sniff_format(head, source.name)
    if kind is not None or source.path.suffix.lower() in WORKBOOK_SUFFIXES:
        from coopstats.read.workbook import WorkbookTable  # calamine only when a workbook is read

        return WorkbookTable(source, options)
    if not head:
        raise file_problem(
            source.name, "the file is empty (no header row)", "empty-file",
            hint="a log starts with a header row: id, organ, kind, sent, ...",
        )
    if options.sheet is not None:
        raise UsageError(f"--sheet {options.sheet!r}: {source.name} is read as CSV, not a workbook")
    return CsvTable(source, options, head)
