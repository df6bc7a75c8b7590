"""The fast path of reading: CSV is lines split at the delimiter, but for the lines with a quote.

Most logs are exports with no quoted cell at all. For them `str.split` gives exactly what the
csv module gives, and whole blocks can be split at C speed. In a block that holds a quote, only
the records that start on a line with a quote are read by the csv module (a quoted cell may go
on over line breaks); the other lines are split as before (LineBlock.quoted). A block with a lone
carriage return (an old Mac line end) or a NUL (`breaks_fast_path`) hands the rest of the file to
the csv module from the start of that block, as does a record still open at the file's end (a
quote never closed) or one longer than CARRIED.

Two views of the same blocks: `line_blocks` gives each block's lines as text, with the number of
its first line and the csv module's records among them, for the engine's own loops;
`split_records` gives records (line number, cells) like the csv module does.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, compress, count, repeat
from operator import contains, methodcaller
from pathlib import Path
from typing import NamedTuple

# 256 KiB at a time (~5,000 lines): enough to amortise the per-block work, and small enough
# that a block's strings are still in the CPU's cache when they are counted.
BLOCK = 1 << 18
# A record open at a block's end is carried into the next block, up to this size; a longer one
# (a quote never closed, most likely) is read by the csv module, which says so.
CARRIED = 1 << 20

Record = tuple[int, list[str]]
DecodeFailure = Callable[[UnicodeError, int], Exception]
# Reads the records from a byte offset on, that byte starting the given line (the csv module).
Fallback = Callable[[int, int], Iterator[Record]]


class NotPlain(Exception):
    """A part of a log read without the csv module holds what only the csv module reads right
    (a quote, a lone carriage return): the caller must read the log another way."""


class LineBlock(NamedTuple):
    """Whole lines of a part of a log, line ends removed; the first is line `first`.

    `spaced` False promises that no line holds a character that str.strip() removes, so no
    cell needs stripping; True promises nothing (any block outside ASCII, every block of a
    tab-delimited log). `quoted` None promises that every line is its record's cells joined by
    the delimiter; else it holds, by line, the csv module's cells of each record that starts on
    a line with a quote, that line and each line its quoted cells go on over being "" in
    `lines` (see quoted_lines).
    """

    first: int
    lines: list[str]
    spaced: bool = True
    quoted: dict[int, list[str]] | None = None


def breaks_fast_path(chunk: bytes) -> bool:
    """Whether these whole lines hold what the fast path never reads: a lone carriage return (an
    old Mac line end, which the csv module counts as a line end and the fast path does not), or
    a NUL, which the reader of the csv module's records stops at (csv.py states the rule), so
    that a NUL meets one rule wherever it is. `line_blocks` makes the same test its own way."""
    if b"\x00" in chunk:
        return True
    # Counted, not replaced: a Windows export has a carriage return on every line.
    return b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")


# The characters other than \n that str.strip() removes, when a text is ASCII (a lone \r never
# reaches here: it needs the csv module).
_ASCII_SPACES = (" ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def quoted_lines(
    pieces: list[str],
    special: list[int],
    end: str,
    delimiter: str,
    first: int,
    last_end: str | None = None,
) -> tuple[list[str], dict[int, list[str]], bool]:
    """The lines of a block holding quotes, from its text split at its line end `end` ("\r\n"
    or "\n"), its first line being line `first`: as LineBlock takes them, with the csv
    module's records; and whether its last record is still open at its end (a quoted cell going
    on past it), the lines then stopping before that record's first.

    `special` are the indices of the pieces holding a quote or, with "\r\n", a line feed of
    their own. Any other piece is one line, which split at the delimiter gives what the csv
    module makes of it. From a special piece on, the csv module reads the records, each line
    with its own line end (the last piece's `last_end` when it is another), until one ends with
    a piece: all at once where it can (`_records_at_once`). Raises csv.Error where the csv
    module does.
    """
    at_once = _records_at_once(pieces, special, end, delimiter, first, last_end)
    if at_once is not None:
        return at_once
    total = len(pieces)
    lines: list[str] = []
    quoted: dict[int, list[str]] = {}
    at = 0  # the next piece the csv module reads
    inside = False  # the last line it read is not its piece's last
    past = False  # it asked for a line past the block's last

    def feed() -> Iterator[str]:
        nonlocal at, inside, past
        while at < total:
            parts = pieces[at].split("\n")
            at += 1
            last = len(parts) - 1
            for k, text in enumerate(parts):
                inside = k < last
                yield text + ("\n" if inside else end if at < total else last_end or end)
        past = True

    reader = csv.reader(feed(), delimiter=delimiter)
    done = 0  # the pieces read into lines
    for start in special:
        if start < done:
            continue  # a piece of a record read already
        lines += pieces[done:start]
        at, read = start, reader.line_num
        while True:
            row = next(reader, None)
            if past or row is None:
                return lines, quoted, True
            quoted[first + len(lines)] = row
            lines += [""] * (reader.line_num - read)
            read = reader.line_num
            if not inside:
                break
        done = at
    lines += pieces[done:]
    return lines, quoted, False


def _records_at_once(
    pieces: list[str],
    special: list[int],
    end: str,
    delimiter: str,
    first: int,
    last_end: str | None,
) -> tuple[list[str], dict[int, list[str]], bool] | None:
    """What `quoted_lines` returns, from one pass of the csv module over the special pieces
    alone, each with its line end: when each is a record of its own, none left open at the end
    (a last text "x", after them, is then a record of its own too). Else None, and
    `quoted_lines` reads them one by one.

    A text holding a line feed outside quotes makes the csv module raise, so that a record is
    always whole texts, and a piece's lines are all its record's."""
    texts = [pieces[k] + end for k in special]
    if last_end is not None and special and special[-1] == len(pieces) - 1:
        texts[-1] = pieces[-1] + last_end
    texts.append("x" + end)
    try:
        rows = list(csv.reader(texts, delimiter=delimiter))
    except csv.Error:
        return None
    # A record that went on over several texts makes fewer records than texts (a text never
    # ends one record and starts the next), the last "x" among them when one was left open.
    if len(rows) != len(texts):
        return None
    lines: list[str] = []
    quoted: dict[int, list[str]] = {}
    done = 0  # the pieces copied into lines
    for k, row in zip(special, rows, strict=False):
        lines += pieces[done:k]
        quoted[first + len(lines)] = row
        lines += [""] * (1 + pieces[k].count("\n"))
        done = k + 1
    lines += pieces[done:]
    return lines, quoted, False


def _spaced(text: str) -> bool:
    """Whether a cell of these lines may need stripping: outside ASCII, any character may be a
    space (a non-breaking space from a spreadsheet, say)."""
    return not text.isascii() or any(space in text for space in _ASCII_SPACES)


def split_records(
    path: Path, start: int, end: int | None, first_line: int, encoding: str, delimiter: str,
    on_decode_error: DecodeFailure, fallback: Fallback | None,
    on_read: Callable[[int], object] | None = None,
) -> Iterator[Record]:
    """Records of the bytes [start, end) (end None: to the file's end), line `first_line` first.

    `start` must be the start of a line, and so must `end` unless it is the file's end. Blank
    lines come out as rows of empty cells; callers pass them over. Without a fallback, a quote
    is an error: the caller promised a log without any.
    """
    split = methodcaller("split", delimiter)

    def records(block: LineBlock | Iterator[Record]) -> Iterable[Record]:
        if not isinstance(block, LineBlock):
            return block
        rows = zip(count(block.first), map(split, block.lines), strict=False)
        quoted = block.quoted
        if quoted is None:
            return rows
        # The lines a quoted cell goes on over are no records, as the csv module reads them.
        return (
            (line, quoted[line]) if line in quoted else (line, row)
            for line, row in rows
            if row != [""] or line in quoted
        )

    blocks = line_blocks(
        path, start, end, first_line, encoding, delimiter, on_decode_error, fallback, on_read
    )
    return chain.from_iterable(map(records, blocks))


def line_blocks(
    path: Path, start: int, end: int | None, first_line: int, encoding: str, delimiter: str,
    on_decode_error: DecodeFailure, fallback: Fallback | None,
    on_read: Callable[[int], object] | None = None,
) -> Iterator[LineBlock | Iterator[Record]]:
    """The lines of the bytes [start, end) a block at a time, as for `split_records`: a
    LineBlock, its `quoted` set for a block whose quotes are all it needs the csv module for
    (see the module's help).

    Without a fallback, a block that needs the csv module raises NotPlain. Otherwise, at the
    first block that needs it for more than its quotes, and at a record left open at the end,
    the last item is `fallback`'s records from that block's, or record's, first line on.
    `on_read` is told the number of bytes of each block read (a progress bar's measure).
    """
    line = first_line
    position = start  # the file offset just after the bytes read so far
    tail = b""  # the bytes of an unfinished line, carried into the next block
    longer: list[bytes] = []  # the blocks of a line longer than a block, joined once at its end
    with open(path, "rb") as raw:
        raw.seek(start)
        while True:
            want = BLOCK if end is None else min(BLOCK, end - position)
            block = raw.read(want) if want > 0 else b""
            position += len(block)
            if on_read is not None:
                on_read(len(block))
            final = not block
            cut = len(block) if final else block.rfind(b"\n") + 1
            if cut == 0 and not final:  # no line ends in this block: read on
                longer.append(block)
                continue
            if longer:  # once per long line: joining a growing tail each block is quadratic
                tail = b"".join([tail, *longer])
                longer = []
            head = len(tail)  # the chunk's bytes start at position - len(block) - head
            chunk, tail = tail + memoryview(block)[:cut], block[cut:]
            if not chunk:
                return
            chunk_start = position - len(block) - head
            quote = b'"' in chunk
            if b"\x00" in chunk or (quote and fallback is None):
                if fallback is None:
                    raise NotPlain(f"{path}: line {line} or one of the next needs the csv module")
                yield fallback(chunk_start, line)
                return
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as err:
                raise on_decode_error(err, line + chunk.count(b"\n", 0, err.start)) from None
            crlf = "\r" in text
            end_of_line = "\r\n" if crlf else "\n"
            pieces = text.split(end_of_line)  # one pass, no copy
            if pieces[-1] == "":
                pieces.pop()  # what follows the last line end
            feeds = False  # line feeds of their own (lines ending in LF alone, quoted breaks)
            if crlf:
                rest = "".join(pieces)  # the text without its CRLFs: quicker than counting
                if "\r" in rest:  # a lone carriage return, an old Mac line end
                    if fallback is None:
                        raise NotPlain(f"{path}: line {line} or one of the next has a lone CR")
                    yield fallback(chunk_start, line)
                    return
                feeds = "\n" in rest
            if not quote:
                if feeds:  # both kinds of line end
                    pieces = text.replace("\r\n", "\n").split("\n")
                    if pieces[-1] == "":
                        pieces.pop()
                yield LineBlock(line, pieces, _spaced(text))
                line += len(pieces)
                if final:
                    return
                continue
            assert fallback is not None
            last_end = None
            if crlf and text.endswith("\n") and not text.endswith("\r\n"):  # LF alone, last
                pieces[-1], last_end = pieces[-1][:-1], "\n"
            # The pieces holding a quote, found in C: a tenth of an export's lines, say.
            special = list(compress(count(), map(contains, pieces, repeat('"'))))
            if feeds and sum(pieces[k].count("\n") for k in special) != rest.count("\n") - (
                last_end is not None
            ):  # a line feed outside them, of a line that ends in LF alone: special too
                special = [k for k, piece in enumerate(pieces) if '"' in piece or "\n" in piece]
            try:
                lines, quoted_cells, opened = quoted_lines(
                    pieces, special, end_of_line, delimiter, line, last_end
                )
            except csv.Error:  # the csv module's own reading says where and what
                lines, quoted_cells, opened = [], {}, True
                final = True
            if lines:
                # A quoted cell may hold a line break, which str.strip() removes too.
                yield LineBlock(line, lines, bool(quoted_cells) or _spaced(text), quoted_cells)
                line += len(lines)
            if opened:  # the record on line `line` goes on past this block
                lines_left = chunk.count(b"\n") + (not chunk.endswith(b"\n")) - len(lines)
                start_of_open = _line_start(chunk, lines_left)
                if not final and len(chunk) - start_of_open + len(tail) <= CARRIED:
                    tail = chunk[start_of_open:] + tail  # read again, whole, with the next block
                    continue
                yield fallback(chunk_start + start_of_open, line)
                return
            if final:
                return


def _line_start(chunk: bytes, lines: int) -> int:
    """The offset in `chunk` of the first of its last `lines` lines (the last maybe without a
    line end)."""
    ends = lines if chunk.endswith(b"\n") else lines - 1
    offset = len(chunk)
    for _ in range(ends + 1):
        offset = chunk.rfind(b"\n", 0, offset)
        if offset < 0:
            break
    return offset + 1
