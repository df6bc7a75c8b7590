"""A large .xlsx sheet loaded in two halves at once, one a core, each by calamine in a thread.

calamine parses a sheet's XML on one core, without holding the GIL: 1.1 s for 100,000 rows as
openpyxl writes them (every text an inline string), 0.7 s as Excel saves them, more than the
rest of a run. Here the sheet's XML is inflated by zlib, and cut before a row once FIRST_SHARE
of it is inflated. Each half is a workbook of its own, in memory: the original's other members
copied as they are stored, and the sheet's XML, stored uncompressed, holding only the rows of
its half. The first half starts loading while the rest of the XML is still being inflated; the
second half holds what follows the rows (merged cells, say) too. The cut falls before a
`<row>` that gives its number (`r="..."`), so that calamine numbers the second half's rows as
in the whole sheet. A half is handed to calamine as a file of pieces (`_Joined`), which it
copies once into memory of its own: joining them first would copy them twice.

Measured on the benchmark's 100,000-row sheets (2 cores): the run takes 0.85 of the time of the
sheet loaded whole as openpyxl writes it (0.69-0.93 over 11 pairs), at twice the memory (156 MB
against 80); 0.95 as Excel saves it.

Anything unusual (no such row, a sheet too small to gain or so large that the copies would
cost more memory than they are worth, halves that do not join as the whole sheet's rows would,
any error) is no cut: the caller loads the sheet whole, which says what is wrong, if anything.

Imported by coopstats.preload's thread at start-up, before anything else: the standard library
and coopstats.background alone, none of coopstats.read.
"""

from __future__ import annotations

import os
import posixpath
import re
import struct
import zipfile
import zlib
from typing import Any, BinaryIO, NamedTuple

from coopstats.background import Background

# Bytes of sheet XML from which a sheet is cut: about 20,000 rows of a log as openpyxl writes
# it, where the halves save several times what cutting costs (0.1 s at 100,000 rows).
CUT_FROM = 8 << 20
# And up to which: the halves hold the XML in memory about three times over while they load.
CUT_UP_TO = 256 << 20
# The first half's share of the XML: it starts loading while the second is being inflated.
FIRST_SHARE = 0.55
_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Loaded(NamedTuple):
    """A sheet as calamine loaded it."""

    pieces: list[tuple[int, Any]]  # (first line, calamine's sheet): the whole, or two halves
    xml: tuple[bytes, ...] | None  # the sheet's whole XML in pieces, when it was read here


def halves_planned(path: str | os.PathLike[str], sheet: str) -> str | None:
    """The member of the .xlsx at `path` that holds the sheet `sheet`, when the sheet is to be
    loaded in halves (two cores, and its XML of a size to cut); else None."""
    if (os.cpu_count() or 1) < 2:
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            part = sheet_part(archive, sheet) if "xl/workbook.xml" in names else None
            if part is None or part not in names:
                return None
            size = archive.getinfo(part).file_size
    except Exception:  # noqa: BLE001 - .xls, .ods, a damaged file: loaded whole, which says
        return None
    return part if CUT_FROM <= size <= CUT_UP_TO else None


def load_sheet(
    calamine: Any, book: Any, path: str | os.PathLike[str], sheet: str, planned: str | None
) -> Loaded:
    """The sheet named `sheet` of the workbook `book` opened from `path`: in two halves when
    they are `planned` (`halves_planned`) and join, else whole, raising what calamine raises."""
    halves = _in_halves(calamine, path, planned, sheet) if planned is not None else None
    if halves is not None:
        return halves
    return Loaded([(1, book.get_sheet_by_name(sheet))], None)


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The member of an .xlsx holding the sheet named `sheet`, from the workbook and its
    relations."""
    from xml.etree import ElementTree

    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rid = None
    for element in book.iter():
        if element.tag.rsplit("}", 1)[-1] == "sheet" and element.get("name") == sheet:
            rid = element.get(f"{{{_REL_NS}}}id")
            break
    if rid is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in rels:
        if element.get("Id") == rid:
            target = element.get("Target") or ""
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.join("xl", target)
    return None


def _in_halves(
    calamine: Any, path: str | os.PathLike[str], part: str, sheet: str
) -> Loaded | None:
    """The sheet `sheet`, held in the member `part` of the .xlsx at `path`, loaded in two
    halves at once; None where it is not cut (see the module)."""
    first: Background[Any] | None = None
    try:
        with open(path, "rb") as raw:
            archive = zipfile.ZipFile(raw)
            items = archive.infolist()
            info = archive.getinfo(part)
            if not all(_copyable(item) for item in items):
                return None
            others = [(item, _stored_bytes(raw, item)) for item in items if item is not info]
            compressed = _stored_bytes(raw, info)
        deflated = info.compress_type == zipfile.ZIP_DEFLATED
        inflate = zlib.decompressobj(-15)
        want = int(info.file_size * FIRST_SHARE)
        head = inflate.decompress(compressed, want) if deflated else compressed[:want]
        found = _cut(head)
        if found is None:
            return None
        rows_at, cut, row, closing = found
        view = memoryview(head)
        first = Background(
            "coopstats-half", _loaded, calamine, _zipped(others, part, [view[:cut], closing]), sheet
        )
        if deflated:
            rest = inflate.decompress(inflate.unconsumed_tail) + inflate.flush()
        else:
            rest = compressed[want:]
        del compressed
        if len(head) + len(rest) != info.file_size or zlib.crc32(
            rest, zlib.crc32(head)
        ) != info.CRC:
            return None  # a damaged member: the whole sheet's load says so
        second = _loaded(calamine, _zipped(others, part, [view[:rows_at], view[cut:], rest]), sheet)
    except BaseException as err:  # noqa: BLE001 - anything: the whole sheet's load says what
        if isinstance(err, KeyboardInterrupt | SystemExit):
            raise
        return None
    finally:
        # Never a thread left in calamine: a process forks only when no other thread runs.
        loaded = _result_or_none(first) if first is not None else None
    if loaded is None or second is None:
        return None
    end, start = loaded.end, second.start
    if (end is not None and end[0] >= row) or (start is not None and start[0] < row):
        return None  # rows out of order: the halves are not the whole sheet's rows
    # Kept even when it holds no cell (rows formatted but empty, say): it holds the sheet's
    # merged cells.
    return Loaded([(1, loaded), (row + 1, second)], (head, rest))


def _copyable(item: zipfile.ZipInfo) -> bool:
    """Whether a member can be copied as it is stored into a workbook written here: neither
    encrypted nor of a size that needs ZIP64, stored or deflated."""
    return (
        not item.flag_bits & 0x1
        and item.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        and max(item.compress_size, item.file_size, item.header_offset) < 1 << 31
    )


def _stored_bytes(raw: BinaryIO, item: zipfile.ZipInfo) -> bytes:
    """A member's bytes as the zip stores them (compressed, when it is), read at its offset."""
    raw.seek(item.header_offset)
    local = raw.read(30)
    if local[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"no local header for {item.filename}")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    raw.seek(item.header_offset + 30 + name_length + extra_length)
    data = raw.read(item.compress_size)
    if len(data) != item.compress_size:
        raise zipfile.BadZipFile(f"{item.filename} is cut short")
    return data


def _zipped(
    others: list[tuple[zipfile.ZipInfo, bytes]], part: str, sheet: list[bytes | memoryview]
) -> _Joined:
    """A zip of the members `others` (each as stored, compressed or not) and of `part`, stored
    uncompressed (compressing would cost more than calamine's reading saves), whose XML is the
    pieces `sheet` joined: as a file of pieces, which calamine copies once as it reads."""
    crc = 0
    for piece in sheet:
        crc = zlib.crc32(piece, crc)
    size = sum(len(piece) for piece in sheet)
    members: list[tuple[str, int, int, int, int, list[bytes | memoryview]]] = [
        (item.filename, item.compress_type, item.CRC, item.compress_size, item.file_size, [data])
        for item, data in others
    ]
    members.append((part, zipfile.ZIP_STORED, crc, size, size, sheet))
    out: list[bytes | memoryview] = []
    directory: list[bytes] = []
    offset = 0
    for name, method, member_crc, stored, plain, pieces in members:
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800  # the name in UTF-8
        fields = (method, 0, 0x21, member_crc, stored, plain, len(encoded))  # 0x21: 1980-01-01
        local = struct.pack("<4s3H2H3LHH", b"PK\x03\x04", 20, flags, *fields, 0)
        directory.append(
            struct.pack("<4s4H2H3LHHHHHLL", b"PK\x01\x02", 20, 20, flags, *fields, 0, 0, 0, 0,
                        0, offset)  # fmt: skip
            + encoded
        )
        out += [local, encoded, *pieces]
        offset += len(local) + len(encoded) + stored
    listing = b"".join(directory)
    count = len(members)
    out += [listing, struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count,
                                 len(listing), offset, 0)]  # fmt: skip
    return _Joined(out)


class _Joined:
    """A file, to read, of pieces of bytes one after the other, never joined in one: calamine
    reads a workbook from a file object into memory of its own."""

    def __init__(self, pieces: list[bytes | memoryview]) -> None:
        self._pieces = [memoryview(piece) for piece in pieces]
        self._size = sum(len(piece) for piece in self._pieces)
        self._at = 0

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._at, self._size)[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        return self._at

    def read(self, size: int | None = -1) -> bytes:
        at = self._at
        end = self._size if size is None or size < 0 else min(self._size, at + size)
        out: list[memoryview] = []
        start = 0  # of the piece
        for piece in self._pieces:
            stop = start + len(piece)
            if stop > at and start < end:
                out.append(piece[max(at, start) - start : min(end, stop) - start])
            start = stop
            if start >= end:
                break
        self._at = max(at, end)
        return b"".join(out)


def _cut(head: bytes) -> tuple[int, int, int, bytes] | None:
    """Where the sheet's XML, of which `head` is the start, is cut: (the end of its
    `<sheetData>` tag, the start of the last row that `head` begins and that gives its number,
    that row's zero-based number, the tags that close the first half); or None."""
    match = _PREFIX.search(head, 0, 4096)
    if match is None:
        return None
    prefix = match[1] or b""
    p = re.escape(prefix)
    rows = re.compile(rb"<" + p + rb"sheetData\b[^>]*(?<!/)>").search(head)
    if rows is None:
        return None
    row_tag = re.compile(rb"<" + p + rb'row\s[^>]*?\br="([0-9]+)"')
    last = None
    for last in row_tag.finditer(head, max(rows.end(), len(head) - (1 << 20))):  # noqa: B007
        pass  # to the last
    if last is None or last.start() <= rows.end():
        return None
    closing = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
    return rows.end(), last.start(), int(last[1]) - 1, closing


def _loaded(calamine: Any, data: _Joined, sheet: str) -> Any:
    """The sheet `sheet` of the workbook `data`, by calamine; the workbook itself closed (the
    sheet keeps its cells)."""
    book = calamine.CalamineWorkbook.from_filelike(data)
    try:
        return book.get_sheet_by_name(sheet)
    finally:
        book.close()


def _result_or_none(half: Background[Any]) -> Any:
    """The half's sheet, or None where its load failed (the whole sheet's load says what)."""
    try:
        return half.result()
    except Exception:  # noqa: BLE001 - calamine's errors, and pyo3's PanicException
        return None
