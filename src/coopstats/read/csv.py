"""CSV logs: encoding, delimiter, title rows, and the records with their line numbers.

Nothing here prints and nothing here writes to the user's file.

The rules for bytes, stated once (and tested in tests/test_reading.py and
tests/test_defects_input.py):

- A UTF-8 byte-order mark is dropped; a UTF-16 one means UTF-16 (Excel's "Unicode text"); a
  UTF-32 one stops the run with `--encoding utf-32` to pass. Any other file is read as UTF-8
  unless `--encoding` names another encoding, and a byte that is not UTF-8 stops the run with
  the line it is on and a suggested `--encoding`: never mojibake.
- A NUL character (byte 0x00 in a one-byte encoding) anywhere in the file makes it binary, not a
  log: the run stops, the message naming the line of the first NUL, wherever it is (in the first
  64 KiB that are sniffed or far past them, on the fast path or the csv module's).
- A zip file is read as a workbook, whatever its name (`.xlsx` through standard input); a file
  named `.xlsx` that is no zip file is not read as CSV but named for what it looks like.
- A quoted cell that is never closed makes its record invalid (on the line of the opening
  quote), and reading goes on from the next line.
- The delimiter is the most frequent of `,` `;` tab in the header line (`--delimiter` forces
  one); a first line `sep=;`, as Excel writes it, names it too.
- Line numbers are those an editor shows: blank lines count, a record spanning lines is named by
  its first line.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Generator, Iterator
from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any, TypeVar

from coopstats.errors import UsageError
from coopstats.model import REQUIRED_COLUMNS, Problem
from coopstats.read.header import (
    BOM,
    DELIMITERS,
    HEADER_ROWS,
    choose_header,
    has_columns,
    map_header,
    note_header,
)
from coopstats.read.lines import (
    BLOCK,
    NotPlain,
    Record,
    breaks_fast_path,
    line_blocks,
    split_records,
)
from coopstats.read.options import ReadOptions
from coopstats.read.source import SNIFF_BYTES, FileProblem, Source, file_problem
from coopstats.read.table import Block, Numbered, Part, Table, Unreadable

if TYPE_CHECKING:
    from coopstats.feedback import Meter

T = TypeVar("T")

csv.field_size_limit(2**31 - 1)  # free-text cells of any size: the default limit is 128 KiB

_SEP_LINE = re.compile(r"\s*sep=(.)\s*")  # matched before stripping: the delimiter may be a tab
_VALUE_SHOWN = 80  # characters of a line quoted in an encoding problem
# Encodings in which byte 0x0A is always a line end: the fast path may split their bytes at it.
_ONE_BYTE_NEWLINE = {"utf-8", "utf-8-sig", "ascii", "latin-1", "iso8859-1", "iso8859-15", "cp1252"}
HALVES_FROM = 8 << 20  # below 8 MiB, a second process costs more than it saves
_UNCLOSED_KEPT = 100  # unclosed quotes read past (each re-reads the rest; one is the most seen)


def _detect_encoding(head: bytes, name: str, encoding: str | None) -> str:
    if encoding:
        try:
            info = codecs.lookup(encoding)
        except LookupError:
            raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
        try:
            "".encode(info.name)  # a LookupError for codecs of bytes to bytes (base64, rot13)
            # Text codecs that cannot read a file: idna and punycode refuse the error handlers
            # the reader uses, `undefined` refuses everything.
            sample = "id,organ\n".encode(info.name)
            codecs.getincrementaldecoder(info.name)("replace").decode(sample, final=True)
        except (LookupError, UnicodeError, ValueError, TypeError):
            raise UsageError(
                f"--encoding {encoding}: not a character encoding but a {info.name} transform; "
                "name the file's encoding, e.g. utf-8, cp1252, latin-1 or utf-16"
            ) from None
        if info.name == "utf-8":
            return "utf-8-sig"  # a UTF-8 byte-order mark is never part of the first header
        if head.startswith(codecs.BOM_UTF8) and not info.name.startswith("utf"):
            raise file_problem(
                name,
                f"the file starts with a UTF-8 byte-order mark: it is UTF-8, not {encoding}",
                "encoding-error",
                line=1,
                hint="leave out --encoding",
            )
        return encoding
    # The UTF-32-LE mark starts with the UTF-16-LE one: it is looked for first.
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise file_problem(
            name,
            "the file starts with a UTF-32 byte-order mark: it is UTF-32 text",
            "encoding-error",
            line=1,
            hint="pass --encoding utf-32",
        )
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # stated rule: a UTF-16 mark means UTF-16 (Excel's "Unicode text")
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if max(even, odd) > len(head) // 4 and min(even, odd) == 0:
            guess = "utf-16-le" if odd else "utf-16-be"
            raise file_problem(
                name,
                "this looks like UTF-16 text without a byte-order mark",
                "encoding-error",
                hint=f"pass --encoding {guess}",
            )
        before = head[: head.index(b"\x00")]
        raise nul_problem(name, 1 + _byte_breaks(io.BytesIO(before), len(before)))
    return "utf-8-sig"


_QUOTED = re.compile(r'"[^"]*(?:"|$)')  # from a quote to the next one, or to the end


def sniff_delimiter(header_line: str) -> str:
    """The most frequent of `,` `;` tab outside quotes in the header line (`,` on a tie)."""
    outside = _QUOTED.sub("", header_line) if '"' in header_line else header_line
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _given_delimiter(given: str | None) -> str | None:
    if given is None:
        return None
    if not given:
        raise UsageError("--delimiter: it is empty; give one character (write tab as \\t)")
    if given in ("\\t", "tab", "TAB"):
        return "\t"
    if len(given) != 1 or given in '"\r\n':
        raise UsageError(f"--delimiter: {given!r} is not one character (write tab as \\t)")
    return given


class CsvTable(Table):
    def __init__(self, source: Source, options: ReadOptions, head: bytes | None = None) -> None:
        self.name = source.name
        self.path = source.path
        if head is None:
            with open(source.path, "rb") as raw:
                head = raw.read(SNIFF_BYTES)
        self.encoding = _detect_encoding(head, self.name, options.encoding)
        self.delimiter = _given_delimiter(options.delimiter)
        self.preamble = 0  # lines before the header: blank lines, Excel's `sep=;`
        with self._open() as text:
            first = self._readline(text)
            seen_sep = False
            while first:
                if not first.strip().lstrip(BOM).strip():
                    self.preamble += 1  # blank lines above the header
                elif not seen_sep and (
                    sep := _SEP_LINE.fullmatch(first.lstrip(BOM).rstrip("\r\n"))
                ):
                    self.preamble += 1  # Excel's `sep=;` names the delimiter
                    self.delimiter = self.delimiter or sep[1]
                    seen_sep = True
                else:
                    break
                first = self._readline(text)
            if not first:
                raise file_problem(
                    self.name, "the file is empty (no header row)", "empty-file",
                    hint="a log starts with a header row: id, organ, kind, sent, ...",
                )
            self.header_line = self.preamble + 1
            given = self.delimiter
            if "\x00" in first:  # with --encoding or a UTF-16 mark: the head was not sniffed
                raise nul_problem(self.name, self.header_line)
            self.delimiter = self.delimiter or sniff_delimiter(first)
            reader = csv.reader(chain([first], text), delimiter=self.delimiter)
            try:
                header = next(reader, [])
            except csv.Error as err:
                raise self._csv_error(err, self.header_line) from None
            except UnicodeError as err:
                raise self._decode_error(err) from None
        if options.header_row is not None or options.survey or not has_columns(header, options):
            header = self._title_rows(header, given, options)
        self.header, self.width = header, len(header)
        self.index = map_header(self.name, header, self.header_line, options, self._header_below)
        self._plain = self._plain_start()

    def _title_rows(self, header: list[str], given: str | None, options: ReadOptions) -> list[str]:
        """The header when it is not the first row (SPEC §8), read with the delimiter that
        finds it: a title line above it may hold another delimiter, or none."""
        if options.header_row is not None and options.header_row < self.header_line:
            raise file_problem(
                self.name,
                f"--header-row {options.header_row}: line {options.header_row} is "
                + ("blank" if self.preamble else "before the first row"),
                "missing-label",
                line=options.header_row,
            )
        assert self.delimiter is not None
        tried = list(dict.fromkeys([self.delimiter] if given else [self.delimiter, *DELIMITERS]))
        found: list[tuple[str, tuple[int, list[str]]]] = []
        for delimiter in tried:
            try:
                chosen = choose_header(
                    self.name, self._first_rows(delimiter, options.header_row), options
                )
            except FileProblem:
                if delimiter == tried[0]:
                    raise
                continue  # another delimiter may join lines into records otherwise
            if chosen is not None:
                found.append((delimiter, chosen))
                if options.header_row is None and not options.survey:
                    break  # the first delimiter that finds a row naming the required columns
        if not found:
            return header
        # The row given by --header-row, or guessed for a survey, is read with the delimiter
        # that cuts it into most cells.
        delimiter, (line, header) = max(found, key=lambda f: len(f[1][1]))
        note_header(self.name, line, self.header_line, options, "line")
        self.delimiter = delimiter
        self.header_line = line
        self.preamble = self.header_line - 1
        return header

    def _first_rows(self, delimiter: str, until: int | None) -> list[tuple[int, list[str]]]:
        """The first rows from the header's line on, blank ones aside: 21 of them (the first
        and the 20 where SPEC §8 looks for the header), or up to line `until`."""
        rows: list[tuple[int, list[str]]] = []
        with self._open() as text:
            for _ in range(self.preamble):
                text.readline()
            reader = csv.reader(text, delimiter=delimiter)
            last = 0
            try:
                for row in reader:
                    line, last = self.preamble + last + 1, reader.line_num
                    if any(cell.strip() for cell in row):
                        rows.append((line, row))
                    if until is None and len(rows) > HEADER_ROWS or until is not None and (
                        line >= until
                    ):
                        break
            except csv.Error as err:
                raise self._csv_error(err, self.preamble + last + 1) from None
            except UnicodeError as err:
                raise self._decode_error(err) from None
        return rows

    def _open(self, start: int = 0, meter: Meter | None = None) -> IO[str]:
        """The text from byte `start` on (the start of a line), for the csv module; the bytes
        read are told to `meter`, a MiB at a time, when there is one."""
        if meter is not None:
            counted = _Metered(open(self.path, "rb", buffering=0), meter)  # noqa: SIM115
            counted.file.seek(start)
            return io.TextIOWrapper(
                io.BufferedReader(counted, 1 << 20), encoding=self.encoding, newline=""
            )
        raw = open(self.path, "rb", buffering=1 << 20)  # noqa: SIM115 - closed with the wrapper
        raw.seek(start)
        return io.TextIOWrapper(raw, encoding=self.encoding, newline="")

    def _readline(self, text: IO[str]) -> str:
        try:
            return text.readline()
        except UnicodeError as err:
            raise self._decode_error(err) from None

    def _decode_error(self, err: UnicodeError) -> FileProblem:
        """The first undecodable byte of the file, on the line it is on.

        The text layer decodes ahead in chunks, so the line being read when the error surfaced
        may be lines before the bad byte: the file is scanned again to find it.
        """
        line, byte, text = self._first_bad_byte()
        if line is None and isinstance(err, UnicodeDecodeError):
            byte = err.object[err.start : err.start + 1].hex()
        if self.encoding.startswith("utf-8"):
            named = "UTF-8"
            hint = "try --encoding cp1252 (Excel on Windows) or --encoding latin-1"
        else:
            named = self.encoding
            hint = "check --encoding"
        what = f"cannot decode byte 0x{byte}" if byte else f"cannot decode it ({err})"
        return file_problem(
            self.name, f"{what}: the file is not {named}", "encoding-error",
            line=line, value=text, hint=hint,
        )

    def _first_bad_byte(self) -> tuple[int | None, str, str | None]:
        """(line, byte in hex, that line's text with bad bytes replaced) of the first error."""
        decoder = codecs.getincrementaldecoder(self.encoding)()
        line, after_cr = 1, False
        with open(self.path, "rb") as raw:
            for piece in iter(lambda: raw.readline(1 << 16), b""):
                try:
                    text = decoder.decode(piece)
                except UnicodeError as err:
                    return self._locate(err, line, after_cr)
                line += _breaks(text, after_cr)
                after_cr = text.endswith("\r") if text else after_cr
            try:
                decoder.decode(b"", final=True)
            except UnicodeError as err:
                return self._locate(err, line, after_cr)
        return None, "", None

    def _locate(
        self, err: UnicodeError, line: int, after_cr: bool
    ) -> tuple[int, str, str | None]:
        if not isinstance(err, UnicodeDecodeError):
            return line, "", None  # e.g. UTF-16 without a mark: no one byte is at fault
        before = err.object[: err.start].decode(self.encoding, "replace")
        rest = err.object[err.start :].decode(self.encoding, "replace")
        start_of_line = re.split(r"\r\n|\r|\n", before)[-1]
        end_of_line = re.split(r"\r\n|\r|\n", rest)[0]
        snippet = (start_of_line + end_of_line)[:_VALUE_SHOWN]
        byte = err.object[err.start : err.start + 1].hex()
        return line + _breaks(before, after_cr), byte, snippet or None

    def _csv_error(self, err: csv.Error, line: int) -> FileProblem:
        return file_problem(self.name, f"not valid CSV ({err})", "format-error", line=line)

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """Every record after the header with its first line.

        A plain log goes through the fast path of lines.py, which hands over to the csv module
        at the first block holding a quote; its blank lines come out as rows of empty cells,
        which every reader of records passes over.
        """
        meter = self._meter(self._plain[0] if self._plain else 0, None)
        if self._plain is None:
            return _closing(self._csv_records(None, 0, meter), meter)
        start, encoding = self._plain
        return _closing(
            split_records(
                self.path, start, None, self.header_line + 1, encoding, self.delimiter or ",",
                self._decode_failure, self._fallback(meter), _told(meter),
            ),
            meter,
        )

    def _meter(self, start: int, end: int | None) -> Meter | None:
        """A progress meter of the bytes [start, end) (end None: the file's end), or None when
        no bar may be drawn (feedback.meter): then nothing is measured at all."""
        from coopstats import feedback

        size = end if end is not None else self.path.stat().st_size
        meter = feedback.meter(size, "bytes", f"reading {os.path.basename(self.name)}")
        if meter is not None:
            meter.at(start)
        return meter

    def _fallback(self, meter: Meter | None) -> Callable[[int, int], Iterator[Record]]:
        if meter is None:
            return self._csv_records
        return lambda start, line: self._csv_records(start, line, meter)

    def halves(self) -> tuple[Part, Part] | None:
        """The records in two parts split at a line end near the middle, for two processes:
        only for a plain log large enough to gain from it.

        The second part's first line is counted by the process that reads it. A quoted cell
        may hold a line break, and so the split: it is at the first line end past the middle
        between two lines that look like records (no quote, the header's number of
        delimiters), or else after an even number of quotes, which in a log written by the
        rules of CSV is a record's end. Whatever the log, the first part, read from the header
        on, knows at its end whether it was one (`_csv_part` raises NotPlain), and the log is
        then counted again in one pass.
        """
        if self._plain is None:
            return None
        start, _ = self._plain
        size = self.path.stat().st_size
        if size - start < HALVES_FROM:
            return None
        middle = start + (size - start) // 2
        with open(self.path, "rb") as raw:
            raw.seek(middle)
            near = raw.read(1 << 16)
            split = _between_plain_lines(near, (self.delimiter or ",").encode(), self.width)
            if split is not None:
                split += middle
            else:
                quotes = 0  # before the middle: only their parity matters
                raw.seek(start)
                while (left := middle - raw.tell()) > 0 and (piece := raw.read(min(1 << 20, left))):
                    quotes += piece.count(b'"')
                raw.seek(middle)
                split = _line_end_outside_quotes(raw, middle, quotes % 2 == 1)
        if split is None or split >= size:
            return None  # the second half is one line, or one record: not worth a process
        return (start, split, self.header_line + 1), (split, None, None)

    def numbered(self, part: Part) -> Numbered:
        start, end, first = part
        if first is not None:
            return start, end, first
        assert self._plain is not None, "parts come from halves(), which needs a fast path"
        position, _ = self._plain
        ends = 0
        with open(self.path, "rb") as raw:
            raw.seek(position)
            while position < start and (block := raw.read(min(BLOCK, start - position))):
                ends += block.count(b"\n")
                position += len(block)
        return start, end, self.header_line + 1 + ends

    def records_in(
        self, start: int, end: int | None, first_line: int | None
    ) -> Iterator[tuple[int, list[str]]]:
        assert self._plain is not None, "halves() is None for a table without a fast path"
        _, _, first = self.numbered((start, end, first_line))
        meter = self._meter(start, end)
        return _closing(
            split_records(
                self.path, start, end, first, self._plain[1], self.delimiter or ",",
                self._decode_failure, self._part_fallback(end, meter), _told(meter),
            ),
            meter,
        )

    def _part_fallback(
        self, end: int | None, meter: Meter | None
    ) -> Callable[[int, int], Iterator[Record]]:
        """The csv module's records from a block with a quote on, to the end of a part: the
        first part's are bounded by its end (see `_csv_part`), the last part's run to the end
        of the file, as the whole table's do."""
        if end is None:
            return self._fallback(meter)
        return lambda start, line: self._csv_part(start, end, line, meter)

    def _csv_part(
        self, start: int, end: int, first_line: int, meter: Meter | None = None
    ) -> Iterator[Record]:
        """Records by the csv module of the bytes [start, end), `start` being the start of a
        record on line `first_line`, for the first part of `halves`.

        Raises NotPlain when `end` falls inside a record (a quoted cell holding a line break
        across the split, or never closed): the second part then began inside a cell, and the
        log must be counted in one pass. Also at a lone carriage return, which the csv module
        counts as a line end and the split's line count does not, and at a NUL byte.
        """
        assert self._plain is not None
        encoding = self._plain[1]
        cut = False

        def lines() -> Iterator[str]:
            nonlocal cut
            position, line, tail = start, first_line, b""
            with open(self.path, "rb") as raw:
                raw.seek(start)
                while position < end:
                    block = raw.read(min(BLOCK, end - position))
                    if not block:
                        break
                    position += len(block)
                    if meter is not None:
                        meter.advance(len(block))
                    data = tail + block
                    k = data.rfind(b"\n") + 1 if position < end else len(data)
                    chunk, tail = data[:k], data[k:]
                    if b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n"):
                        raise NotPlain(f"{self.name}: a lone carriage return near line {line}")
                    if b"\x00" in chunk:  # one process reads it, and says what _refuse_nul says
                        raise NotPlain(f"{self.name}: a NUL byte near line {line}")
                    try:
                        text = chunk.decode(encoding)
                    except UnicodeDecodeError as err:
                        failing = line + chunk.count(b"\n", 0, err.start)
                        raise self._decode_failure(err, failing) from None
                    line += chunk.count(b"\n")
                    yield from io.StringIO(text, newline="")
            cut = True  # asked for a line past the end: the record being read goes on

        reader = csv.reader(lines(), delimiter=self.delimiter or ",")
        last = 0
        try:
            for row in reader:
                if cut:
                    raise NotPlain(f"{self.name}: a quoted cell spans the split of the log")
                first, last = last + 1, reader.line_num
                if row and (row[0].strip() or "".join(row).strip()):
                    yield first_line + first - 1, row
        except csv.Error as err:
            raise self._csv_error(err, first_line + reader.line_num - 1) from None

    def line_blocks(self, part: Part | None = None) -> Iterator[Block] | None:
        if self._plain is None:
            return None
        start, encoding = self._plain
        if part is None:
            meter = self._meter(start, None)
            return _closing(
                line_blocks(
                    self.path, start, None, self.header_line + 1, encoding,
                    self.delimiter or ",", self._decode_failure, self._fallback(meter),
                    _told(meter),
                ),
                meter,
            )
        start, end, first = self.numbered(part)
        meter = self._meter(start, end)
        return _closing(
            line_blocks(
                self.path, start, end, first, encoding, self.delimiter or ",",
                self._decode_failure, self._part_fallback(end, meter), _told(meter),
            ),
            meter,
        )

    def _decode_failure(self, err: UnicodeError, line: int) -> Exception:
        return self._decode_error(err)

    def _plain_start(self) -> tuple[int, str] | None:
        """(byte offset of the first record, encoding of the records) when the fast path can
        read this log: an encoding in which a line end is one byte of its own, and a header
        region that ends where its lines do (the fast path counts lines by their \n): with no
        NUL or lone carriage return, and with its quotes, if any, all closed by its end (a log
        with every cell quoted has a quoted header)."""
        try:
            name = codecs.lookup(self.encoding).name
        except LookupError:
            return None
        if name not in _ONE_BYTE_NEWLINE:
            return None
        with open(self.path, "rb") as raw:
            head = b"".join(raw.readline() for _ in range(self.header_line))
        if not head.endswith(b"\n") or breaks_fast_path(head):
            return None
        if b'"' in head:  # strict: a quoted cell still open at the end is an error
            try:
                lines = io.StringIO(head.decode(self.encoding), newline="")
                for _ in csv.reader(lines, delimiter=self.delimiter or ",", strict=True):
                    pass
            except (csv.Error, UnicodeError):
                return None
        return len(head), "utf-8" if name == "utf-8-sig" else name

    def _csv_records(
        self, start: int | None, first_line: int, meter: Meter | None = None
    ) -> Iterator[tuple[int, list[str]]]:
        """Records by the csv module: from the top (start None, the header skipped), or from
        byte `start` on, that byte being the start of line `first_line`.

        A quoted cell that is never closed takes the rest of the file as one cell: that record
        comes out as an Unreadable row on the line of the opening quote, and reading goes on
        from the next line, so that the problems after it are found too.
        """
        self._refuse_nul(start or 0, 1 if start is None else first_line)
        skip = 0  # lines passed over after `start`: to go on after an unclosed quote
        for _ in range(_UNCLOSED_KEPT + 1):
            opened = yield from self._csv_from(start, first_line, skip, meter)
            if opened is None:
                return
            yield opened, Unreadable(self._unclosed(opened))
            if start is None:
                start, first_line = 0, 1
            skip = opened - first_line + 1  # on from the line after the opening quote
        raise file_problem(
            self.name, f"more than {_UNCLOSED_KEPT} quoted cells are never closed",
            "format-error", hint='a quote inside a quoted cell is written twice: ""',
        )

    def _csv_from(
        self, start: int | None, first_line: int, skip: int, meter: Meter | None = None
    ) -> Generator[tuple[int, list[str]], None, int | None]:
        """The records from `start` (see _csv_records), `skip` lines after it on; returns the
        first line of a last record left open by an unclosed quote, without yielding it."""
        offset = self.preamble if start is None else first_line - 1
        first = last = 0
        held: tuple[int, list[str]] | None = None  # a record, yielded once the next is read
        if meter is not None:
            meter.at(start or 0)
        with self._open(start or 0, meter) as text:
            reader = csv.reader(text, delimiter=self.delimiter or ",")
            try:
                if start is None:
                    for _ in range(offset):
                        text.readline()
                    next(reader, None)
                else:
                    for _ in range(skip):
                        text.readline()
                    offset += skip
                last = reader.line_num
                for row in reader:
                    first, last = last + 1, reader.line_num
                    # Blank lines, and rows of empty or blank cells, are not requests (the
                    # first cell, usually the id, settles it cheaply for almost every row).
                    if row and (row[0].strip() or "".join(row).strip()):
                        if held is not None:
                            yield held
                        held = first + offset, row
            except UnicodeError as err:
                raise self._decode_error(err) from None
            except csv.Error as err:
                raise self._csv_error(err, reader.line_num + offset) from None
        if (
            held is not None
            and held[0] == first + offset
            and last > first
            and self._ends_in_quotes(first + offset)
        ):
            return first + offset
        if held is not None:
            yield held
        return None

    def _unclosed(self, line: int) -> Problem:
        return Problem(
            line, None, None,
            f"a quoted cell opened on line {line} is never closed: the rest of the file would "
            f"be one cell; read on from line {line + 1}",
            "format-error", 'close the quote; a quote inside a quoted cell is written twice: ""',
        )

    def _refuse_nul(self, start: int, first_line: int) -> None:
        """Stop at a NUL character from byte `start` (the start of line `first_line`) on: the
        rule of the module's docstring, for the records the csv module reads. (The fast path
        hands a block holding a NUL to the csv module, so it meets the same rule.) The lines
        before it are counted only once one is found."""
        one_byte = codecs.lookup(self.encoding).name in _ONE_BYTE_NEWLINE
        with open(self.path, "rb") as raw:
            raw.seek(start)
            if one_byte:
                position = start
                while piece := raw.read(1 << 20):
                    found = piece.find(b"\x00")
                    if found >= 0:
                        raw.seek(start)
                        breaks = _byte_breaks(raw, position + found - start)
                        raise nul_problem(self.name, first_line + breaks)
                    position += len(piece)
                return
            decoder = codecs.getincrementaldecoder(self.encoding)("replace")
            breaks, after_cr = 0, False
            while piece := raw.read(1 << 20):
                text = decoder.decode(piece)
                found = text.find("\x00")
                if found >= 0:
                    breaks += _breaks(text[:found], after_cr)
                    raise nul_problem(self.name, first_line + breaks)
                breaks += _breaks(text, after_cr)
                after_cr = text.endswith("\r") if text else after_cr

    def _ends_in_quotes(self, line: int) -> bool:
        """Whether the record starting on `line` (the file's last) ends inside quotes: the csv
        module then takes the rest of the file as one cell without a word."""
        with self._open() as text:
            tail = islice(text, line - 1, None)
            try:
                for _ in csv.reader(tail, delimiter=self.delimiter or ",", strict=True):
                    pass
            except csv.Error as err:
                return "unexpected end of data" in str(err)
            except UnicodeError:
                return False
        return False

    def _header_below(self) -> int | None:
        wanted = set(REQUIRED_COLUMNS)
        try:
            with self._open() as text:
                reader = csv.reader(text, delimiter=self.delimiter or ",")
                for row in islice(reader, 30):
                    titles = {cell.strip().lstrip(BOM).strip().casefold() for cell in row}
                    if reader.line_num > self.header_line and wanted <= titles:
                        return reader.line_num
        except (csv.Error, UnicodeError):
            return None
        return None


class _Metered(io.RawIOBase):
    """A file whose reads are told to a progress meter (only when a bar may be drawn)."""

    def __init__(self, file: io.FileIO, meter: Meter) -> None:
        super().__init__()
        self.file = file
        self.meter = meter

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.file.readinto(buffer)
        self.meter.advance(n)
        return n

    def close(self) -> None:
        self.file.close()
        super().close()


def _told(meter: Meter | None) -> Callable[[int], None] | None:
    return None if meter is None else meter.advance


def _closing(items: Iterator[T], meter: Meter | None) -> Iterator[T]:
    """`items`, and the meter's bar taken off the screen when they end (or are let go)."""
    if meter is None:
        return items
    return _metered(items, meter)


def _metered(items: Iterator[T], meter: Meter) -> Iterator[T]:
    try:
        yield from items
    finally:
        meter.close()


def _between_plain_lines(data: bytes, delimiter: bytes, width: int) -> int | None:
    """The offset in `data` just past the first line end (its first line aside, which may have
    begun before it) between two whole lines that hold no quote and `width` cells, or None."""
    lines = data.split(b"\n")[1:-1]  # whole lines only
    offset = data.find(b"\n") + 1
    for before, after in zip(lines, lines[1:], strict=False):
        offset += len(before) + 1
        if (
            b'"' not in before
            and b'"' not in after
            and before.count(delimiter) == after.count(delimiter) == width - 1
        ):
            return offset
    return None


def _line_end_outside_quotes(raw: IO[bytes], position: int, inside: bool) -> int | None:
    """The offset just past the first line end from `position` (where `raw` is) that no open
    quote precedes, `inside` saying whether one was open at `position`; None at the file's end."""
    while piece := raw.read(1 << 16):
        at = 0
        while (cut := piece.find(b"\n", at)) >= 0:
            inside ^= piece.count(b'"', at, cut) % 2 == 1
            if not inside:
                return position + cut + 1
            at = cut + 1
        inside ^= piece.count(b'"', at) % 2 == 1
        position += len(piece)
    return None


def _breaks(text: str, after_cr: bool) -> int:
    """Line breaks in `text` (each of \\r\\n, \\r and \\n is one, as editors count them); a
    \\n that completes a \\r\\n split across two pieces is not a second break."""
    count = text.count("\r") + text.count("\n") - text.count("\r\n")
    return count - 1 if after_cr and text.startswith("\n") else count


def _byte_breaks(raw: IO[bytes], length: int) -> int:
    """Line breaks (as `_breaks` counts them) in the next `length` bytes of `raw`, in an
    encoding in which a line end is a byte of its own."""
    breaks, after_cr = 0, False
    while length > 0 and (piece := raw.read(min(length, 1 << 20))):
        length -= len(piece)
        breaks += piece.count(b"\r") + piece.count(b"\n") - piece.count(b"\r\n")
        if after_cr and piece.startswith(b"\n"):
            breaks -= 1
        after_cr = piece.endswith(b"\r")
    return breaks


def nul_problem(name: str, line: int) -> FileProblem:
    """A NUL character, wherever it is (the rule of the module's docstring)."""
    return file_problem(
        name,
        f"line {line} holds a NUL character (byte 0x00): this looks like a binary file, "
        "not a CSV log",
        "format-error",
        hint="if it is a log, remove the NUL characters (some database exports pad cells "
        "with them), or save it again as CSV UTF-8",
    )

