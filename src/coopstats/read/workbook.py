"""Workbooks (.xlsx, .xlsm, .xls, .ods) read like a CSV log: the first sheet (or --sheet), dates
from date cells, formulas by the values saved with them.

python-calamine is an optional extra (`pip install 'coopstats[excel]'`), imported only here. Rows
are numbered as the spreadsheet numbers them, and the log's name gains the sheet's
(`requests.xlsx[Requests]`) so that every problem names the sheet and the row.

Two things calamine does not say are read from the file itself, cheaply: a formula whose value
was never saved (files written by scripts: calamine reads it as an empty cell, which would make
an executed request pending), and, in an .ods, cells merged over several rows (only the first
row holds the value). Either stops the run with the cell or range named.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from itertools import count, islice
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from coopstats import preload
from coopstats.background import Background
from coopstats.errors import UsageError
from coopstats.model import COLUMNS
from coopstats.read.header import header_among, map_header
from coopstats.read.options import ReadOptions
from coopstats.read.source import FileProblem, Source, file_problem
from coopstats.read.table import Numbered, Part, Table
from coopstats.xlsx_halves import Loaded, halves_planned, load_sheet, sheet_part

if TYPE_CHECKING:
    from coopstats.feedback import Meter

INSTALL = "pip install 'coopstats[excel]'"
_CHUNK = 4 << 20  # bytes of sheet XML scanned at a time
_HINT_FORMULA = (
    "open the file in a spreadsheet program (Excel, LibreOffice) and save it: that computes "
    "and saves every formula's value"
)
_HINT_MERGED = "unmerge the cells and fill the value into every row"


def _cell_text(value: Any) -> str:
    """A cell as the CSV reader would have seen it; date cells become ISO dates."""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as a number: 17, not 17.0
    if value is None:
        return ""
    return str(value)


# Rows converted at once, a column at a time: few, since rows held longer cost the garbage
# collector more than the columns save (8,192 at once were slower than a row at a time).
_ROWS_AT_ONCE = 256
# A sheet of fewer rows is counted in one process: a second costs more than it saves.
HALVES_FROM = 20_000
# The first process's share of the rows: the second passes over them before its own, which
# costs about a third of counting them (calamine makes each row's cells anew, then they are
# dropped), so it is given fewer.
FIRST_SHARE = 0.6
_TEXTS_KEPT = 100_000  # distinct cell values whose texts are remembered
# Cell types whose values are equal only when their texts are, so that a value can key its text
# (numbers cannot: 1 == 1.0 == True, whose texts are "1", "1" and "True").
_KEYED_TYPES = frozenset({str, date, datetime, time})


def _texts_of(rows: list[list[Any]], texts: dict[object, str]) -> list[list[Any]]:
    """The rows (all of one width) with their cells as the CSV reader would have seen them
    (`_cell_text`): the rows themselves when every cell is text, else new ones, made a column
    at a time in C (the rows turned into columns and back). `texts` remembers the texts made."""
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    changed = False
    for position, column in enumerate(columns):
        kinds = set(map(type, column))
        if kinds == {str}:
            continue
        changed = True
        if kinds <= _KEYED_TYPES:
            if len(texts) > _TEXTS_KEPT:
                texts.clear()
            new = set(column).difference(texts)
            texts.update({v: v if type(v) is str else _cell_text(v) for v in new})
            columns[position] = map(texts.__getitem__, column)
        else:
            columns[position] = [v if type(v) is str else _cell_text(v) for v in column]
    return list(map(list, zip(*columns, strict=True))) if changed else rows


_Row = tuple[int, list[Any]]
_Kept = Callable[[list[list[Any]]], bool]
_TEXT_OR_DATE = frozenset({str, date})


def _dates_kept(table: WorkbookTable) -> _Kept:
    """Whether a chunk of rows (all of one width) may be counted as calamine made them: the
    cells the engine reads are text, but for the sent and executed columns, which may hold
    dates (exactly: a datetime is made text), and the first column, which `_records` strips
    to pass over blank rows, is text. Rows wider than the header (a cell beyond its last
    title) are not: the engine reads every cell of such a row, to tell an empty one."""
    index, width = table.index, table.width
    dated = {index[c] for c in ("sent", "executed") if index[c] < width} - {0}
    text = {index[c] for c in COLUMNS if index[c] < width} - dated | {0}
    reach = max(dated | text) + 1
    text_at, dated_at = sorted(text), sorted(dated)
    only_text = {str}

    def kept(chunk: list[list[Any]]) -> bool:
        if not reach <= len(chunk[0]) <= width:
            return False
        columns = list(zip(*chunk, strict=True))  # in C: quicker than the cells row by row
        return all(set(map(type, columns[p])) == only_text for p in text_at) and all(
            set(map(type, columns[p])) <= _TEXT_OR_DATE for p in dated_at
        )

    return kept


def _row_texts(values: list[Any], width: int) -> list[str]:
    """One row's cells as text, a short row padded to the header's width."""
    row = [v if type(v) is str else _cell_text(v) for v in values]
    if len(row) < width:
        row.extend([""] * (width - len(row)))
    return row


def column_letters(index: int) -> str:
    """Excel's name of a zero-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _looks_like_text(path: Any) -> bool:
    try:
        with open(path, "rb") as raw:
            head = raw.read(4096)
        head.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False  # a multi-byte character cut at 4096 bytes: not worth a guess
    return b"\x00" not in head and bool(head.strip())


def _format_of(path: Any) -> str:
    """What the file's first bytes say it is, for messages."""
    try:
        with open(path, "rb") as raw:
            head = raw.read(100)
    except OSError:
        return "workbook"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "old-style Excel workbook (.xls)"
    if b"opendocument.spreadsheet" in head:
        return "OpenDocument spreadsheet (.ods)"
    return "Excel workbook (.xlsx)" if head.startswith(b"PK") else "workbook"


def _other_sheets(book: Any, empty: str, names: list[str]) -> str | None:
    """For an empty sheet: the other sheets, and --sheet for the first that holds data."""
    others = [name for name in names if name != empty]
    if not others:
        return None
    named = ", ".join(repr(name) for name in others[:10])
    full = next((name for name in others if _holds_data(book, name)), None)
    if full is None:
        return f"the other sheets ({named}) are empty too"
    return f"the workbook's other sheets are {named}: pass --sheet {full!r}"


def _holds_data(book: Any, name: str) -> bool:
    try:
        rows = book.get_sheet_by_name(name).iter_rows()
        head = (row for _, row in zip(range(30), rows, strict=False))
        return any(str(value).strip() for row in head for value in row)
    except Exception:  # noqa: BLE001 - a broken sheet holds nothing to point at
        return False


def _not_readable(name: str, err: BaseException, path: Any) -> FileProblem:
    kind = _format_of(path)
    if kind == "workbook" and _looks_like_text(path):
        return file_problem(
            name,
            "not a readable Excel workbook: it is text, CSV by the look of it",
            "format-error",
            hint=f"rename it to {path.stem}.csv, or read it as CSV from standard input: "
            f"coopstats ... - < {path.name}",
        )
    return file_problem(
        name,
        f"not a readable {_format_of(path)} ({type(err).__name__}: {err})",
        "format-error",
        hint="open it in a spreadsheet program and save it again as .xlsx, or as CSV UTF-8",
    )


class WorkbookTable(Table):
    is_sheet = True

    def __init__(self, source: Source, options: ReadOptions) -> None:
        try:
            import python_calamine
        except ImportError:
            raise UsageError(
                f"{source.name}: reading workbooks needs python-calamine, which is not "
                f"installed: {INSTALL} (or save the sheet as CSV UTF-8)"
            ) from None
        self.path = source.path
        # The workbook may be loading already, since before the command line was read
        # (coopstats.preload): its sheets' names, then the sheet, are taken from there.
        ahead = preload.names(source.path)
        book = None
        if ahead is None:
            book, names = _opened(python_calamine, source)
        else:
            names = ahead
        if not names:
            raise file_problem(source.name, "the workbook has no sheet", "empty-file")
        if options.sheet is not None and options.sheet not in names:
            raise UsageError(
                f"--sheet {options.sheet!r}: {source.name} has the sheets "
                + ", ".join(repr(n) for n in names)
            )
        self.sheet_name = options.sheet or names[0]
        source.sheet = self.sheet_name
        self.name = source.name
        # What calamine does not say is read from the file itself (_scan_cells) while calamine
        # reads the sheet, which it does without holding the GIL: a second thread saves the
        # scan's time (a tenth of the load's) when a second core is free. A sheet loaded in
        # halves (xlsx_halves) is read into memory for the cut, and scanned there once loaded.
        planned = halves_planned(self.path, self.sheet_name)
        scan = None if planned else self._scan()
        taken = preload.take(source.path, self.sheet_name) if ahead is not None else None
        loaded: Loaded | None = None
        if taken is not None:
            book, loaded = taken
            source.on_close(book.close)
        elif book is None:
            book, _ = _opened(python_calamine, source)
        try:
            if loaded is None:
                loaded = load_sheet(python_calamine, book, self.path, self.sheet_name, planned)
            starts = [sheet.start for _, sheet in loaded.pieces]
        except BaseException as err:
            if isinstance(err, KeyboardInterrupt | SystemExit):
                raise
            raise _not_readable(self.name, err, self.path) from None
        # iter_rows gives every row from the sheet's first, and the cells from the first
        # column that holds any (`start`), which of two halves can differ: each half's rows
        # are widened to the columns of both (_Piece). The column offset names cells in
        # messages.
        held = [start for start in starts if start is not None]
        self.first_column = min(start[1] for start in held) if held else 0
        last = max((s.end[1] for _, s in loaded.pieces if s.end is not None), default=0)
        self.pieces = [
            _Piece(line, sheet, self.first_column, last) for line, sheet in loaded.pieces
        ]
        # The first row, or the header below title rows (SPEC §8; header.header_among).
        found = header_among(self.name, self._rows(), options) if held else None
        if found is None:
            raise file_problem(
                self.name, "the sheet is empty (no header row)", "empty-file",
                hint=_other_sheets(book, self.sheet_name, names)
                or "a log starts with a header row: id, organ, kind, sent, ...",
            )
        self.header_line, header = found
        while header and not header[-1].strip():
            header.pop()  # sheets often report trailing empty columns
        self.header, self.width = header, len(header)
        self.index = map_header(self.name, header, self.header_line, options)
        if loaded.xml is not None:
            self._check_cells(([], _unsaved_formulas_in(loaded.xml)))
        else:  # loaded whole: scanned meanwhile, or now (the halves did not join, say)
            scan = scan or self._scan()
            self._check_cells(scan.result())

    def _scan(self) -> Background[_Cells]:
        """`_scan_cells` of the sheet, begun in a thread."""
        return Background("coopstats-scan", _scan_cells, self.path, self.sheet_name, self.name)

    def _rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every row of the sheet from its first, as text."""
        for piece in self.pieces:
            for number, values in enumerate(piece.rows(piece.first_line, None), piece.first_line):
                yield number, self.as_text(values)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Every row after the header, numbered as the spreadsheet numbers it; empty rows passed
        over. A sheet has no "missing cells": a short row is padded to the header's width.

        On a terminal, a long read shows its progress in rows (feedback.py); otherwise the rows
        come straight from `_records`.
        """
        return self.records_in(self.header_line + 1, None, None)

    def halves(self) -> tuple[Part, Part] | None:
        """The rows after the header in two parts, by line (row number), for two processes:
        calamine holds the sheet in memory, which a forked process shares. A sheet loaded in
        two halves is cut where they join; another at FIRST_SHARE of its rows."""
        first = self.header_line + 1
        if len(self.pieces) == 2 and self.pieces[1].sheet.start is not None:
            split = self.pieces[1].first_line
            return ((first, split, first), (split, None, split)) if first < split else None
        end = self._last_cell()
        rows = end[0] + 1 - self.header_line if end is not None else 0
        if rows < HALVES_FROM:
            return None
        split = first + int(rows * FIRST_SHARE)
        return (first, split, first), (split, None, split)

    def records_in(
        self, start: int, end: int | None, first_line: int | None
    ) -> Iterator[tuple[int, list[str]]]:
        """The rows of lines [start, end) (end None: to the sheet's last), as `records`."""
        return self._metered(self._records(start, end), end)

    def counted_records(self, part: Numbered | None) -> Iterator[tuple[int, list[Any]]]:
        """As `records_in`, but for the date cells of the sent and executed columns, left as
        the dates calamine made wherever a chunk's other cells that are read are text (see
        Table.counted_records): making them text took a third of the time of counting a row."""
        start, end = (self.header_line + 1, None) if part is None else part[:2]
        return self._metered(self._records(start, end, _dates_kept(self)), end)

    def as_text(self, row: list[Any]) -> list[str]:
        return [v if type(v) is str else _cell_text(v) for v in row]

    def _metered(self, rows: Iterator[_Row], end: int | None) -> Iterator[_Row]:
        """`rows`, with their progress shown on a terminal in a long read (feedback.py)."""
        from coopstats import feedback

        label = f"reading {os.path.basename(self.name)}"
        last = self._last_cell()
        meter = feedback.meter(end or (last[0] + 1 if last else None), "rows", label)
        return rows if meter is None else _reported(rows, meter)

    def _last_cell(self) -> tuple[int, int] | None:
        """(row, column) of the sheet's last cell, zero-based, or None: of the last piece that
        holds a cell (the second of two halves may hold none, only the merged cells)."""
        ends = [piece.sheet.end for piece in self.pieces if piece.sheet.end is not None]
        return ends[-1] if ends else None

    def _records(
        self, start: int, stop: int | None, kept: _Kept | None = None
    ) -> Iterator[tuple[int, list[Any]]]:
        """The rows of lines [start, stop) of the sheet (stop None: to its end), as `records`
        gives them; with `kept` (`_dates_kept`), as `counted_records` gives them; from each
        piece the sheet was loaded in (one, or two halves), its own lines.

        The hot loop of a workbook, a chunk of rows at a time and a column at a time, in C: a
        column of text cells (most of a log's) is left as calamine gave it, and only the cells
        of other columns are made text (`_texts_of`). A log has a few thousand distinct dates
        in 100,000s of date cells, so each date's text is made once.
        """
        starts = [piece.first_line for piece in self.pieces[1:]]
        for piece, end in zip(self.pieces, [*starts, None], strict=True):
            low = max(start, piece.first_line)
            high = end if stop is None else stop if end is None else min(stop, end)
            if high is None or low < high:
                yield from self._records_of(piece, low, high, kept)

    def _records_of(
        self, piece: _Piece, start: int, stop: int | None, kept: _Kept | None
    ) -> Iterator[tuple[int, list[Any]]]:
        """`_records` of lines [start, stop) of one piece of the sheet."""
        width = self.width
        number = start
        rows = piece.rows(start, stop)
        texts: dict[object, str] = {}
        chunk: list[list[Any]]  # of cells, then of their texts
        while chunk := list(islice(rows, _ROWS_AT_ONCE)):
            first = number
            number += len(chunk)
            if len(set(map(len, chunk))) != 1:  # calamine's rows are of one width: never seen
                chunk = [_row_texts(values, width) for values in chunk]
            else:
                if kept is None or not kept(chunk):
                    chunk = _texts_of(chunk, texts)
                if len(chunk[0]) < width:  # a sheet has no "missing cells"
                    chunk = [row + [""] * (width - len(row)) for row in chunk]
                if not chunk[0]:
                    continue  # rows of no cell
            # Blank rows are not requests: the first cell (usually the id) settles it cheaply
            # for almost every row, in C; the few with a blank first cell are looked at whole.
            heads = list(map(str.strip, map(itemgetter(0), chunk)))
            if all(heads):
                yield from zip(count(first), chunk)
                continue
            for line, (row, head) in enumerate(zip(chunk, heads, strict=True), first):
                if head or "".join(map(str, row)).strip():  # a kept date is not blank
                    yield line, row

    # --- what calamine does not say ----------------------------------------------------------

    def _read_columns(self) -> dict[int, str]:
        """The sheet's own (zero-based) column index of each column coopstats reads, with the
        header's name for it."""
        return {
            self.first_column + position: self.header[position]
            for position in sorted(set(self.index.values()))
            if position < self.width
        }

    def _check_cells(self, found: _Cells) -> None:
        """Stop at an unsaved formula or cells merged over rows, in a column that is read."""
        columns = self._read_columns()
        merged, unsaved = found
        merged = list(merged)
        for piece in self.pieces:  # the second of two halves holds the sheet's merged cells
            merged += getattr(piece.sheet, "merged_cell_ranges", None) or []
        top = self.header_line - 1
        for row, column, formula in unsaved:
            if row >= top and column in columns:
                more = sum(1 for r, c, _ in unsaved if r >= top and c in columns) - 1
                extra = f" (and {more} more such cell(s))" if more else ""
                raise file_problem(
                    self.name,
                    f"the value of the formula in cell {column_letters(column)}{row + 1} was "
                    f"not saved in the file{extra}: its value is unknown",
                    "unsaved-formula",
                    line=row + 1,
                    column=columns[column],
                    value=formula,
                    hint=_HINT_FORMULA,
                )
        for (r0, c0), (r1, c1) in sorted(merged):
            hit = [c for c in range(c0, c1 + 1) if c in columns]
            if r1 > r0 and r1 > top and hit:
                where = f"{column_letters(c0)}{r0 + 1}:{column_letters(c1)}{r1 + 1}"
                raise file_problem(
                    self.name,
                    f"cells {where} are merged over rows {r0 + 1}-{r1 + 1}: only row {r0 + 1} "
                    "holds the value, the other rows would read as empty",
                    "merged-cells",
                    line=r0 + 1,
                    column=columns[hit[0]],
                    hint=_HINT_MERGED,
                )


class _Piece:
    """The rows that calamine loaded of one sheet, all of them or one half (xlsx_halves): its
    lines from `first_line` on, each row widened to the columns [first, last] that the pieces
    together hold (zero-based), as calamine would give the sheet's row loaded whole."""

    def __init__(self, first_line: int, sheet: Any, first: int, last: int) -> None:
        self.first_line, self.sheet = first_line, sheet
        start, end = sheet.start, sheet.end
        self.lead: list[str] = [""] * (start[1] - first) if start is not None else []
        self.trail: list[str] = [""] * (last - end[1]) if end is not None else []

    def rows(self, start: int, stop: int | None) -> Iterator[list[Any]]:
        """The rows of lines [start, stop) (stop None: to the piece's last)."""
        rows = self.sheet.iter_rows()
        deque(islice(rows, start - 1), maxlen=0)  # the rows before, passed over in C
        if stop is not None:
            rows = islice(rows, stop - start)
        if self.lead or self.trail:
            lead, trail = self.lead, self.trail
            return (lead + row + trail for row in rows)
        return rows  # type: ignore[no-any-return]


def _opened(calamine: Any, source: Source) -> tuple[Any, list[str]]:
    """The workbook opened by calamine, closed with the source, and its sheets' names."""
    handle = open(source.path, "rb")  # noqa: SIM115 - closed with the source
    source.on_close(handle.close)
    try:
        # From the bytes, not the name: a workbook through standard input is a .csv file.
        book = calamine.CalamineWorkbook.from_filelike(handle)
        names = list(book.sheet_names)
    except BaseException as err:  # calamine's errors, and pyo3's PanicException
        if isinstance(err, KeyboardInterrupt | SystemExit):
            raise
        raise _not_readable(source.name, err, source.path) from None
    source.on_close(book.close)
    return book, names


_Merged = list[tuple[tuple[int, int], tuple[int, int]]]
_Cells = tuple[_Merged, list[tuple[int, int, str]]]  # merged ranges, unsaved formulas


def _scan_cells(path: Path, sheet: str, name: str) -> _Cells:
    """(cells merged over rows, formulas without a saved value) of one sheet, read from the
    file itself: (row, column) zero-based each, and each formula's text."""
    merged: _Merged = []
    unsaved: list[tuple[int, int, str]] = []  # (row, column) zero-based, formula
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "content.xml" in names:  # OpenDocument
                merged, unsaved = _ods_cells(archive, sheet)
            elif "xl/workbook.xml" in names:
                part = sheet_part(archive, sheet)
                if part is not None and part in names:
                    unsaved = _xlsx_unsaved_formulas(archive, part)
    except zipfile.BadZipFile:
        pass  # .xls: formulas keep their values in the file; merges come from calamine
    except (KeyError, OSError, ValueError, SyntaxError, EOFError, RuntimeError,
            NotImplementedError) as err:
        # XML's ParseError is a SyntaxError; a damaged or encrypted member of the zip
        # raises EOFError, RuntimeError, NotImplementedError or zlib's error (an OSError
        # subclass it is not: caught by its class below).
        raise _not_readable(name, err, path) from None
    except Exception as err:  # noqa: BLE001 - zlib.error and the like, from a damaged zip
        if type(err).__module__ not in ("zlib", "zipfile", "xml.etree.ElementTree"):
            raise
        raise _not_readable(name, err, path) from None
    return merged, unsaved


def _reported(
    rows: Iterator[tuple[int, list[str]]], meter: Meter
) -> Iterator[tuple[int, list[str]]]:
    """`rows`, telling the meter the row reached every ROWS_PER_REPORT rows."""
    from coopstats.feedback import ROWS_PER_REPORT

    try:
        for n, record in enumerate(rows, 1):
            yield record
            if not n % ROWS_PER_REPORT:
                meter.at(record[0])
    finally:
        meter.close()


# --- .xlsx ------------------------------------------------------------------------------------

_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_REF = re.compile(rb'\br="([A-Z]+)([0-9]+)"')


def _xlsx_unsaved_formulas(archive: zipfile.ZipFile, part: str) -> list[tuple[int, int, str]]:
    """(row, column, formula) of every formula cell of the sheet with no saved value.

    Excel and LibreOffice save each formula's last value in `<v>`; a file written by a script
    (openpyxl's `ws["B2"] = "=A2+1"`) has `<f>` alone, or an empty `<v/>`. An empty `<v>` of
    type "str" is a formula whose value is the empty string: saved. The sheet XML is streamed
    in chunks cut at a row's end; a chunk without a formula tag is passed over with one search.
    """
    with archive.open(part) as stream:
        return _unsaved_formulas(stream)


def _unsaved_formulas_in(xml: tuple[bytes, ...]) -> list[tuple[int, int, str]]:
    """`_unsaved_formulas` of a sheet's XML held in memory in pieces: most sheets hold no
    formula tag at all, which one search of each piece tells."""
    match = _PREFIX.search(xml[0][:4096]) if xml else None
    tag = b"<" + ((match[1] or b"") if match else b"") + b"f"
    edge = len(tag) - 1
    joints = [a[-edge:] + b[:edge] for a, b in zip(xml, xml[1:], strict=False)]
    if not any(tag in piece for piece in [*xml, *joints]):
        return []
    return _unsaved_formulas(io.BytesIO(b"".join(xml)))


def _unsaved_formulas(stream: IO[bytes]) -> list[tuple[int, int, str]]:
    """`_xlsx_unsaved_formulas` of the sheet XML read from `stream`."""
    found: list[tuple[int, int, str]] = []
    head = stream.read(_CHUNK)
    match = _PREFIX.search(head[:4096])
    prefix = (match[1] or b"") if match else b""
    p = re.escape(prefix)
    formula_tag, value_tag = b"<" + prefix + b"f", b"<" + prefix + b"v"
    cell = re.compile(rb"<" + p + rb"c\s([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
    formula = re.compile(rb"<" + p + rb"f\b[^>]*?(?:/>|>(.*?)</" + p + rb"f>)", re.S)
    value = re.compile(rb"<" + p + rb"v>([^<]+)</" + p + rb"v>")
    kind = re.compile(rb'\bt="([^"]*)"')
    row_end = b"row>"
    buffer = head
    while buffer:
        more = stream.read(_CHUNK)
        if more:
            cut = buffer.rfind(row_end)
            if cut < 0:
                buffer += more
                continue
            cut += len(row_end)
            chunk, buffer = buffer[:cut], buffer[cut:] + more
        else:
            chunk, buffer = buffer, b""
        if formula_tag not in chunk:
            continue
        for m in cell.finditer(chunk):
            body = m[2]
            if not body or formula_tag not in body:
                continue
            f = formula.search(body)
            if f is None or value.search(body):
                continue
            t = kind.search(m[1])
            if t is not None and t[1] in (b"str", b"inlineStr") and value_tag in body:
                continue  # a formula whose saved value is the empty string
            ref = _REF.search(m[1])
            if ref is None:
                continue
            text = (f[1] or b"").decode("utf-8", "replace")
            found.append((int(ref[2]) - 1, _column_index(ref[1].decode()), "=" + text))
    return found


# --- .ods -------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_cells(
    archive: zipfile.ZipFile, sheet: str
) -> tuple[list[tuple[tuple[int, int], tuple[int, int]]], list[tuple[int, int, str]]]:
    """(merged ranges over several rows, formulas without a value) of one sheet of an .ods.

    Parsed only when the document holds a merge or a formula at all: LibreOffice always saves
    formulas' values, and most exports have neither.
    """
    with archive.open("content.xml") as stream:
        raw = stream.read()
    if b"number-rows-spanned" not in raw and b"formula=" not in raw:
        return [], []
    import io
    from xml.etree import ElementTree

    t = f"{{{_TABLE}}}"
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
    unsaved: list[tuple[int, int, str]] = []
    inside = False
    row = column = 0
    for event, element in ElementTree.iterparse(io.BytesIO(raw), events=("start", "end")):
        tag = element.tag
        if tag == f"{t}table":
            if event == "start":
                inside = element.get(f"{t}name") == sheet
                row = 0
            else:
                if inside:
                    break
                element.clear()
            continue
        if not inside:
            continue
        if tag == f"{t}table-row":
            if event == "start":
                column = 0
            else:
                row += int(element.get(f"{t}number-rows-repeated") or 1)
                element.clear()
        elif tag in (f"{t}table-cell", f"{t}covered-table-cell") and event == "start":
            repeat = int(element.get(f"{t}number-columns-repeated") or 1)
            span = int(element.get(f"{t}number-rows-spanned") or 1)
            if span > 1:
                width = int(element.get(f"{t}number-columns-spanned") or 1)
                merged.append(((row, column), (row + span - 1, column + width - 1)))
            text = element.get(f"{t}formula")
            if text is not None and element.get(f"{{{_OFFICE}}}value-type") is None:
                shown = text.split(":", 1)[1] if text.startswith("of:") else text
                unsaved.extend((row, column + k, shown) for k in range(repeat))
            column += repeat
    return merged, unsaved
