"""Reading real exports: encodings, delimiters, quotes, line numbers, dates, workbooks, config.

Expected figures are worked out by hand in comments (fixtures/clean-small.csv is small enough to
count on paper) or come from the oracle; none is copied from the program's output.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, HEADER
from listing import listing
from oracle import METRIC_IDS, oracle_metrics
from typer.testing import CliRunner, Result

from coopstats.cli import app
from coopstats.errors import InvalidRows, UsageError
from coopstats.model import Request
from coopstats.read import FileProblem, ReadOptions, Source, open_table

runner = CliRunner()
WriteLog = Callable[..., Path]
CLEAN = FIXTURES / "clean-small.csv"
EXPORT = FIXTURES / "spreadsheet-export.csv"


def run(*args: object) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def figures(*args: object) -> dict[str, object]:
    result = run("summarize", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    return {m["id"]: m["value"] for m in doc["metrics"]}


def listed(path: Path, **options: object) -> list[Request]:
    """Every valid request, read by the library. (A fresh Listing for each pass: the engine
    reads a file twice when it must first settle the day/month order.)"""
    with Source(str(path)) as source:
        _, requests = listing(source, ReadOptions(**options))  # type: ignore[arg-type]
    return requests


def requests_of(path: Path, **options: object) -> list[tuple[int, str]]:
    """(line, id) of every valid request."""
    return [(r.line, r.id) for r in listed(path, **options)]


def problem_of(path: Path, **options: object) -> FileProblem:
    with pytest.raises(FileProblem) as caught:
        listed(path, **options)
    return caught.value


def write_bytes(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the spreadsheet export gives the clean log's figures ------------------------------------


def test_clean_small_figures_by_hand() -> None:
    """fixtures/clean-small.csv, period 2023-09-16:2024-09-15 as of its end, prior 2022-09-16:
    2023-09-15 (see fixtures/make_export_fixtures.py for the rows)."""
    v = figures(CLEAN, "--period", "2024")
    # Current OTP: RFAs 004 005 007 008, mission 006; prior: RFAs 001 002, mission 003.
    assert v["otp.rfa.sent"] == 5 and v["otp.rfa.mission_notifications"] == 1
    assert v["otp.rfa.sent_without_notifications"] == 4
    assert v["otp.rfa.evolution_pct"] == pytest.approx(100 * (5 - 3) / 3)
    assert v["otp.rfa.evolution_pct_without_notifications"] == 100.0  # (4 - 2) / 2
    # E: 004 (30 days), 005 (70: 13 Nov to 22 Jan), 006 (0); 007 was executed after the end.
    assert v["otp.rfa.executed"] == 3 and v["otp.rfa.executed_pct"] == 60.0
    assert v["otp.rfa.avg_days_to_execute"] == pytest.approx(100 / 3)
    assert v["otp.rfi.sent"] == 1
    # RFCs: HQ 003 004 006 007 009, country office 005; prior: HQ 001, country office 002.
    assert (v["registry.rfc.sent"], v["registry.rfc.hq"], v["registry.rfc.country_office"]) == (
        6, 5, 1,
    )
    assert v["registry.rfc.evolution_pct"] == 200.0 and v["registry.rfc.hq_evolution_pct"] == 400.0
    # HQ in E: 003 (41 days), 004 (90: 21 Dec to 20 Mar 2024, a leap year), 007 (14).
    assert v["registry.rfc.hq_avg_days_to_reply"] == pytest.approx(145 / 3)
    assert v["registry.rfc.hq_positive_pct"] == 40.0  # 003 positive, 007 empty = positive
    assert v["registry.decision_notifications"] == 1
    assert (v["registry.hq.defence"], v["registry.hq.victims"]) == (2, 1)
    assert (v["registry.hq.witness_protection"], v["registry.hq.judicial_support"]) == (1, 1)
    assert v["registry.hq.defence_avg_days_to_reply"] == 41.0
    # Arrest: 004 (HQ, 90 days, negative) and 005 (country office, 16 days, positive).
    assert v["registry.arrest.sent"] == 2 and v["registry.arrest.avg_days_to_reply"] == 53.0
    assert v["registry.arrest.positive_pct"] == 50.0


def test_clean_small_agrees_with_the_oracle() -> None:
    with CLEAN.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = oracle_metrics(rows, date(2023, 9, 16), date(2024, 9, 15))
    got = figures(CLEAN, "--period", "2024")
    for metric in METRIC_IDS:
        want = expected[metric]
        assert got[metric] == (None if want is None else pytest.approx(float(want))), metric


@pytest.mark.parametrize(
    "args",
    [
        ["--period", "2024"],
        ["--period", "2023"],
        ["--period", "2024", "--no-notifications"],
        ["--period", "2023-09-16:2024-09-15", "--as-of", "2024-10-01"],
        ["--period", "2021-01-01:2024-12-31"],
    ],
)
def test_the_spreadsheet_export_gives_the_same_json_as_the_clean_log(args: list[str]) -> None:
    """BOM, `;`, CRLF, day-first dates, headers in another case and order, free text with
    quotes, delimiters and line breaks: the same requests, the same bytes of JSON."""
    clean = run("summarize", CLEAN, *args, "--format", "json")
    export = run("summarize", EXPORT, *args, "--format", "json")
    assert clean.exit_code == 0 and export.exit_code == 0, export.output
    assert export.stdout == clean.stdout


def test_the_export_names_each_request_by_its_first_line() -> None:
    """Notes with line breaks push the later records down: each is named where an editor
    shows it. Counted by hand: the notes of OTP-002, OTP-004, REG-002 and REG-004 hold a line
    break, so those records span two lines each."""
    found = {rid: line for line, rid in requests_of(EXPORT)}
    assert found["OTP-001"] == 2
    assert found["OTP-002"] == 3  # lines 3-4
    assert found["OTP-003"] == 5
    assert found["OTP-004"] == 6  # lines 6-7
    assert found["OTP-005"] == 8
    assert found["OTP-010"] == 13
    assert found["REG-001"] == 14
    assert found["REG-002"] == 15  # lines 15-16
    assert found["REG-003"] == 17
    assert found["REG-004"] == 18  # lines 18-19
    assert found["REG-010"] == 25


# --- encodings --------------------------------------------------------------------------------

ROW = "R-é,OTP,RFA,,,2023-10-02,,"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
def test_utf8_with_or_without_bom(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(f"{HEADER}\n{ROW}\n", encoding=encoding)
    assert requests_of(path) == [(2, "R-é")]
    # Naming the encoding must not turn the mark into part of the first header name.
    assert requests_of(path, encoding="utf-8") == [(2, "R-é")]


def test_utf16_with_a_byte_order_mark_is_read_as_utf16(tmp_path: Path) -> None:
    """The stated rule: a UTF-16 mark means UTF-16 (Excel's "Unicode text", tab-separated)."""
    text = f"{HEADER}\r\n{ROW}\r\n".replace(",", "\t")
    path = write_bytes(tmp_path, "log.txt", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert requests_of(path) == [(2, "R-é")]


def test_utf16_without_a_mark_is_named_with_the_encoding_to_pass(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "log.csv", f"{HEADER}\n{ROW}\n".encode("utf-16-le"))
    problem = problem_of(path).problem
    assert problem.code == "encoding-error" and "--encoding utf-16-le" in (problem.hint or "")
    assert requests_of(path, encoding="utf-16-le") == [(2, "R-é")]


def test_cp1252_is_refused_with_its_line_then_read_with_encoding(tmp_path: Path) -> None:
    rows = [f"R-{n},OTP,RFA,,,2023-10-02,," for n in range(1, 6000)]
    data = "\n".join([HEADER, *rows, ROW]).encode("cp1252") + b"\n"
    path = write_bytes(tmp_path, "log.csv", data)
    result = run("summarize", path, "--period", "2024")
    assert result.exit_code == 1
    # The header is line 1, R-1 .. R-5999 are lines 2 .. 6000: the é is on line 6001, far past
    # the first chunk the decoder reads.
    assert f"{path}:6001:" in result.stderr
    assert "--encoding cp1252" in result.stderr
    assert "Traceback" not in result.output
    assert requests_of(path, encoding="cp1252")[-1] == (6001, "R-é")  # never mojibake


def test_unknown_encoding_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(f"{HEADER}\n", encoding="utf-8")
    assert run("validate", path, "--encoding", "klingon").exit_code == 2


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
    ],
)
def test_binary_files_are_refused_with_a_message(tmp_path: Path, data: bytes, words: str) -> None:
    path = write_bytes(tmp_path, "log.csv", data)
    result = run("summarize", path, "--period", "2024")
    assert result.exit_code == 1 and words in result.stderr


def test_an_opendocument_spreadsheet_is_named(tmp_path: Path) -> None:
    path = tmp_path / "log.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    assert "OpenDocument" in problem_of(path).message


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    empty = write_bytes(tmp_path, "empty.csv", b"")
    result = run("summarize", empty, "--period", "2024")
    assert result.exit_code == 1 and "empty" in result.stderr
    blank = write_bytes(tmp_path, "blank.csv", b"\xef\xbb\xbf\r\n  \n")
    assert problem_of(blank).problem.code == "empty-file"
    header_only = write_bytes(tmp_path, "header.csv", f"{HEADER}\n".encode())
    v = figures(header_only, "--period", "2024")
    assert v["otp.rfa.sent"] == 0 and v["otp.rfa.executed_pct"] is None  # zeros and N/A


# --- delimiters, quotes, line numbers ---------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiter_is_detected_from_the_header(tmp_path: Path, delimiter: str) -> None:
    rows = [HEADER, "R-1,Registry,RFC,HQ,defence;victims,2023-10-02,,"]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(
        next(csv.reader([row])) for row in rows
    )
    path = tmp_path / "log.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    v = figures(path, "--period", "2024")
    assert v["registry.hq.defence"] == 1 and v["registry.hq.victims"] == 1


def test_delimiter_forced_and_excel_sep_line(tmp_path: Path) -> None:
    # Sniffing the header would pick `,` (five of them against four `;`).
    path = tmp_path / "log.csv"
    path.write_text("id;organ;kind;sent;note,a,b,c,d,e\nR-1;OTP;RFA;2023-10-02;x\n", "utf-8")
    with Source(str(path)) as source:
        assert open_table(source, ReadOptions(delimiter=";")).header[4] == "note,a,b,c,d,e"
    assert requests_of(path, delimiter=";") == [(2, "R-1")]
    sep = tmp_path / "sep.csv"
    sep.write_text("sep=;\r\n\r\nid;organ;kind;sent\r\nR-1;OTP;RFA;2023-10-02\r\n", "utf-8")
    assert requests_of(sep) == [(4, "R-1")]  # sep=, a blank line, the header, then line 4
    tab = tmp_path / "tab.csv"  # the one delimiter that is also a space
    tab.write_text("\ufeffsep=\t\nid\torgan\tkind\tsent\nR-2\tOTP\tRFA\t2023-10-02\n", "utf-8")
    assert requests_of(tab) == [(3, "R-2")]
    trailing = tmp_path / "trailing.csv"  # what follows the delimiter is not the delimiter
    trailing.write_text("sep=;\t\r\nid;organ;kind;sent\r\nR-3;OTP;RFA;2023-10-02\r\n", "utf-8")
    assert requests_of(trailing) == [(3, "R-3")]
    assert run("validate", sep, "--delimiter", "ab").exit_code == 2


def test_quoted_cells_hold_delimiters_quotes_and_line_breaks(tmp_path: Path) -> None:
    text = (
        "id,organ,kind,sent,note\r\n"
        'R-1,OTP,RFA,2023-10-02,"a, b ""c""\r\nd\r\ne"\r\n'
        "\r\n"
        "R-2,OTP,RFA,2023-10-02,\r\n"
        "R-3,OTP,RFAX,2023-10-02,\r\n"
    )
    path = write_bytes(tmp_path, "log.csv", text.encode())
    # R-1 spans lines 2-4, line 5 is blank, R-2 is on line 6, the bad R-3 on line 7.
    assert requests_of(path, skip_invalid=True) == [(2, "R-1"), (6, "R-2")]
    result = run("validate", path, "--format", "json")
    assert [p["line"] for p in json.loads(result.stdout)["problems"]] == [7]


def test_a_note_of_two_megabytes_is_read(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    note = "word " * 400_000
    path.write_text(f'id,organ,kind,sent,note\nR-1,OTP,RFA,2023-10-02,"{note}"\n', "utf-8")
    assert figures(path, "--period", "2024")["otp.rfa.sent"] == 1


def test_blank_and_whitespace_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    text = f"\n{HEADER}\n\n   \n ,  ,\nR-1,OTP,RFA,,,2023-10-02,,\n\n"
    path = write_bytes(tmp_path, "log.csv", text.encode())
    assert requests_of(path) == [(6, "R-1")]  # the header is on line 2 here


def test_a_quote_never_closed_is_named_not_swallowed(tmp_path: Path) -> None:
    """The record of the opening quote is invalid; the lines it would swallow are read."""
    text = f'{HEADER}\nR-1,OTP,RFA,,,2023-10-02,,"\nR-2,OTP,RFA,,,2023-10-03,,\n'
    path = write_bytes(tmp_path, "log.csv", text.encode())
    with pytest.raises(InvalidRows) as caught:
        listed(path)
    (problem,) = caught.value.problems
    assert problem.code == "format-error" and problem.line == 2
    assert "never closed" in problem.message and "line 3" in problem.message
    assert requests_of(path, skip_invalid=True) == [(3, "R-2")]


def test_missing_column_names_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("ID,Organ,Type,Date sent\nR-1,OTP,RFA,2023-10-02\n", "utf-8")
    problem = problem_of(path).problem
    assert problem.code == "missing-label" and problem.line == 1
    assert "kind" in problem.message and "'Type'" in problem.message
    assert problem.message.index("kind") < problem.message.index("'Type'")


def test_a_header_below_the_first_21_rows_is_pointed_at(tmp_path: Path) -> None:
    # Title rows within the first 21 are passed over (tests/test_exports.py); further down,
    # the header is only pointed at.
    path = tmp_path / "log.csv"
    titles = "".join(f"Requests exported, part {n}\n" for n in range(22))
    path.write_text(f"{titles}{HEADER}\nR-1,OTP,RFA,,,2023-10-02,,\n")
    assert "line 23 looks like the header" in (problem_of(path).problem.hint or "")


def test_duplicate_header_and_unknown_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("id,organ,kind,sent,SENT\n", "utf-8")
    assert problem_of(path).problem.code == "duplicate-label"
    path.write_text(f"{HEADER}\n", "utf-8")
    mapped = problem_of(path, columns={"sent": "Date sent"}).problem
    assert mapped.code == "missing-label" and mapped.column == "Date sent"
    with Source(str(path)) as source, pytest.raises(UsageError):
        open_table(source, ReadOptions(columns={"sender": "x"}))


def test_standard_input_is_read(tmp_path: Path) -> None:
    data = EXPORT.read_bytes()
    result = runner.invoke(app, ["summarize", "-", "--period", "2024", "--format", "json"],
                           input=data)
    assert result.exit_code == 0, result.output
    assert result.stdout == run("summarize", CLEAN, "--period", "2024", "--format", "json").stdout


# --- dates ------------------------------------------------------------------------------------


def write_dates(tmp_path: Path, *sent: str) -> Path:
    path = tmp_path / "dates.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER.split(","))
        writer.writerows([f"R-{n}", "OTP", "RFA", "", "", when, "", ""]
                         for n, when in enumerate(sent, 1))
    return path


def sent_dates(path: Path, **options: object) -> list[date]:
    return [r.sent for r in listed(path, **options)]


def test_the_file_proves_its_day_month_order(tmp_path: Path) -> None:
    assert sent_dates(write_dates(tmp_path, "05/06/2023", "25/12/2023")) == [
        date(2023, 6, 5), date(2023, 12, 25),
    ]
    assert sent_dates(write_dates(tmp_path, "05/06/2023", "12/25/2023")) == [
        date(2023, 5, 6), date(2023, 12, 25),
    ]


def test_an_order_proven_neither_way_or_both_ways_stops_with_lines(tmp_path: Path) -> None:
    both = run("summarize", write_dates(tmp_path, "05/06/2023", "25/12/2023", "12/25/2023"),
               "--period", "2024")
    assert both.exit_code == 1
    # 25/12 on line 3 proves day-first, 12/25 on line 4 month-first.
    assert "line 3" in both.stderr and "line 4" in both.stderr
    assert "--dayfirst" in both.stderr and "--monthfirst" in both.stderr
    neither = run("summarize", write_dates(tmp_path, "2023-10-01", "05/06/2023"), "-p", "2024")
    assert neither.exit_code == 1 and "line 3" in neither.stderr
    assert "--dayfirst" in neither.stderr
    path = write_dates(tmp_path, "05/06/2023")
    assert sent_dates(path, date_order="month") == [date(2023, 5, 6)]
    assert sent_dates(path, date_order="day") == [date(2023, 6, 5)]


def test_spellings_of_dates(tmp_path: Path) -> None:
    path = write_dates(
        tmp_path, "2023-09-16 00:00:00", "16.09.2023", "16 Sep 2023", "Sep 16, 2023",
        "16 sept. 2023", "16/09/2023 14:30", "2023-09-16T08:00:00Z", " 2023-09-16 ",
    )
    assert sent_dates(path) == [date(2023, 9, 16)] * 8


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("2023-02-30", "no such date"),
        ("31/04/2023", "no such date"),
        ("16/09/23", "two-digit year"),
        ("45185", "Excel"),
        ("soon", "not a date"),
    ],
)
def test_bad_dates_are_problems(tmp_path: Path, cell: str, words: str) -> None:
    result = run("validate", write_dates(tmp_path, cell), "--format", "json")
    problems = json.loads(result.stdout)["problems"]
    assert [(p["line"], p["column"], p["code"]) for p in problems] == [(2, "sent", "invalid-date")]
    assert words in problems[0]["message"] + (problems[0]["hint"] or "")


# --- workbooks --------------------------------------------------------------------------------


def make_workbook(path: Path, rows: list[list[object]], sheets: tuple[str, ...] = ()) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Requests"
    for row in rows:
        sheet.append(row)
    for name in sheets:
        book.create_sheet(name).append(["nothing", "here"])
    book.save(path)
    return path


BOOK_ROWS: list[list[object]] = [
    ["ID", "Organ", "Kind", "Origin", "Categories", "Sent", "Executed", "Outcome", "Notes"],
    [17, "OTP", "RFA", None, None, datetime(2023, 10, 2), date(2023, 10, 9), None, "a\nb"],
    ["R-2", "Registry", "RFC", "HQ", "defence", datetime(2023, 11, 1, 14, 30), None, None],
    [],
    ["R-4", "registry", "rfc", "country-office", None, "2023-11-02", None, None],
]


def test_a_workbook_is_read_like_a_csv(tmp_path: Path) -> None:
    book = make_workbook(tmp_path / "log.xlsx", BOOK_ROWS, sheets=("Other",))
    assert requests_of(book) == [(2, "17"), (3, "R-2"), (5, "R-4")]  # Excel's row numbers
    v = figures(book, "--period", "2024")
    # 7 days; the HQ RFC R-2 and the country-office R-4 are pending.
    assert v["otp.rfa.avg_days_to_execute"] == 7.0 and v["registry.rfc.hq"] == 1
    assert v["registry.rfc.country_office"] == 1
    # The same bytes through standard input, or under a .csv name, are still a workbook.
    piped = runner.invoke(app, ["summarize", "-", "-p", "2024", "-f", "json"],
                          input=book.read_bytes())
    assert piped.exit_code == 0, piped.output
    renamed = write_bytes(tmp_path, "log.csv", book.read_bytes())
    assert requests_of(renamed) == [(2, "17"), (3, "R-2"), (5, "R-4")]


def test_workbook_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [*BOOK_ROWS, ["R-6", "OTP", "RFX", None, None, date(2023, 10, 2)]]
    book = make_workbook(tmp_path / "log.xlsx", rows, sheets=("Other",))
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 1
    assert f"{book}[Requests]:6: column 'Kind'" in result.stderr


def test_sheet_option(tmp_path: Path) -> None:
    import openpyxl

    book = tmp_path / "log.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["a cover sheet"])
    log = wb.create_sheet("Log")
    for row in BOOK_ROWS:
        log.append(row)
    wb.save(book)
    assert figures(book, "--period", "2024", "--sheet", "Log")["registry.rfc.sent"] == 2
    missing = run("summarize", book, "--period", "2024", "--sheet", "Nope")
    assert missing.exit_code == 2 and "'Log'" in missing.stderr


def test_without_calamine_a_message_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = make_workbook(tmp_path / "log.xlsx", BOOK_ROWS)
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # the import now fails
    result = run("summarize", book, "--period", "2024")
    assert result.exit_code == 2  # the environment lacks a part: not the data's fault
    assert "pip install 'coopstats[excel]'" in result.stderr


def test_a_broken_workbook_is_a_message(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "log.xlsx", b"not a zip at all")
    result = run("validate", path, "--format", "json")
    assert result.exit_code == 1
    problem = json.loads(result.stdout)["problems"][0]
    assert problem["code"] == "format-error"
    assert "CSV by the look of it" in problem["message"]


# --- a database's own vocabulary: coopstats.toml ---------------------------------------------

DATABASE_LOG = (
    "Ref,Office,Type,From,Topics,Date sent,Date done,Result\n"
    "A-1,Prosecution,Request for Assistance,,,05/06/2023,10/06/2023,\n"
    "A-2,Court Registry,Request for Cooperation,Headquarters,Defence team,05/10/2023,,\n"
)
DATABASE_CONFIG = """
[columns]
id = "Ref"
organ = "Office"
kind = "Type"
origin = "From"
categories = "Topics"
sent = "Date sent"
executed = "Date done"
outcome = "Result"

[values.organ]
"Prosecution" = "OTP"
"Court Registry" = "Registry"

[values.kind]
"Request for Assistance" = "RFA"
"Request for Cooperation" = "RFC"

[values.origin]
"Headquarters" = "HQ"

[values.categories]
"Defence team" = "defence"

[defaults]
dayfirst = true
year-start = "01-01"
"""


def test_config_maps_columns_values_and_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "db.csv"
    log.write_text(DATABASE_LOG, encoding="utf-8")
    (tmp_path / "coopstats.toml").write_text(DATABASE_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # coopstats.toml in the current folder is used
    # year-start 01-01: --period 2023 is the calendar year. Day-first: A-1 sent 5 June, done
    # 10 June (5 days); A-2 sent 5 October.
    v = figures(log, "--period", "2023")
    assert v["otp.rfa.sent"] == 1 and v["otp.rfa.avg_days_to_execute"] == 5.0
    assert v["registry.rfc.hq"] == 1 and v["registry.hq.defence"] == 1
    # The command line wins over the file: year-start 09-16 makes 2023 the Court's year
    # 2022-09-16:2023-09-15, which holds A-1 (5 June 2023) but not A-2 (5 October 2023).
    v = figures(log, "--period", "2023", "--year-start", "09-16")
    assert v["otp.rfa.sent"] == 1 and v["registry.rfc.sent"] == 0
    assert run("validate", log).exit_code == 0


def test_monthfirst_on_the_command_line_wins_over_dayfirst_in_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "db.csv"
    log.write_text(DATABASE_LOG, encoding="utf-8")
    (tmp_path / "coopstats.toml").write_text(DATABASE_CONFIG, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    # Month-first: A-1 is sent 6 May and done 6 October 2023.
    v = figures(log, "--period", "2023", "--monthfirst")
    assert v["otp.rfa.avg_days_to_execute"] == 153.0  # 25 + 30 + 31 + 31 + 30 + 6


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ("[defaults]\ndayfirst = \"yes\"\n", "true or false"),
        ("[defaults]\nmax-problems = \"ten\"\n", "whole number"),
        ("[defaults]\nyear-start = 916\n", "string"),
        ("[defaults]\nformat = \"xml\"\n", "one of"),
        ("[defaults]\nyearstart = \"01-01\"\n", "did you mean year-start"),
        ("[values.kind]\n\"Req\" = \"RFAA\"\n", "not a kind word"),
        # SPEC §6: [values.COLUMN] maps the spellings of any column; not a table of words.
        ("[values.colour]\nx = 1\n", "must map names to strings"),
        ("[columns]\nsender = \"From\"\n", "the columns are"),
        ("[defaults\n", "not a readable TOML"),
    ],
)
def test_bad_config_is_a_usage_error(tmp_path: Path, config: str, words: str) -> None:
    (tmp_path / "c.toml").write_text(config, encoding="utf-8")
    result = run("summarize", CLEAN, "--period", "2024", "--config", tmp_path / "c.toml")
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.output


def test_a_config_default_for_another_command_does_not_stop_validate(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[defaults]\nyear-start = "01-01"\nnotifications = false\n', "utf-8")
    assert run("validate", CLEAN, "--config", config).exit_code == 0
    assert run("explain", CLEAN, "-p", "2024", "--config", config).exit_code == 0


def test_a_utf8_mark_under_another_encoding_is_refused(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, "log.csv", codecs.BOM_UTF8 + f"{HEADER}\n{ROW}\n".encode())
    problem = problem_of(path, encoding="latin-1").problem
    assert problem.code == "encoding-error" and problem.hint == "leave out --encoding"
