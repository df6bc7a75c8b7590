"""Excel workbooks read like a CSV log: the first sheet (or --sheet), dates from date cells.

openpyxl is an optional extra (`pip install 'coopstats[excel]'`), imported only here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from coopstats.errors import DataError, UsageError
from coopstats.reading import ReadOptions, Source, Table


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
            raise DataError(
                f"{source.name}: reading Excel workbooks needs openpyxl: "
                "pip install 'coopstats[excel]' (or save the sheet as CSV)"
            ) from None
        self.path = source.path
        try:
            self.book = openpyxl.load_workbook(source.path, read_only=True, data_only=True)
        except Exception as err:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise DataError(f"{source.name}: not a readable Excel workbook ({err})") from None
        names = self.book.sheetnames
        if options.sheet is not None and options.sheet not in names:
            raise UsageError(
                f"--sheet {options.sheet!r}: {source.name} has the sheets "
                + ", ".join(repr(n) for n in names)
            )
        self.sheet = options.sheet or names[0]
        self.name = f"{source.name}[{self.sheet}]"
        rows = self._rows()
        header = next(rows, None)
        if header is None or not any(cell.strip() for cell in header[1]):
            raise DataError(f"{self.name}: the sheet is empty (no header row)")
        while header[1] and not header[1][-1].strip():
            header[1].pop()  # sheets often report trailing empty columns
        self._map_header(header[1], options)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet = self.book[self.sheet]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(v) for v in values]

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Every row after the header, numbered as Excel numbers it; empty rows passed over."""
        rows = self._rows()
        next(rows, None)
        for number, row in rows:
            if any(cell.strip() for cell in row):
                yield number, row
