"""The fast path of reading: CSV without quotes is lines split at the delimiter.

Most logs are exports with no quoted cell at all. For them `str.split` gives exactly what the
csv module gives, and whole blocks can be split at C speed. A block that holds a quote (or a
lone carriage return, an old Mac line end) hands the rest of the file to the csv module from the
start of that block: a record boundary, since no quote came before it.

Two views of the same blocks: `line_blocks` gives each block's lines as text, with the number of
its first line, for the engine's own loop over canonical logs; `split_records` gives records
(line number, cells) like the csv module does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain, count
from operator import methodcaller
from pathlib import Path
from typing import NamedTuple

# 256 KiB at a time (~5,000 lines): enough to amortise the per-block work, and small enough
# that a block's strings are still in the CPU's cache when they are counted.
BLOCK = 1 << 18

Record = tuple[int, list[str]]
DecodeFailure = Callable[[UnicodeError, int], Exception]
# Reads the records from a byte offset on, that byte starting the given line (the csv module).
Fallback = Callable[[int, int], Iterator[Record]]


class NotPlain(Exception):
    """A part of a log read without the csv module holds what only the csv module reads right
    (a quote, a lone carriage return): the caller must read the log another way."""


class LineBlock(NamedTuple):
    """Whole lines of a plain part of a log, line ends removed; the first is line `first`.
    `spaced` False promises that no line holds a character that str.strip() removes, so no
    cell needs stripping; True promises nothing (any block outside ASCII, every block of a
    tab-delimited log)."""

    first: int
    lines: list[str]
    spaced: bool = True



def needs_csv_module(chunk: bytes) -> bool:
    """Whether these whole lines hold what only the csv module reads right: a quote, or a lone
    carriage return (an old Mac line end); or a NUL, which the reader of the csv module's
    records stops at (csv.py states the rule), so that a NUL meets one rule wherever it is."""
    if b'"' in chunk or b"\x00" in chunk:
        return True
    # Counted, not replaced: a Windows export has a carriage return on every line.
    return b"\r" in chunk and chunk.count(b"\r") != chunk.count(b"\r\n")


# The characters other than \n that str.strip() removes, when a text is ASCII (a lone \r never
# reaches here: it needs the csv module).
_ASCII_SPACES = (" ", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


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
        if isinstance(block, LineBlock):
            return zip(count(block.first), map(split, block.lines), strict=False)
        return block

    blocks = line_blocks(
        path, start, end, first_line, encoding, on_decode_error, fallback, on_read
    )
    return chain.from_iterable(map(records, blocks))


def line_blocks(
    path: Path, start: int, end: int | None, first_line: int, encoding: str,
    on_decode_error: DecodeFailure, fallback: Fallback | None,
    on_read: Callable[[int], object] | None = None,
) -> Iterator[LineBlock | Iterator[Record]]:
    """The lines of the bytes [start, end) a block at a time, as for `split_records`.

    At the first block that needs the csv module, the last item is `fallback`'s records from
    that block's first line on (or, without a fallback, NotPlain is raised). `on_read` is told
    the number of bytes of each block read (a progress bar's measure).
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
            if needs_csv_module(chunk):
                if fallback is None:
                    raise NotPlain(f"{path}: line {line} or one of the next needs the csv module")
                yield fallback(position - len(block) - head, line)
                return
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as err:
                raise on_decode_error(err, line + chunk.count(b"\n", 0, err.start)) from None
            if "\r" not in text:
                lines = text.split("\n")
            elif chunk.count(b"\r") == chunk.count(b"\n"):
                lines = text.split("\r\n")  # every line ends in CRLF: one pass, no copy
            else:
                lines = text.replace("\r\n", "\n").split("\n")
            if lines[-1] == "":
                lines.pop()  # what follows the last line end
            yield LineBlock(line, lines, _spaced(text))
            line += len(lines)
            if final:
                return
