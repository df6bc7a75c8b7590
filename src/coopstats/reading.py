"""From a path (or `-`) to located records: encoding, delimiter, header mapping, line numbers.

Nothing here prints and nothing here writes to the user's file. Standard input is copied to a
temporary file first, because a log sometimes has to be read twice (to settle the day/month order
of its dates, or to name both lines of a duplicate id) and a pipe can be read only once.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from types import TracebackType
from typing import IO

from coopstats.dates import DateOrder
from coopstats.errors import DataError, UsageError
from coopstats.model import COLUMNS, REQUIRED_COLUMNS

csv.field_size_limit(2**31 - 1)  # free-text cells of any size: the default limit is 128 KiB

DELIMITERS = (",", ";", "\t")
_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class ReadOptions:
    """How to read a log: everything the command line and a config file may say about it."""

    encoding: str | None = None
    delimiter: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)  # canonical name -> file's header
    date_order: DateOrder | None = None
    skip_invalid: bool = False
    # column -> {file's word, case-folded -> the SPEC's word}, for a database's own vocabulary
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    sheet: str | None = None


DEFAULT_READ = ReadOptions()


class Source:
    """A log on disk; standard input is spooled to a temporary file that `close` removes."""

    def __init__(self, arg: str) -> None:
        self.temporary = arg == "-"
        if self.temporary:
            self.name = "<stdin>"
            handle, name = tempfile.mkstemp(prefix="coopstats-", suffix=".csv")
            with os.fdopen(handle, "wb") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
            self.path = Path(name)
        else:
            self.name = arg
            self.path = Path(arg)
            if not self.path.exists():
                raise UsageError(f"{arg}: no such file")
            if self.path.is_dir():
                raise UsageError(f"{arg}: is a folder, not a file")

    def close(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class Table:
    """A log's header and its records, each with the line a person sees it on in an editor."""

    name: str
    header: list[str]
    index: dict[
        str, int
    ]  # canonical column -> position; absent optional columns point past the end
    width: int

    def records(self) -> Iterator[tuple[int, list[str]]]:
        raise NotImplementedError

    def column_label(self, canonical: str) -> str:
        """The file's own name for a canonical column, as the user would look for it."""
        position = self.index[canonical]
        return self.header[position] if position < self.width else canonical

    def _map_header(self, header: list[str], options: ReadOptions) -> None:
        self.header = header
        self.width = len(header)
        folded: dict[str, list[int]] = {}
        for position, title in enumerate(header):
            folded.setdefault(title.strip().casefold(), []).append(position)
        wanted = {name: name for name in COLUMNS}
        for canonical, title in options.columns.items():
            if canonical not in COLUMNS:
                raise UsageError(
                    f"--column {canonical}={title}: {canonical!r} is not a column coopstats "
                    f"reads; the columns are {', '.join(COLUMNS)}"
                )
            wanted[canonical] = title
        index: dict[str, int] = {}
        for canonical, title in wanted.items():
            positions = folded.get(title.strip().casefold(), [])
            if len(positions) > 1:
                raise DataError(
                    f"{self.name}:1: the header names column {title!r} {len(positions)} times "
                    f"(positions {', '.join(str(p + 1) for p in positions)}); rename one"
                )
            if positions:
                index[canonical] = positions[0]
            elif canonical in options.columns:
                raise DataError(
                    f"{self.name}:1: no column {title!r} (given for {canonical}); the header "
                    f"has: {', '.join(repr(h) for h in header)}"
                )
        missing = [name for name in REQUIRED_COLUMNS if name not in index]
        if missing:
            raise DataError(
                f"{self.name}:1: missing required column(s) {', '.join(missing)}; the header "
                f"has: {', '.join(repr(h) for h in header) or 'nothing'} "
                f"(map a column of yours with --column {missing[0]}=HEADER)"
            )
        for name in COLUMNS:
            index.setdefault(name, self.width)  # reads the '' appended to every record
        self.index = index


def _detect_encoding(head: bytes, name: str, encoding: str | None) -> str:
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
        return encoding
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return (
            "utf-16"  # stated rule: a UTF-16 byte-order mark means UTF-16 (Excel's "Unicode text")
        )
    if head.startswith(b"PK\x03\x04"):
        raise DataError(
            f"{name}: this is a zip file (an Excel workbook?), not CSV; name it *.xlsx to read "
            "its first sheet, or save it as CSV"
        )
    if b"\x00" in head:
        raise DataError(f"{name}: this looks like a binary file, not a CSV log")
    return "utf-8-sig"


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of `,` `;` tab outside quotes in the header line (`,` on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


class CsvTable(Table):
    def __init__(self, source: Source, options: ReadOptions) -> None:
        self.name = source.name
        self.path = source.path
        with open(source.path, "rb") as raw:
            head = raw.read(_SNIFF_BYTES)
        self.encoding = _detect_encoding(head, self.name, options.encoding)
        self.delimiter = options.delimiter or None
        if self.delimiter is not None and len(self.delimiter) != 1:
            if self.delimiter in ("\\t", "tab"):
                self.delimiter = "\t"
            else:
                raise UsageError(f"--delimiter: {options.delimiter!r} is not one character")
        with self._open() as text:
            first = self._decode_guard(text.readline, 1)
            if not first.strip():
                raise DataError(f"{self.name}: the file is empty (no header row)")
            self.delimiter = self.delimiter or sniff_delimiter(first)
            header = next(csv.reader([first], delimiter=self.delimiter), [])
        self._map_header(header, options)

    def _open(self) -> IO[str]:
        raw = open(self.path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed with the wrapper
        return io.TextIOWrapper(raw, encoding=self.encoding, newline="")

    def _decode_guard(self, read: object, line: int) -> str:
        try:
            return read()  # type: ignore[operator, no-any-return]
        except UnicodeDecodeError as err:
            raise self._decode_error(err, line) from None

    def _decode_error(self, err: UnicodeDecodeError, line: int) -> DataError:
        byte = err.object[err.start : err.start + 1].hex()
        hint = (
            "it is not UTF-8: try --encoding cp1252 (Excel on Windows) or --encoding latin-1"
            if self.encoding.startswith("utf-8")
            else f"it is not valid {self.encoding}; check --encoding"
        )
        return DataError(f"{self.name}:{line}: cannot decode byte 0x{byte}; {hint}")

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Every record after the header with its first line; blank lines are passed over."""
        with self._open() as text:
            header_line = text.readline()
            reader = csv.reader(chain([header_line], text), delimiter=self.delimiter or ",")
            try:
                next(reader)
                last = reader.line_num
                for row in reader:
                    first, last = last + 1, reader.line_num
                    if any(row):  # blank lines and rows of empty cells are not requests
                        yield first, row
            except UnicodeDecodeError as err:
                raise self._decode_error(err, reader.line_num + 1) from None
            except csv.Error as err:
                raise DataError(f"{self.name}:{reader.line_num}: not valid CSV ({err})") from None


def open_table(source: Source, options: ReadOptions) -> Table:
    """The table behind a source: a workbook by its name, anything else as CSV."""
    if source.path.suffix.lower() in (".xlsx", ".xlsm"):
        from coopstats.workbook import WorkbookTable  # openpyxl only when a workbook is read

        return WorkbookTable(source, options)
    return CsvTable(source, options)
