"""Blocks with quotes: only the records that start on a line with a quote are read by the csv
module (lines.py, `quoted_lines`), the lines between them are split as plain lines, and a record
whose quoted cell runs over a block's end is carried into the next block.

Checked against reading the whole file with the csv module (the table's fallback from the top):
the same records (line, cells), unclosed quotes and all; against the fallback-only path (every
block with a quote handing the rest of the file over, as before `quoted_lines`) and the tests'
oracle for the figures and problems of `summarize --format json` and `validate`. Blocks are
made tiny (64 or 300 bytes) so that quoted cells fall across block ends, and two processes are
tried too.
"""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_metrics
from strategies import valid_rows
from typer.testing import CliRunner

from coopstats.catalogue import figure_ids
from coopstats.cli import app
from coopstats.read import ReadOptions, Source, lines, open_table
from coopstats.read import csv as read_csv
from coopstats.read.lines import NotPlain

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = "id;organ;kind;sent;executed;outcome;origin;categories"
BLOCKS = st.sampled_from([64, 300, lines.BLOCK])
runner = CliRunner()

# Cells: plain ones, and quoted ones holding the delimiter, doubled quotes and line breaks.
_PLAIN = st.text(alphabet="ab1 -", max_size=6)
_QUOTED_TEXT = st.lists(
    st.sampled_from(["a", "b c", ";", '"', "\n", "\r\n", ",", " ", "x;y"]), max_size=6
).map("".join)
# What the csv module reads otherwise than a pair of quotes around a cell: the fast path must
# see it as doubtful and hand over (or read it right).
_ODD = st.sampled_from(
    ['ab"c', '"ab"c', ' "a;b"', '"a"b"c";', 'x"', '"unclosed\nline', 'a"b;"c', 'd"e;"']
)


@st.composite
def quoted_logs(draw: st.DrawFn, odd: bool) -> tuple[str, bool]:
    """A `;` log: a header, then rows of plain and quoted cells (some with line breaks), blank
    lines and rows of empty cells among them, LF or CRLF (with some lines ending in LF alone),
    a last line end or none; with `odd`,
    some cells the csv module reads otherwise than as quoted cells (and whether there is one)."""
    used = False
    end = draw(st.sampled_from(["\n", "\r\n"]))
    rows = [HEADER]
    for _ in range(draw(st.integers(0, 40))):
        shape = draw(st.sampled_from(["row", "row", "row", "blank", "empty"]))
        if shape == "blank":
            rows.append("")
            continue
        if shape == "empty":
            rows.append(";" * draw(st.integers(1, 7)))
            continue
        cells = []
        for _ in range(draw(st.integers(1, 9))):
            kind = draw(st.sampled_from(["plain", "plain", "quoted"] + (["odd"] if odd else [])))
            if kind == "plain":
                cells.append(draw(_PLAIN))
            elif kind == "quoted":
                text = draw(_QUOTED_TEXT).replace('"', '""')
                cells.append(f'"{text}"')
            else:
                cells.append(draw(_ODD))
                used = True
        rows.append(";".join(cells))
    # Some CRLF logs have lines that end in LF alone too, outside any quoted cell.
    ends = [end] if end == "\n" else draw(st.sampled_from([[end], [end, end, "\n"]]))
    text = rows[0]
    for row in rows[1:]:
        text += draw(st.sampled_from(ends)) + row
    return text + draw(st.sampled_from([draw(st.sampled_from(ends)), ""])), used


def counted(row: list[str]) -> bool:
    """Whether a reader of records counts this row (blank rows and rows of empty cells are
    passed over: `_csv_from`'s rule)."""
    return bool(row) and bool(row[0].strip() or "".join(row).strip())


def shown(records: Iterator[tuple[int, list[str]]]) -> list[tuple[int, list[str], object]]:
    return [
        (line, list(row), getattr(row, "problem", None))
        for line, row in records
        if counted(row)
    ]


@contextmanager
def csv_module_calls() -> Iterator[list[int]]:
    """The first line of each hand-over to the csv module for the rest of the file (not its
    reading a whole log without a fast path, from the top)."""
    calls: list[int] = []
    original = read_csv.CsvTable._csv_records

    def spy(self: read_csv.CsvTable, start: int | None, line: int, *more: Any) -> Any:
        if start is not None:
            calls.append(line)
        return original(self, start, line, *more)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(read_csv.CsvTable, "_csv_records", spy)
        yield calls


def csv_table(source: Source) -> read_csv.CsvTable:
    table = open_table(source, ReadOptions())
    assert isinstance(table, read_csv.CsvTable)
    return table


def whole_file_by_csv_module(path: Path) -> list[tuple[int, list[str], object]]:
    with Source(str(path)) as source:
        table = csv_table(source)
        return shown(table._csv_records(None, 0))


@SETTINGS
@given(log=st.one_of(quoted_logs(odd=False), quoted_logs(odd=True)), block=BLOCKS)
def test_records_are_the_csv_modules(log: tuple[str, bool], block: int) -> None:
    """The records of a log with quoted cells anywhere (across block ends too), by the fast
    path, are those of the csv module reading the whole file: lines, cells, unclosed quotes;
    and a log whose quotes are all well formed is read without handing the rest of the file
    over. In two parts, the first part either finds that the split fell inside a record
    (NotPlain) or the two give the same records."""
    text, odd = log
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "BLOCK", block)
        path = Path(folder) / "log.csv"
        path.write_bytes(text.encode("utf-8"))
        expected = whole_file_by_csv_module(path)
        with Source(str(path)) as source, csv_module_calls() as calls:
            table = csv_table(source)
            got = shown(table.records())
        assert got == expected
        if not odd:
            assert calls == [], "a well-formed quoted log was handed over to the csv module"
        mp.setattr(read_csv, "HALVES_FROM", 1)
        with Source(str(path)) as source:
            table = csv_table(source)
            halves = table.halves()
            if halves is None:
                return
            try:
                first = shown(table.records_in(*halves[0]))
            except NotPlain:
                return
            assert first + shown(table.records_in(*halves[1])) == expected


@SETTINGS
@given(log=st.one_of(quoted_logs(odd=False), quoted_logs(odd=True)), block=BLOCKS)
def test_the_date_cells_that_settle_the_order_are_the_csv_modules(
    log: tuple[str, bool], block: int
) -> None:
    """settle_order reads the distinct texts of the sent and executed cells (the 4th and 5th)
    from the blocks of lines: the same, but for blank ones, as the csv module's records hold."""
    from coopstats.checks import _date_texts

    text, _ = log
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "BLOCK", block)
        path = Path(folder) / "log.csv"
        path.write_bytes(text.encode("utf-8"))
        expected = {
            cells[p] for _, cells, _ in whole_file_by_csv_module(path) for p in (3, 4)
            if p < len(cells) and cells[p].strip()
        }  # fmt: skip
        with Source(str(path)) as source:
            got = {cell for cell in _date_texts(csv_table(source)) if cell.strip()}
    assert got == expected


def test_a_cell_past_the_header_where_executed_is_absent_settles_the_order(
    tmp_path: Path,
) -> None:
    """A log without an executed column reads a record's cell just past the header's last as
    its executed date (the records' reading: table.index), so that a wider record's cell there
    proves an order as its sent cell does. Line 3's 13/01/2020 is day-first and its 01/13/2020
    month-first: the order is not settled, with or without --skip-invalid."""
    from coopstats.checks import settle_order
    from coopstats.read.source import FileProblem

    path = tmp_path / "log.csv"
    path.write_text(
        "id,organ,kind,sent\n1,OTP,RFA,05/06/2020\n2,OTP,RFA,13/01/2020,01/13/2020\n"
    )
    with Source(str(path)) as source:
        table = csv_table(source)
        with pytest.raises(FileProblem) as raised:
            settle_order(table)
    assert "day-first (line 3) and month-first (line 3)" in str(raised.value)
    for extra in ([], ["--skip-invalid"]):
        result = CliRunner().invoke(
            app, ["summarize", str(path), "--period", "2020", "--format", "json", *extra]
        )
        assert result.exit_code == 1, result.output
        assert "day-first (line 3) and month-first (line 3)" in result.output


def test_a_quoted_record_across_a_block_end_is_carried(tmp_path: Path) -> None:
    """A record whose quoted cell holds line breaks and runs over the end of the 64-byte block
    it starts in is read whole, on its first line, and the lines after it are numbered on by
    the lines it spans (3): worked out by hand."""
    text = (
        HEADER + "\r\n"
        + "r1;OTP;RFA;2024-01-01;;;;\r\n"  # line 2
        + 'r2;Registry;RFC;2024-01-02;;;HQ;"defence;victims\nand\r\nmore"\r\n'  # lines 3-5
        + "r3;OTP;RFA;2024-01-03;;;;\r\n"  # line 6
    )  # fmt: skip
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode("utf-8"))
    with pytest.MonkeyPatch.context() as mp, csv_module_calls() as calls:
        mp.setattr(lines, "BLOCK", 64)
        with Source(str(path)) as source:
            got = shown(csv_table(source).records())
    assert calls == []
    assert got == [
        (2, ["r1", "OTP", "RFA", "2024-01-01", "", "", "", ""], None),
        (3, ["r2", "Registry", "RFC", "2024-01-02", "", "", "HQ", "defence;victims\nand\r\nmore"],
         None),
        (6, ["r3", "OTP", "RFA", "2024-01-03", "", "", "", ""], None),
    ]  # fmt: skip


def test_a_quote_never_closed_is_handed_over(tmp_path: Path) -> None:
    """A quoted cell never closed: the rest of the file goes to the csv module from the start
    of that record's block, which names the line of the opening quote (4) and reads on from
    the next line, as when the whole file is read by it."""
    text = (
        HEADER + "\n" + "r1;OTP;RFA;2024-01-01;;;;\n" * 2
        + 'r3;OTP;RFA;"2024-01-03;;;;\n' + "r4;OTP;RFA;2024-01-04;;;;\n"
    )  # fmt: skip
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode("utf-8"))
    expected = whole_file_by_csv_module(path)
    with pytest.MonkeyPatch.context() as mp, csv_module_calls() as calls:
        mp.setattr(lines, "BLOCK", 64)
        with Source(str(path)) as source:
            got = shown(csv_table(source).records())
    assert calls and calls[0] <= 4
    assert got == expected
    assert [line for line, _, problem in got if problem is not None] == [4]
    assert got[-1][:2] == (5, ["r4", "OTP", "RFA", "2024-01-04", "", "", "", ""])


# --- summarize and validate: the figures and problems of the fallback-only path and the oracle ---

NOTES = ["", "urgent", 'Two parts:\n1) "records"; 2) witnesses', "a;b", 'say ""no""\r\nthen']


def export(rows: list[dict[str, str]], notes: list[str], bad: list[int], end: str) -> str:
    """The rows as an export writes them (the csv module's quoting, `;`, a BOM, a notes column
    first); the rows at `bad` with an unknown kind (problems to find on their lines)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator=end)
    order = ["sent", "kind", "id", "organ", "executed", "categories", "origin", "outcome"]
    writer.writerow(["Notes", *order])
    for k, (row, note) in enumerate(zip(rows, notes, strict=True)):
        cells = [row[name] for name in order]
        if k in bad:
            cells[1] = "RFQ"
        writer.writerow([note, *cells])
    return "\ufeff" + out.getvalue()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def _refuse(*args: object) -> None:
    raise csv.Error("read by the csv module from here on")


@contextmanager
def fallback_only() -> Iterator[None]:
    """The path before blocks with quotes were read record by record: every block with a quote
    hands the rest of the file to the csv module."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "quoted_lines", _refuse)
        yield


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=valid_rows(min_size=1),
    seed=st.integers(0, 10_000),
    end=st.sampled_from(["\n", "\r\n"]),
    block=BLOCKS,
    two=st.booleans(),
)
def test_summarize_and_validate_agree_with_the_fallback_and_the_oracle(
    rows: list[dict[str, str]], seed: int, end: str, block: int, two: bool
) -> None:
    """An export with quoted notes (the delimiter, doubled quotes, line breaks) and quoted
    categories holding the delimiter: `summarize --format json` and `validate` print the same
    as by the fallback-only path (in one process or two), with problems on the same lines;
    without bad rows, the figures are the oracle's."""
    pick = random.Random(seed)
    notes = [pick.choice(NOTES) for _ in rows]
    bad = sorted(pick.sample(range(len(rows)), k=min(len(rows), pick.choice([0, 0, 1, 3]))))
    text = export(rows, notes, bad, end)
    period = ["--period", "2024"]
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lines, "BLOCK", block)
        if two:
            mp.setattr(read_csv, "HALVES_FROM", 1)
        path = str(Path(folder) / "export.csv")
        Path(path).write_bytes(text.encode("utf-8"))
        summary = cli("summarize", path, *period, "--format", "json", "--skip-invalid")
        checked = cli("validate", path, "--format", "json")
        with fallback_only():
            assert cli("summarize", path, *period, "--format", "json", "--skip-invalid") == (
                summary
            )
            assert cli("validate", path, "--format", "json") == checked
    assert summary[0] == 0
    assert checked[0] == (1 if bad else 0)
    lines_of_rows = [2]  # the physical line of each row: notes may span lines
    for note in notes:
        lines_of_rows.append(lines_of_rows[-1] + 1 + note.count("\n"))
    problems = json.loads(checked[1])["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [
        (lines_of_rows[k], "unknown-kind") for k in bad
    ]
    if not bad:
        values = {m["id"]: m["value"] for m in json.loads(summary[1])["metrics"]}
        expected = oracle_metrics(rows, date(2023, 9, 16), date(2024, 9, 15))
        for metric in figure_ids():
            want = expected[metric]
            assert values[metric] == (want if want is None else pytest.approx(float(want))), metric


def test_a_log_quoted_throughout_splits_after_an_even_number_of_quotes(tmp_path: Path) -> None:
    """Every cell quoted, a line break in one note in three: no two lines near the middle look
    like records, so the split is made at the first line end past the middle after an even
    number of quotes, a record's end. Both halves read without a hand-over, and together they
    are the records of the csv module reading the whole file."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER.split(";"))
    for n in range(3000):
        note = "two\nlines" if n % 3 == 0 else "one"
        writer.writerow([f"r{n:05d}", "OTP", "RFA", "2024-01-01", "", "", note, ""])
    path = tmp_path / "log.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    expected = whole_file_by_csv_module(path)
    with pytest.MonkeyPatch.context() as mp, csv_module_calls() as calls:
        mp.setattr(read_csv, "HALVES_FROM", 1)
        with Source(str(path)) as source:
            table = csv_table(source)
            halves = table.halves()
            assert halves is not None
            split = halves[0][1]
            assert split is not None
            data = path.read_bytes()
            assert data[:split].count(b'"') % 2 == 0 and data[split - 1 : split] == b"\n"
            assert split - len(data) // 2 < 200  # the first such line end past the middle
            got = shown(table.records_in(*halves[0])) + shown(table.records_in(*halves[1]))
    assert calls == []
    assert got == expected


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_an_id_of_line_breaks_alone_is_blank(tmp_path: Path, end: str) -> None:
    """A quoted id holding only a line break is blank, as the csv module's path finds it, even
    in a block with no space (whose plain lines need no stripping): found by a reviewer."""
    row = "OTP;RFA;2024-01-01;;;;"
    text = f"{HEADER}{end}r1;{row}{end}\"{end}\";{row}{end}"
    path = tmp_path / "log.csv"
    path.write_bytes(text.encode("utf-8"))
    status, out = cli("validate", str(path), "--format", "json")
    assert status == 1
    assert [(p["line"], p["code"]) for p in json.loads(out)["problems"]] == [
        (3, "missing-value")
    ]
    with fallback_only():
        assert cli("validate", str(path), "--format", "json") == (status, out)
