"""A large .xlsx sheet loaded in two halves at once (coopstats.xlsx_halves): the table reads
the same rows, numbered the same, as the sheet loaded whole, and every command prints the same;
what cannot be cut is loaded whole. CUT_FROM is lowered so that small sheets are cut."""

from __future__ import annotations

import io
import json
import random
import re
import threading
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from coopstats import xlsx_halves
from coopstats.cli import app
from coopstats.read import ReadOptions, Source, open_table
from coopstats.read import workbook as read_workbook

pytest.importorskip("python_calamine")
openpyxl = pytest.importorskip("openpyxl")

HEADER = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"]
runner = CliRunner()


def rows(n: int, seed: int) -> list[list[Any]]:
    """`n` requests, valid and not, dates as date cells and as text, some cells empty."""
    rng = random.Random(seed)
    out: list[list[Any]] = []
    for k in range(n):
        sent = date(2023, 1 + rng.randrange(12), 1 + rng.randrange(28))
        executed: Any = None
        if rng.random() < 0.6:
            executed = date(2024, 1 + rng.randrange(12), 1 + rng.randrange(28))
        if rng.random() < 0.1:
            executed = executed.isoformat() if executed else "2024-13-01"
        kind = rng.choice(["RFA", "RFC", "RFI", "mission-notification", "RFQ"])
        organ = "OTP" if kind in ("RFA", "mission-notification") else "Registry"
        origin = rng.choice(["HQ", "country-office"]) if kind == "RFC" else None
        outcome = rng.choice([None, "positive", "negative"]) if executed else None
        rid: Any = f"R-{k:05d}" if rng.random() > 0.02 else f"R-{rng.randrange(k + 1):05d}"
        if rng.random() < 0.02:
            rid = 1000 + k  # an id typed as a number
        out.append([rid, organ, kind, origin, None, sent, executed, outcome])
    return out


def book(path: Path, data: list[list[Any]], *, top: int = 1, left: int = 1,
         merged: str | None = None) -> Path:  # fmt: skip
    """A workbook as openpyxl writes it: inline strings, dates as date cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Requests"
    if top > 1:
        sheet.cell(row=1, column=1, value="Requests of the period")  # a title row
    for r, row in enumerate([HEADER, *data], start=top):
        for c, value in enumerate(row, start=left):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    if merged:
        sheet.merge_cells(merged)
    workbook.save(path)
    return path


def patch(path: Path, change: Any) -> Path:
    """The first sheet's XML rewritten, as another program would have written it."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item.filename, data)
    path.write_bytes(out.getvalue())
    return path


def read(path: Path, *, cut: bool) -> tuple[list[tuple[int, list[str]]], int]:
    """The table's records and how many pieces the sheet was loaded in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_halves, "CUT_FROM", 0 if cut else 1 << 62)
        with Source(str(path)) as source:
            table = open_table(source, ReadOptions())
            assert isinstance(table, read_workbook.WorkbookTable)
            return list(table.records()), len(table.pieces)


def outputs(path: Path, *, cut: bool, forked: bool = False) -> list[tuple[int, str]]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_halves, "CUT_FROM", 0 if cut else 1 << 62)
        if forked:
            mp.setattr(read_workbook, "HALVES_FROM", 1)
        results = [
            runner.invoke(app, ["summarize", str(path), "--period", "2024", "--format", "json",
                                "--skip-invalid"]),
            runner.invoke(app, ["validate", str(path), "--format", "json"]),
        ]  # fmt: skip
    return [(r.exit_code, r.stdout) for r in results]


@pytest.mark.parametrize("seed", range(6))
def test_a_sheet_in_halves_reads_as_the_whole_sheet(tmp_path: Path, seed: int) -> None:
    """Random sheets (title rows, an offset first column, some rows wider): the same records
    and the same output of summarize and validate, in one process and in two."""
    rng = random.Random(seed)
    data = rows(rng.randrange(40, 400), seed)
    for k in rng.sample(range(len(data)), 3):
        data[k] = [None] * len(HEADER)  # blank rows
    if seed % 2:
        data[-1] = [*data[-1], "a cell past the header"]
    path = book(tmp_path / "log.xlsx", data, top=1 + seed % 3, left=1 + seed % 2)
    whole, one = read(path, cut=False)
    halves, two = read(path, cut=True)
    assert (one, two) == (1, 2)
    assert halves == whole
    expected = outputs(path, cut=False)
    assert outputs(path, cut=True) == expected
    assert outputs(path, cut=True, forked=True) == expected
    assert threading.active_count() == 1, "a thread of the load is still running"


def test_the_second_half_may_hold_a_column_the_first_does_not(tmp_path: Path) -> None:
    """The header starts in column B; only a row of the second half has a cell in column A:
    each half's rows are widened to the columns of both, as the whole sheet's are."""
    data = rows(200, 7)
    path = book(tmp_path / "log.xlsx", data, left=2)
    workbook = openpyxl.load_workbook(path)
    workbook.active.cell(row=190, column=1, value="a note")
    workbook.save(path)
    whole, _ = read(path, cut=False)
    halves, pieces = read(path, cut=True)
    assert pieces == 2 and halves == whole
    assert outputs(path, cut=True) == outputs(path, cut=False)


@pytest.mark.parametrize("where", ["first", "second"])
def test_merged_cells_and_unsaved_formulas_are_found_in_either_half(
    tmp_path: Path, where: str
) -> None:
    """Cells merged over rows, and a formula saved without its value, stop the run with the
    same message whichever half holds them."""
    data = rows(200, 3)
    row = 10 if where == "first" else 180
    merged = book(tmp_path / "merged.xlsx", data, merged=f"F{row}:F{row + 2}")
    formula = book(tmp_path / "formula.xlsx", data)
    workbook = openpyxl.load_workbook(formula)
    workbook.active.cell(row=row, column=7, value=f"=F{row}+20")
    workbook.save(formula)
    for path in (merged, formula):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(xlsx_halves, "CUT_FROM", 0)
            cut = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
        whole = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
        assert cut.exit_code == whole.exit_code == 1, cut.output
        assert cut.stderr == whole.stderr
        assert f"{row}" in cut.stderr


def test_merged_cells_are_found_when_the_second_half_holds_no_cell(tmp_path: Path) -> None:
    """Rows formatted but empty below the log (Excel keeps a row height, say) can fill the XML
    past the cut: the second half then holds no cell, but it holds the sheet's merged cells."""
    path = book(tmp_path / "log.xlsx", rows(40, 7), merged="C10:C12")

    def empty_rows_below(xml: bytes) -> bytes:
        empty = b"".join(b'<row r="%d" ht="20" customHeight="1"/>' % r for r in range(50, 2050))
        return xml.replace(b"</sheetData>", empty + b"</sheetData>")

    patch(path, empty_rows_below)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_halves, "CUT_FROM", 0)
        cut = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
    whole = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
    assert whole.exit_code == 1 and "cells C10:C12 are merged over rows 10-12" in whole.stderr
    assert (cut.exit_code, cut.stderr) == (whole.exit_code, whole.stderr)
    assert outputs(path, cut=True, forked=True) == outputs(path, cut=False)


def test_a_namespace_prefix_and_shared_strings_are_cut_too(tmp_path: Path) -> None:
    """`<x:row>` tags, as some exporters write them; and the same rows with their texts in
    the shared-strings table, as Excel saves them."""
    data = rows(300, 5)
    plain = book(tmp_path / "plain.xlsx", data)
    whole, _ = read(plain, cut=False)

    def prefixed(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(worksheet|sheetData|row|c|is|t|v|f|dimension|sheetViews|"
                     rb"sheetView|selection|sheetFormatPr|pageMargins|sheetPr|outlinePr|"
                     rb"pageSetUpPr|mergeCells|mergeCell)\b", rb"<\1x:\2", xml)  # fmt: skip
        return xml.replace(b'xmlns="http://schemas', b'xmlns:x="http://schemas', 1)

    path = patch(book(tmp_path / "x.xlsx", data), prefixed)
    halves, pieces = read(path, cut=True)
    assert pieces == 2 and halves == whole

    strings: dict[bytes, int] = {}

    def shared(xml: bytes) -> bytes:
        def one(m: re.Match[bytes]) -> bytes:
            index = strings.setdefault(m[2], len(strings))
            return m[1] + b' t="s"><v>' + str(index).encode() + b"</v></c>"

        return re.sub(rb'(<c r="[A-Z]+[0-9]+"(?: s="[0-9]+")?) t="inlineStr"><is><t>([^<]*)'
                      rb"</t></is></c>", one, xml)  # fmt: skip

    excel = patch(book(tmp_path / "excel.xlsx", data), shared)
    table = b"".join(b"<si><t>" + text + b"</t></si>" for text in strings)
    with zipfile.ZipFile(excel, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main">' + table + b"</sst>")  # fmt: skip
    patch_rels(excel)
    halves, pieces = read(excel, cut=True)
    assert pieces == 2 and halves == whole


def patch_rels(path: Path) -> None:
    """Name the shared-strings part in the workbook's relations and the content types."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://'
                                    b"schemas.openxmlformats.org/officeDocument/2006/relationships"
                                    b'/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.'
                                    b'spreadsheetml.sharedStrings+xml"/></Types>')
            target.writestr(item.filename, data)
    path.write_bytes(out.getvalue())


def test_rows_out_of_order_are_loaded_whole(tmp_path: Path) -> None:
    """A sheet whose rows are not in order in the file (the last row written first): the
    halves would not join as the whole sheet's rows do, so the sheet is loaded whole."""
    data = rows(200, 9)
    path = book(tmp_path / "log.xlsx", data)

    def last_first(xml: bytes) -> bytes:
        found = list(re.finditer(rb"<row [^>]*>.*?</row>", xml, re.S))
        last = found[-1]
        body = xml[: found[1].start()] + last[0] + xml[found[1].start() : last.start()]
        return body + xml[last.end() :]

    patch(path, last_first)
    whole, _ = read(path, cut=False)
    halves, pieces = read(path, cut=True)
    assert pieces == 1 and halves == whole


def test_a_damaged_sheet_says_what_the_whole_load_says(tmp_path: Path) -> None:
    """A sheet member whose bytes do not match its checksum: no halves, and the message of the
    sheet loaded whole."""
    path = book(tmp_path / "log.xlsx", rows(200, 2))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    spot = info.header_offset + 30 + len(info.filename) + info.compress_size // 2
    data[spot] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_halves, "CUT_FROM", 0)
        cut = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
    whole = runner.invoke(app, ["summarize", str(path), "--period", "2024"])
    assert cut.exit_code == whole.exit_code != 0
    assert cut.stderr == whole.stderr and "Traceback" not in cut.output


def test_a_file_of_pieces_reads_as_their_bytes() -> None:
    """_Joined, which calamine reads a half's workbook from: read and seek as io.BytesIO."""
    rng = random.Random(1)
    pieces = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 50))) for _ in range(8)]
    joined, plain = xlsx_halves._Joined(list(pieces)), io.BytesIO(b"".join(pieces))
    for _ in range(300):
        action = rng.choice(["read", "read", "seek", "all"])
        if action == "read":
            size = rng.randrange(-1, 70)
            assert joined.read(size) == plain.read(size)
        elif action == "seek":
            offset, whence = rng.randrange(0, 60), rng.choice([0, 1, 2])
            offset = -offset if whence == 2 else offset
            assert joined.seek(offset, whence) == plain.seek(offset, whence)
        else:
            assert joined.read() == plain.read()
        assert joined.tell() == plain.tell()


def test_a_small_sheet_is_not_cut(tmp_path: Path) -> None:
    """Below CUT_FROM bytes of sheet XML the halves cost more than they save."""
    path = book(tmp_path / "log.xlsx", rows(50, 4))
    assert xlsx_halves.halves_planned(path, "Requests") is None
    assert read(path, cut=False)[1] == 1
    assert json.loads(outputs(path, cut=False)[0][1])["metrics"]


def test_a_sheet_loaded_ahead_in_halves_is_the_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load ahead of the command line (coopstats.preload) cuts the sheet the same way, and
    the table takes both halves from it: the same records as the sheet loaded whole."""
    from coopstats import preload

    path = book(tmp_path / "log.xlsx", rows(300, 11))
    whole, _ = read(path, cut=False)
    monkeypatch.setattr(xlsx_halves, "CUT_FROM", 0)
    preload.start(["summarize", str(path)])
    load = preload._started
    assert load is not None
    loaded = load.wait()
    assert loaded is not None and len(loaded.pieces) == 2
    with Source(str(path)) as source:
        table = open_table(source, ReadOptions())
        assert [piece.sheet for piece in table.pieces] == [s for _, s in loaded.pieces]
        assert list(table.records()) == whole
    assert preload._started is None
