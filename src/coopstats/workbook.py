"""Excel workbooks read like a CSV log: the first sheet (or --sheet), dates from date cells.

openpyxl is an optional extra (`pip install 'coopstats[excel]'`), imported only here. Rows are
numbered as Excel numbers them, and the log's name gains the sheet's (`requests.xlsx[Requests]`)
so that every problem names the sheet and the row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from coopstats.errors import UsageError
from coopstats.reading import ReadOptions, Source, Table, file_problem


def _cell_text(value: Any) -> str:
    """A cell as the CSV reader would have seen it; date cells become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number: 17, not 17.0
    return str(value)


class WorkbookTable(Table):
    def __init__(self, source: Source, options: ReadOptions) -> None:
        try:
            import openpyxl
        except ImportError:
            raise file_problem(
                source.name,
                "reading Excel workbooks needs openpyxl, which is not installed",
                "format-error",
                hint="pip install 'coopstats[excel]', or save the sheet as CSV UTF-8",
            ) from None
        handle = open(source.path, "rb")  # noqa: SIM115 - a file object: any name will do
        source.on_close(handle.close)
        try:
            self.book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise file_problem(
                source.name,
                f"not a readable Excel workbook ({type(err).__name__}: {err})",
                "format-error",
                hint="open it in Excel and save it again as .xlsx, or as CSV UTF-8",
            ) from None
        source.on_close(self.book.close)  # read-only workbooks keep their zip file open
        names = self.book.sheetnames
        if options.sheet is not None and options.sheet not in names:
            raise UsageError(
                f"--sheet {options.sheet!r}: {source.name} has the sheets "
                + ", ".join(repr(n) for n in names)
            )
        self.sheet = options.sheet or names[0]
        source.sheet = self.sheet
        self.name = source.name
        found = self._header_among(self._rows(), options)
        if found is None:
            raise file_problem(
                self.name, "the sheet is empty (no header row)", "empty-file",
                hint="a log starts with a header row: id, organ, kind, sent, ...",
            )
        self.header_line, header = found
        while header and not header[-1].strip():
            header.pop()  # sheets often report trailing empty columns
        self._map_header(header, options)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet = self.book[self.sheet]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Every row after the header, numbered as Excel numbers it; empty rows passed over.

        A sheet has no "missing cells": a short row (some writers leave trailing empty cells
        out) is padded to the header's width.
        """
        width = self.width
        for number, row in self._rows():
            if number <= self.header_line or not any(cell.strip() for cell in row):
                continue
            if len(row) < width:
                row.extend([""] * (width - len(row)))
            yield number, row
