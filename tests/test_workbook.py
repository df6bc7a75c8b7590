"""Workbooks as users bring them: .xlsx written by Excel or by a script, .xls, .ods.

The tests build each file themselves: .xlsx with openpyxl (which writes formulas without their
values, as scripts do), .xls with xlwt, .ods by hand as a zip of content.xml. Expected figures
come from the tests' oracle over the same rows written as CSV, or by hand in comments.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from oracle import oracle_metrics
from typer.testing import CliRunner, Result

from coopstats.cli import app

runner = CliRunner()
HEADER = ["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"]
# Six requests of the Court's 2024 year (2023-09-16:2024-09-15), dates as date cells.
ROWS: list[list[Any]] = [
    ["A-1", "OTP", "RFA", None, None, date(2023, 10, 2), date(2023, 10, 9), "positive"],
    ["A-2", "OTP", "RFA", None, None, date(2023, 11, 1), None, None],
    ["R-1", "Registry", "RFC", "HQ", "defence", date(2023, 12, 1), date(2023, 12, 21), None],
    ["R-2", "Registry", "RFC", "HQ", "arrest-surrender", date(2024, 1, 10), date(2024, 2, 9),
     "negative"],
    ["R-3", "Registry", "RFC", "country-office", None, date(2024, 2, 1), None, None],
    [17, "Registry", "decision-notification", None, None, date(2024, 3, 1), None, None],
]


def run(*args: object, stdin: bytes | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], input=stdin)


def as_csv_rows(rows: list[list[Any]]) -> list[dict[str, str]]:
    def text(v: Any) -> str:
        return "" if v is None else v.isoformat() if isinstance(v, date) else str(v)

    return [dict(zip(HEADER, (text(v) for v in row), strict=True)) for row in rows]


def expected(rows: list[list[Any]]) -> dict[str, object]:
    return {
        k: (float(v) if v is not None and not isinstance(v, int) else v)
        for k, v in oracle_metrics(as_csv_rows(rows), date(2023, 9, 16), date(2024, 9, 15))
        .items()
    }


def figures(path: Path, *args: object, stdin: bytes | None = None) -> dict[str, object]:
    result = run("summarize", path, "--period", "2024", "--format", "json", *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return {m["id"]: m["value"] for m in json.loads(result.stdout)["metrics"]}


def xlsx(path: Path, rows: list[list[Any]], *, top: int = 1, left: int = 1,
         sheets: tuple[str, ...] = (), first: str = "Requests") -> Path:
    """A workbook as openpyxl writes it: the header at row `top`, column `left`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = first
    for r, row in enumerate([HEADER, *rows], start=top):
        for c, value in enumerate(row, start=left):
            if value is not None:
                sheet.cell(row=r, column=c, value=value)
    for name in sheets:
        book.create_sheet(name)
    book.save(path)
    return path


def patch_sheet(path: Path, change: Any) -> None:
    """Rewrite the first sheet's XML, as another program would have written it."""
    patched = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    shutil.move(patched, path)


# --- .xlsx ------------------------------------------------------------------------------------


def test_an_xlsx_gives_the_figures_of_the_same_rows(tmp_path: Path) -> None:
    book = xlsx(tmp_path / "log.xlsx", ROWS)
    assert figures(book) == expected(ROWS)


def test_rows_and_cells_keep_the_sheets_own_numbers(tmp_path: Path) -> None:
    """The header at C4: the sixth request is on row 10, its kind in column E."""
    rows = [*ROWS[:5], [17, "Registry", "decision", None, None, date(2024, 3, 1), None, None]]
    book = xlsx(tmp_path / "log.xlsx", rows, top=4, left=3)
    result = run("validate", book, "--format", "json")
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["column"], p["value"]) for p in problems] == [(10, "kind", "decision")]
    assert json.loads(result.stdout)["source"] == f"{book}[Requests]"


def test_a_formula_without_its_value_stops_the_run(tmp_path: Path) -> None:
    """openpyxl writes `=F3+20` with no value, as every script does: the request executed on
    that day would read as pending without a word."""
    rows = [list(row) for row in ROWS]
    rows[2][6] = "=F4+20"  # R-1's executed date: its sent date (row 4) + 20 days
    book = xlsx(tmp_path / "log.xlsx", rows)
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1, result.output
    assert f"{book}[Requests]:4: column 'executed', value '=F4+20'" in result.stderr
    assert "cell G4" in result.stderr and "not saved" in result.stderr
    assert "open the file in a spreadsheet program" in result.stderr
    checked = run("validate", book, "--format", "json")
    assert checked.exit_code == 1
    [problem] = json.loads(checked.stdout)["problems"]
    assert (problem["line"], problem["column"], problem["code"]) == (4, "executed",
                                                                     "unsaved-formula")


def test_every_unsaved_formula_is_counted_in_the_message(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][7] = '=IF(TRUE,"positive","negative")'
    rows[3][7] = '=IF(FALSE,"positive","negative")'
    book = xlsx(tmp_path / "log.xlsx", rows)
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1 and "cell H2" in result.stderr
    assert "(and 1 more such cell(s))" in result.stderr


def test_a_formula_with_its_saved_value_is_read_by_that_value(tmp_path: Path) -> None:
    """As Excel saves it: `<f>` and `<v>`. R-1 executed on 2023-12-21, serial 45281."""
    rows = [list(row) for row in ROWS]
    rows[2][6] = "=F4+20"
    book = xlsx(tmp_path / "log.xlsx", rows)
    style = re.search(rb'<c r="F4" s="(\d+)"', (zipfile.ZipFile(book).read(
        "xl/worksheets/sheet1.xml")))
    assert style is not None  # the sent date's style: a date format
    patch_sheet(book, lambda xml: xml.replace(
        b'<c r="G4"><f>F4+20</f><v /></c>',
        b'<c r="G4" s="' + style[1] + b'"><f>F4+20</f><v>45281</v></c>',
    ))
    assert figures(book) == expected(ROWS)


def test_a_formula_saved_as_empty_text_is_an_empty_cell(tmp_path: Path) -> None:
    """`=IF(...,"")` saved by Excel: type str, an empty `<v>`; A-2 stays pending."""
    rows = [list(row) for row in ROWS]
    rows[1][6] = '=IF(TRUE,"","x")'
    book = xlsx(tmp_path / "log.xlsx", rows)
    patch_sheet(book, lambda xml: xml.replace(
        b'<c r="G3"><f>IF(TRUE,"","x")</f><v /></c>',
        b'<c r="G3" t="str"><f>IF(TRUE,"","x")</f><v></v></c>',
    ))
    assert figures(book) == expected(ROWS)


def test_an_unsaved_formula_in_a_column_not_read_is_no_matter(tmp_path: Path) -> None:
    import openpyxl

    book = xlsx(tmp_path / "log.xlsx", ROWS)
    wb = openpyxl.load_workbook(book)
    wb.active["J1"] = "Notes"
    wb.active["J2"] = "=LEN(A2)"
    wb.save(book)
    assert figures(book) == expected(ROWS)


def test_a_cell_merged_over_rows_stops_the_run(tmp_path: Path) -> None:
    """R-1's executed date merged over rows 4-6: R-2 and R-3 would read as pending."""
    import openpyxl

    book = xlsx(tmp_path / "log.xlsx", ROWS)
    wb = openpyxl.load_workbook(book)
    wb.active.merge_cells("G4:G6")
    wb.save(book)
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1, result.output
    assert f"{book}[Requests]:4: column 'executed'" in result.stderr
    assert "cells G4:G6 are merged over rows 4-6" in result.stderr
    assert "unmerge" in result.stderr
    assert run("validate", book).exit_code == 1


def test_cells_merged_in_a_column_not_read_are_no_matter(tmp_path: Path) -> None:
    import openpyxl

    book = xlsx(tmp_path / "log.xlsx", ROWS)
    wb = openpyxl.load_workbook(book)
    wb.active["J1"] = "Notes"
    wb.active["J2"] = "one note for three rows"
    wb.active.merge_cells("J2:J4")
    wb.active.merge_cells("A9:B9")  # below the rows, on one row
    wb.save(book)
    assert figures(book) == expected(ROWS)


def test_broken_sheet_xml_is_a_message(tmp_path: Path) -> None:
    book = xlsx(tmp_path / "log.xlsx", ROWS)
    patch_sheet(book, lambda xml: xml[: len(xml) // 2])
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1, result.output
    assert "not a readable Excel workbook (.xlsx)" in result.stderr
    assert "internal error" not in result.output


def test_an_empty_first_sheet_names_the_others(tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "log.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    data = wb.create_sheet("Data")
    for row in [HEADER, *ROWS]:
        data.append(row)
    wb.save(book)
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1
    assert "the workbook's other sheets are 'Data': pass --sheet 'Data'" in result.stderr
    assert figures(book, "--sheet", "Data") == expected(ROWS)


# --- .xls -------------------------------------------------------------------------------------


def xls(path: Path, rows: list[list[Any]], merge: tuple[int, int, int, int] | None = None) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Requests")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate([HEADER, *rows]):
        for c, value in enumerate(row):
            if merge is not None and (r, c) == merge[:2]:
                sheet.write_merge(r, merge[2], c, merge[3], value, dated)
            elif merge is not None and merge[0] < r <= merge[2] and merge[1] <= c <= merge[3]:
                continue
            elif isinstance(value, date):
                sheet.write(r, c, value, dated)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def test_an_xls_gives_the_figures_of_the_same_rows(tmp_path: Path) -> None:
    book = xls(tmp_path / "log.xls", ROWS)
    assert figures(book) == expected(ROWS)
    piped = run("summarize", "-", "--period", "2024", "--format", "json",
                stdin=book.read_bytes())
    assert piped.exit_code == 0, piped.output


def test_a_merged_cell_in_an_xls_stops_the_run(tmp_path: Path) -> None:
    book = xls(tmp_path / "log.xls", ROWS, merge=(3, 6, 5, 6))  # G4:G6
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1, result.output
    assert "cells G4:G6 are merged over rows 4-6" in result.stderr


# --- .ods -------------------------------------------------------------------------------------

ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: Any) -> str:
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, tuple):  # (attributes, shown text): a cell written by hand
        attributes, shown = value
        return f"<table:table-cell {attributes}><text:p>{escape(shown)}</text:p></table:table-cell>"
    if isinstance(value, date):
        return (f'<table:table-cell office:value-type="date" office:date-value="'
                f'{value.isoformat()}"><text:p>{value:%d/%m/%Y}</text:p></table:table-cell>')
    if isinstance(value, int):
        return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return (f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}'
            "</text:p></table:table-cell>")


def ods(path: Path, rows: list[list[Any]], blank_rows: int = 0) -> Path:
    """An OpenDocument spreadsheet, as LibreOffice lays one out (the parts calamine reads)."""
    body = "".join(
        "<table:table-row>" + "".join(ods_cell(v) for v in row) + "</table:table-row>"
        for row in [HEADER, *rows]
    )
    if blank_rows:
        body = (f'<table:table-row table:number-rows-repeated="{blank_rows}">'
                "<table:table-cell/></table:table-row>") + body
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        '<table:table table:name="Cover"><table:table-row><table:table-cell/></table:table-row>'
        '</table:table><table:table table:name="Requests">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_gives_the_figures_of_the_same_rows(tmp_path: Path) -> None:
    book = ods(tmp_path / "log.ods", ROWS, blank_rows=2)
    assert figures(book, "--sheet", "Requests") == expected(ROWS)
    piped = run("summarize", "-", "--period", "2024", "--format", "json", "--sheet",
                "Requests", stdin=book.read_bytes())
    assert piped.exit_code == 0, piped.output


def test_ods_rows_keep_their_numbers(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[4][3] = "Country Office"
    book = ods(tmp_path / "log.ods", rows, blank_rows=2)
    result = run("validate", book, "--sheet", "Requests", "--format", "json")
    [problem] = json.loads(result.stdout)["problems"]
    assert (problem["line"], problem["column"]) == (8, "origin")  # 2 blank + header + 5th row


def test_an_ods_formula_with_its_value_and_without(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[2][6] = ('table:formula="of:=[.F5]+20" office:value-type="date" '
                  'office:date-value="2023-12-21"', "21/12/2023")
    assert figures(ods(tmp_path / "saved.ods", rows), "--sheet", "Requests") == expected(ROWS)
    rows[2][6] = ('table:formula="of:=[.F5]+20"', "")
    result = run("summarize", ods(tmp_path / "unsaved.ods", rows), "--period", "2024",
                 "--sheet", "Requests")
    assert result.exit_code == 1, result.output
    assert "[Requests]:4: column 'executed', value '=[.F5]+20'" in result.stderr
    assert "not saved" in result.stderr


def test_an_ods_cell_merged_over_rows_stops_the_run(tmp_path: Path) -> None:
    rows = [list(row) for row in ROWS]
    rows[2][6] = ('table:number-rows-spanned="3" office:value-type="date" '
                  'office:date-value="2023-12-21"', "21/12/2023")
    rows[3][6] = ("", "")
    book = ods(tmp_path / "merged.ods", rows)
    text = zipfile.ZipFile(book).read("content.xml").decode()
    assert "number-rows-spanned" in text
    result = run("summarize", book, "--period", "2024", "--sheet", "Requests")
    assert result.exit_code == 1, result.output
    assert "cells G4:G6 are merged over rows 4-6" in result.stderr


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_workbook_named_as_csv_is_still_read(tmp_path: Path, suffix: str) -> None:
    maker = {".xlsx": xlsx, ".xls": xls, ".ods": ods}[suffix]
    book = maker(tmp_path / f"log{suffix}", ROWS)
    renamed = tmp_path / "log.csv"
    shutil.copy(book, renamed)
    sheet = ("--sheet", "Requests") if suffix == ".ods" else ()
    assert figures(renamed, *sheet) == expected(ROWS)


def test_cells_are_converted_a_column_at_a_time_as_one_by_one() -> None:
    """A column's cells become the texts the CSV reader would see, whatever mix of types the
    column holds: 1, 1.0 and True are equal in Python but not in text, and a date and the
    datetime at its midnight are different cells."""
    from datetime import datetime

    from coopstats.read.workbook import _texts_of

    rows = [
        ["r1", 1, date(2024, 1, 2), ""],
        ["r2", 1.0, datetime(2024, 1, 2, 0, 0), "x"],
        ["r3", True, datetime(2024, 1, 2, 9, 30), "y"],
        ["r4", 17.5, date(2024, 1, 2), ""],
    ]
    texts: dict[object, str] = {}
    text_rows = [["a", "b"], ["c", ""]]
    assert _texts_of(text_rows, texts) is text_rows  # all text: the rows as they are
    rows = _texts_of(rows, texts)
    assert rows == [
        ["r1", "1", "2024-01-02", ""],
        ["r2", "1", "2024-01-02", "x"],
        ["r3", "True", "2024-01-02 09:30:00", "y"],
        ["r4", "17.5", "2024-01-02", ""],
    ]


# --- date cells counted as dates --------------------------------------------------------------


def test_date_cells_reach_the_counting_loop_as_dates_and_read_as_their_text(
    tmp_path: Path,
) -> None:
    """`counted_records` leaves a chunk's date cells in the date columns as dates where the
    other cells read are text, and makes the chunk text where one is not (the id 17 below);
    either way `as_text` gives the row `records` gives."""
    from coopstats.read import Source, open_table
    from coopstats.read.options import ReadOptions
    from coopstats.read.workbook import _ROWS_AT_ONCE

    texts = [[f"A-{n:04d}", *ROWS[n % 5][1:]] for n in range(_ROWS_AT_ONCE)]  # ROWS[5]: id 17
    rows = [*texts, *ROWS]  # a chunk of text ids, then one that holds the number 17
    book = xlsx(tmp_path / "log.xlsx", rows)
    with Source(str(book)) as source:
        table = open_table(source, ReadOptions())
        plain = list(table.records())
        counted = list(table.counted_records(None))
    assert [line for line, _ in counted] == [line for line, _ in plain]
    assert [(line, table.as_text(row)) for line, row in counted] == plain
    first, second = counted[0][1], counted[_ROWS_AT_ONCE][1]
    assert first[5] == date(2023, 10, 2) and first[6] == date(2023, 10, 9)  # kept
    assert second[5] == "2023-10-02"  # the chunk of the id 17, made text
    assert plain[0][1][5] == "2023-10-02"


def test_a_row_counted_with_date_cells_is_checked_and_shown_as_text(tmp_path: Path) -> None:
    """A request whose date cells come as dates still meets every check; its problem shows
    the ISO text, and a row whose first cell is blank but holds a date is not a blank row."""
    rows = [[f"A-{n:03d}", *ROWS[n % 5][1:]] for n in range(40)]
    rows[3] = ["A-003", "OTP", "RFA", None, None, date(2024, 3, 1), date(2024, 2, 1), None]
    rows[7] = [None, "OTP", "RFA", None, None, date(2024, 3, 1), None, None]
    book = xlsx(tmp_path / "log.xlsx", rows)
    result = run("validate", book, "--format", "json")
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["column"], p["value"], p["code"]) for p in problems] == [
        (5, "executed", "2024-02-01", "executed-before-sent"),
        (9, "id", "", "missing-value"),
    ]
    valid = [row for n, row in enumerate(rows) if n not in (3, 7)]
    assert figures(book, "--skip-invalid") == expected(valid)


def test_a_number_or_a_date_beyond_the_header_is_an_extra_cell(tmp_path: Path) -> None:
    """Cells right of the header's last title make every row of the sheet wider than the
    header; the rows holding one are extra-cell problems with a sheet's hint, not a crash,
    whatever the cell holds, and the other rows count as the oracle counts them."""
    import openpyxl

    rows = [[f"A-{n:03d}", *ROWS[n % 5][1:]] for n in range(30)]
    book = xlsx(tmp_path / "log.xlsx", rows)
    workbook = openpyxl.load_workbook(book)
    workbook.active.cell(row=5, column=10, value=5.0)
    workbook.active.cell(row=6, column=10, value=date(2024, 2, 2))
    workbook.save(book)
    result = run("validate", book, "--format", "json")
    assert result.exit_code == 1, result.output
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [(5, "extra-cell"), (6, "extra-cell")]
    assert problems[0]["hint"].startswith("give the column a title in the header row (1)")
    valid = [row for n, row in enumerate(rows) if n not in (3, 4)]
    assert figures(book, "--skip-invalid") == expected(valid)


# --- two processes ----------------------------------------------------------------------------


def test_a_sheet_counted_in_two_processes_prints_what_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet split in two parts (HALVES_FROM lowered), the second counted by a forked
    process: the figures of valid rows are the oracle's; with an unknown kind in each part, an
    id repeated across the split and a blank row, summarize and validate print what one
    process prints, the problems on the rows the sheet numbers."""
    from coopstats import engine
    from coopstats.read import workbook

    valid = [[f"A-{n:03d}", *ROWS[n % len(ROWS)][1:]] for n in range(60)]
    good = xlsx(tmp_path / "good.xlsx", valid)
    rows = [list(row) for row in valid]
    rows[10][2] = rows[50][2] = "RFQ"  # sheet rows 12 and 52
    rows[45][0] = rows[5][0]  # row 47 repeats row 7's id, across the split at row 38
    rows[20] = [None] * len(HEADER)  # row 22: blank
    bad = xlsx(tmp_path / "bad.xlsx", rows)
    split = 2 + int(60 * workbook.FIRST_SHARE)
    assert 7 < split <= 47

    forks: list[object] = []
    in_two = engine._fork._in_two
    monkeypatch.setattr(workbook, "HALVES_FROM", 1)
    monkeypatch.setattr(engine._fork, "_in_two", lambda *a: forks.append(a) or in_two(*a))
    assert figures(good) == expected(valid)
    two = [run("summarize", bad, "--period", "2024", "--format", "json", "--skip-invalid"),
           run("validate", bad, "--format", "json")]  # fmt: skip
    assert forks, "no second process counted a part"
    forked = len(forks)
    problems = json.loads(two[1].stdout)["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [
        (12, "unknown-kind"), (47, "duplicate-id"), (52, "unknown-kind"),
    ]  # fmt: skip

    monkeypatch.setattr(workbook.WorkbookTable, "halves", lambda self: None)
    one = [run("summarize", bad, "--period", "2024", "--format", "json", "--skip-invalid"),
           run("validate", bad, "--format", "json")]  # fmt: skip
    assert len(forks) == forked  # one process
    assert [(r.exit_code, r.stdout, r.stderr) for r in two] == [
        (r.exit_code, r.stdout, r.stderr) for r in one
    ]


@pytest.mark.parametrize("blank_ids", [0, 20])
def test_ids_that_start_again_in_the_second_process_part_are_repeats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank_ids: int
) -> None:
    """Each part's ids increase, but the second part's start again from the first part's: only
    the part's first id (noted on the way, or read again when its first records have none)
    tells that they repeat. Sheet rows 2-37 are the first part, 38-61 the second."""
    from coopstats import engine
    from coopstats.read import workbook

    rows = [[f"A-{n:03d}", *ROWS[n % len(ROWS)][1:]] for n in range(36)]
    rows += [[None, *ROWS[n % len(ROWS)][1:]] for n in range(blank_ids)]
    rows += [[f"A-{n:03d}", *ROWS[n % len(ROWS)][1:]] for n in range(24 - blank_ids)]
    book = xlsx(tmp_path / "ids.xlsx", rows)
    assert 2 + int(60 * workbook.FIRST_SHARE) == 38
    forks: list[object] = []
    in_two = engine._fork._in_two
    monkeypatch.setattr(workbook, "HALVES_FROM", 1)
    monkeypatch.setattr(engine._fork, "_in_two", lambda *a: forks.append(a) or in_two(*a))
    checked = run("validate", book, "--format", "json")
    assert forks, "no second process counted a part"
    problems = json.loads(checked.stdout)["problems"]
    blank = [(line, "missing-value") for line in range(38, 38 + blank_ids)]
    repeats = [(line, "duplicate-id") for line in range(38 + blank_ids, 62)]
    assert [(p["line"], p["code"]) for p in problems] == blank + repeats
    first_use = {p["line"]: p["message"] for p in problems if p["code"] == "duplicate-id"}
    assert "already used on line 2" in first_use[38 + blank_ids]
