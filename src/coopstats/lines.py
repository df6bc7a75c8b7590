"""The fast path of reading: CSV without quotes is lines split at the delimiter.

Most logs are exports with no quoted cell at all. For them `str.split` gives exactly what the
csv module gives, and whole blocks can be split at C speed. A block that holds a quote (or a
lone carriage return, an old Mac line end) hands the rest of the file to the csv module from the
start of that block: a record boundary, since no quote came before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain, count
from operator import methodcaller
from pathlib import Path

BLOCK = 1 << 20  # 1 MiB at a time (~20,000 lines): enough to amortise, little to hold

Record = tuple[int, list[str]]
DecodeFailure = Callable[[UnicodeError, int], Exception]
# Reads the records from a byte offset on, that byte starting the given line (the csv module).
Fallback = Callable[[int, int], Iterator[Record]]


def needs_csv_module(chunk: bytes) -> bool:
    """Whether these whole lines hold what only the csv module reads right: a quote, or a lone
    carriage return (an old Mac line end)."""
    if b'"' in chunk:
        return True
    return b"\r" in chunk and b"\r" in chunk.replace(b"\r\n", b"")


def split_records(
    path: Path, start: int, end: int | None, first_line: int, encoding: str, delimiter: str,
    on_decode_error: DecodeFailure, fallback: Fallback | None,
) -> Iterator[Record]:
    """Records of the bytes [start, end) (end None: to the file's end), line `first_line` first.

    `start` must be the start of a line, and so must `end` unless it is the file's end. Blank
    lines come out as rows of empty cells; callers pass them over. Without a fallback, a quote
    is an error: the caller promised a log without any.
    """
    blocks = _blocks(path, start, end, first_line, encoding, delimiter, on_decode_error, fallback)
    return chain.from_iterable(blocks)


def _blocks(
    path: Path, start: int, end: int | None, first_line: int, encoding: str, delimiter: str,
    on_decode_error: DecodeFailure, fallback: Fallback | None,
) -> Iterator[Iterable[Record]]:
    split = methodcaller("split", delimiter)
    line = first_line
    position = start  # the file offset just after the bytes read so far
    tail = b""  # the bytes of an unfinished line, carried into the next block
    with open(path, "rb") as raw:
        raw.seek(start)
        while True:
            want = BLOCK if end is None else min(BLOCK, end - position)
            block = raw.read(want) if want > 0 else b""
            position += len(block)
            final = not block
            data = tail + block  # the bytes [position - len(data), position)
            cut = len(data) if final else data.rfind(b"\n") + 1
            if cut == 0 and not final:  # a line longer than a block: read on
                tail = data
                continue
            chunk, tail = data[:cut], data[cut:]
            if not chunk:
                return
            if needs_csv_module(chunk):
                if fallback is None:
                    raise AssertionError(f"{path}: a quote in a part read without the csv module")
                yield fallback(position - len(data), line)
                return
            try:
                text = chunk.decode(encoding)
            except UnicodeDecodeError as err:
                raise on_decode_error(err, line + chunk.count(b"\n", 0, err.start)) from None
            if "\r" in text:
                text = text.replace("\r\n", "\n")
            rows = text.split("\n")
            if rows[-1] == "":
                rows.pop()  # what follows the last line end
            yield zip(count(line), map(split, rows), strict=False)
            line += len(rows)
            if final:
                return
