"""A workbook named on the command line loads while the command line is read
(coopstats.preload): what is loaded ahead is taken only for the same file and sheet, and the
figures are the oracle's whether it is taken or not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_workbook import ROWS, expected, figures, xlsx

from coopstats import preload
from coopstats.read import ReadOptions, Source, open_table

OTHER = [[f"B-{n}", *ROWS[n % 5][1:]] for n in range(3)]  # the second sheet's rows


@pytest.fixture(autouse=True)
def nothing_ahead() -> Iterator[None]:
    preload._started = None
    yield
    preload.settled()
    preload._started = None


def two_sheets(path: Path) -> Path:
    """A workbook whose first sheet holds ROWS and whose second, "Other", holds OTHER."""
    import openpyxl

    xlsx(path, ROWS)
    book = openpyxl.load_workbook(path)
    other = book.create_sheet("Other")
    for row in [["id", "organ", "kind", "origin", "categories", "sent", "executed", "outcome"],
                *OTHER]:  # fmt: skip
        other.append(row)
    book.save(path)
    return path


def opened_sheet(path: Path, sheet: str | None = None) -> object:
    """The calamine sheet that the table reads (its first piece: a small sheet has one)."""
    with Source(str(path)) as source:
        table = open_table(source, ReadOptions(sheet=sheet))
        return table.pieces[0].sheet  # type: ignore[attr-defined]


def loaded_sheet(load: preload._Load) -> object:
    """The calamine sheet that a load ahead loaded, or None."""
    loaded = load.wait()
    return loaded.pieces[0][1] if loaded is not None else None


def test_the_sheet_loaded_ahead_is_the_one_counted(tmp_path: Path) -> None:
    book = two_sheets(tmp_path / "log.xlsx")
    preload.start(["summarize", str(book), "--period", "2024"])
    load = preload._started
    assert load is not None and load.wait() is not None
    assert opened_sheet(book) is loaded_sheet(load)
    assert preload._started is None  # taken once
    preload.start(["summarize", str(book), "--period", "2024"])
    assert figures(book) == expected(ROWS)


@pytest.mark.parametrize("args", [["--sheet", "Other"], ["--sheet=Other"]])
def test_the_sheet_named_by_sheet_is_loaded_ahead(tmp_path: Path, args: list[str]) -> None:
    book = two_sheets(tmp_path / "log.xlsx")
    preload.start(["summarize", *args, str(book)])
    load = preload._started
    assert load is not None and load.wait() is not None
    assert opened_sheet(book, "Other") is loaded_sheet(load)


def test_another_sheet_than_the_guess_is_loaded_as_ever(tmp_path: Path) -> None:
    """The config (here the options) picks "Other" where the command line named no sheet: the
    first sheet's load ahead is not waited for, and "Other" is counted."""
    book = two_sheets(tmp_path / "log.xlsx")
    preload.start(["summarize", str(book)])
    load = preload._started
    assert load is not None
    sheet = opened_sheet(book, "Other")
    assert sheet is not loaded_sheet(load)
    preload.start(["summarize", str(book)])
    assert figures(book, "--sheet", "Other") == expected(OTHER)


def test_a_file_changed_since_is_read_anew(tmp_path: Path) -> None:
    book = xlsx(tmp_path / "log.xlsx", ROWS)
    preload.start(["summarize", str(book)])
    load = preload._started
    assert load is not None and load.wait() is not None
    time.sleep(0.01)
    xlsx(book, ROWS[:3])  # rewritten in place: another size and time
    assert opened_sheet(book) is not loaded_sheet(load)
    assert figures(book) == expected(ROWS[:3])


def test_arguments_naming_no_workbook_start_nothing(tmp_path: Path) -> None:
    csv = tmp_path / "log.csv"
    csv.write_text("id\n")
    for args in (["summarize", str(csv)], ["summarize", str(tmp_path / "missing.xlsx")],
                 ["summarize", "-"], ["--sheet", "a.xlsx"], [str(tmp_path)]):  # fmt: skip
        preload.start(args)
        assert preload._started is None, args


def run_coopstats(*args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "coopstats", *map(str, args)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_the_command_counts_a_workbook_loaded_ahead(tmp_path: Path) -> None:
    """Through the console script's own start-up, where the load ahead begins."""
    book = two_sheets(tmp_path / "log.xlsx")
    for args, rows in (([], ROWS), (["--sheet", "Other"], OTHER)):
        result = run_coopstats("summarize", book, "--period", "2024", "--format", "json", *args)
        assert result.returncode == 0, result.stderr
        values = {m["id"]: m["value"] for m in json.loads(result.stdout)["metrics"]}
        assert values == expected(rows)


def test_a_broken_workbook_is_told_as_ever(tmp_path: Path) -> None:
    """The load ahead fails in silence; the real one says what is wrong."""
    book = tmp_path / "log.xlsx"
    book.write_bytes(b"PK\x03\x04 not a zip at all")
    result = run_coopstats("summarize", book, "--period", "2024")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {book}: not a readable Excel workbook (.xlsx)")
    assert "Traceback" not in result.stderr
