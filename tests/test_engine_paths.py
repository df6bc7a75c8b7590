"""The engine's fast paths give exactly what the plain path gives: split lines versus the csv
module, two processes versus one — same figures, same problems on the same lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import to_csv, valid_rows

from coopstats import engine
from coopstats.engine import Counted, Window, count
from coopstats.errors import InvalidRows
from coopstats.model import Period
from coopstats.read import FileProblem, ReadOptions, Source, open_table
from coopstats.read import csv as read_csv
from coopstats.read.lines import NotPlain, split_records

PERIOD = Period(date(2023, 9, 16), date(2024, 9, 15))
PRIOR = Period(date(2022, 9, 16), date(2023, 9, 15))
HEADER = "id,organ,kind,origin,categories,sent,executed,outcome"


def windows() -> list[Window]:
    return [Window(PERIOD, PERIOD.end), Window(PRIOR, PRIOR.end)]


def state(path: Path, **read: object) -> tuple[object, ...]:
    with Source(str(path)) as source:
        counted = count(source, windows, ReadOptions(**read))  # type: ignore[arg-type]
    return (
        [w.state() for w in counted.windows], counted.records, counted.invalid_lines,
        [(p.line, p.code) for p in counted.problems], counted.first_sent, counted.last_sent,
    )  # fmt: skip


@pytest.fixture
def one_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(read_csv.CsvTable, "halves", lambda self: None)
    yield


@pytest.fixture
def tiny_halves(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(read_csv, "HALVES_FROM", 1)  # split even a small log in two
    yield


def csv_module_records(path: Path) -> list[tuple[int, list[str]]]:
    with Source(str(path)) as source:
        table = open_table(source, ReadOptions())
        assert isinstance(table, read_csv.CsvTable)
        return [(n, r) for n, r in table._csv_records(None, 0) if any(c.strip() for c in r)]


def fast_records(path: Path) -> list[tuple[int, list[str]]]:
    with Source(str(path)) as source:
        table = open_table(source, ReadOptions())
        return [(n, r) for n, r in table.records() if any(c.strip() for c in r)]


@pytest.mark.parametrize(
    "body",
    [
        "a,OTP,RFA,,,2024-01-01,,\r\nb,OTP,RFA,,,2024-01-02,,\r\n",  # CRLF
        "a,OTP,RFA,,,2024-01-01,,\n\n\nb,OTP,RFA,,,2024-01-02,,",  # blank lines, no final \n
        'a,OTP,RFA,,,2024-01-01,,\nb,OTP,RFA,,"2024-01-02",,\nc,OTP,RFA,,,2024-01-03,,\n',
        'a,OTP,RFA,,,2024-01-01,,\nb,OTP,RFA,,"x\ny",2024-01-02,,\nc,OTP,RFA,,,2024-01-03,,\n',
        "a,OTP,RFA,,,2024-01-01,,\rb,OTP,RFA,,,2024-01-02,,\r",  # old Mac line ends
        "a,OTP,RFA,,,2024-01-01,,\n  ,  \nb,OTP,RFA,,,2024-01-02,,\n",  # whitespace row
    ],
)
def test_split_lines_read_what_the_csv_module_reads(tmp_path: Path, body: str) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes((HEADER + "\n" + body).encode())
    assert fast_records(path) == csv_module_records(path)


def test_a_quote_late_in_a_big_log_hands_over_to_the_csv_module(tmp_path: Path) -> None:
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(60_000)]  # several blocks (lines.BLOCK)
    rows[50_000] = 'r50000,OTP,RFA,,"multi\nline",2024-01-01,,'
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    got = fast_records(path)
    assert got == csv_module_records(path)
    assert got[50_001][0] == 50_004  # the record after the two-line one: header + 50,001 + 2


def test_parts_cover_the_log_exactly(tmp_path: Path) -> None:
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(1000)]
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    read_csv.HALVES_FROM, saved = 1, read_csv.HALVES_FROM
    try:
        with Source(str(path)) as source:
            table = open_table(source, ReadOptions())
            halves = table.halves()
            assert halves is not None
            first, second = (list(table.records_in(*part)) for part in halves)
    finally:
        read_csv.HALVES_FROM = saved
    assert [n for n, _ in first + second] == list(range(2, 1002))
    assert [r[0] for _, r in first + second] == [f"r{n}" for n in range(1000)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=valid_rows(min_size=4, max_size=40), blank=st.integers(0, 3))
def test_two_processes_count_what_one_counts(rows: list[dict[str, str]], blank: int) -> None:
    import tempfile

    text = to_csv(rows) + "\n" * blank
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        path.write_text(text, encoding="utf-8")
        saved, read_csv.HALVES_FROM = read_csv.HALVES_FROM, 1
        try:
            two = state(path)  # in two processes unless the middle falls on the last line
        finally:
            read_csv.HALVES_FROM = saved
        original = read_csv.CsvTable.halves
        read_csv.CsvTable.halves = lambda self: None  # type: ignore[method-assign]
        try:
            one = state(path)
        finally:
            read_csv.CsvTable.halves = original  # type: ignore[method-assign]
    assert two == one


def test_two_processes_find_problems_and_duplicates_across_halves(
    tmp_path: Path, tiny_halves: None
) -> None:
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(2000)]
    rows[10] = "r10,OTP,RFQ,,,2024-01-01,,"  # line 12, first half
    rows[1990] = "r5,OTP,RFA,,,2024-01-01,,"  # line 1992, second half: r5 is on line 7
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with Source(str(path)) as source, pytest.raises(InvalidRows) as caught:
        count(source, windows)
    found = [(p.line, p.code) for p in caught.value.problems]
    assert found == [(12, "unknown-kind"), (1992, "duplicate-id")]
    assert "already used on line 7" in caught.value.problems[1].message


def test_two_processes_settle_the_date_order(tmp_path: Path, tiny_halves: None) -> None:
    rows = [f"r{n},OTP,RFA,,,05/01/2024,," for n in range(2000)]
    rows[1500] = "r1500,OTP,RFA,,,25/01/2024,,"  # proves day-first, in the second half
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with Source(str(path)) as source:
        counted = count(source, windows)
    assert counted.date_order == "day"
    assert counted.first_sent == date(2024, 1, 5)  # 5 January, not 1 May
    assert counted.last_sent == date(2024, 1, 25)


def test_split_records_refuses_a_quote_without_a_fallback(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text('a,"b"\n', encoding="utf-8")
    with pytest.raises(NotPlain):
        list(split_records(path, 0, None, 1, "utf-8", ",", lambda e, n: e, None))


def test_a_bad_byte_in_the_second_half_is_a_located_problem(
    tmp_path: Path, tiny_halves: None
) -> None:
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(2000)]
    path = tmp_path / "log.csv"
    data = (HEADER + "\n" + "\n".join(rows) + "\n").encode()
    data = data.replace(b"r1800,OTP", b"r1800,\xe9OTP")  # latin-1 é on line 1802
    path.write_bytes(data)
    from coopstats.read import FileProblem

    with Source(str(path)) as source, pytest.raises(FileProblem) as caught:
        count(source, windows)
    assert caught.value.problem.code == "encoding-error"
    assert caught.value.problem.line == 1802


def test_crlf_split_across_blocks_keeps_two_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_halves: None
) -> None:
    monkeypatch.setattr(read_csv, "BLOCK", 64)  # many block ends, some between \r and \n
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(300)]
    path = tmp_path / "log.csv"
    path.write_bytes((HEADER + "\r\n" + "\r\n".join(rows) + "\r\n").encode())
    with Source(str(path)) as source:
        assert open_table(source, ReadOptions()).halves() is not None
        assert count(source, windows).records == 300


@pytest.mark.parametrize("row", [2, 4000])  # in the first 64 KiB, and well past them
def test_a_nul_byte_is_the_same_fault_on_every_path(
    tmp_path: Path, row: int, tiny_halves: None
) -> None:
    """csv.py's rule: a NUL anywhere makes the file binary, named by its first line."""
    rows = [f"r{n},OTP,RFA,,,2024-01-01,," for n in range(5000)]
    rows[row] = f"r{row},OTP,RF\x00A,,,2024-01-01,,"  # line row + 2
    path = tmp_path / "log.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(rows) + "\n").encode())
    for read in (fast_records, csv_module_records):
        with pytest.raises(FileProblem) as caught:
            read(path)
        assert f"line {row + 2} holds a NUL" in caught.value.message
    with Source(str(path)) as source, pytest.raises(FileProblem) as caught:
        count(source, windows)  # in two processes: the half with the NUL hands over
    assert caught.value.problem.code == "format-error"
    assert f"line {row + 2} holds a NUL" in caught.value.message


def test_a_row_of_the_wrong_width_is_not_the_first_use_of_an_id(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        HEADER + "\na,OTP,RFA,,,2024-01-01\na,OTP,RFA,,,2024-01-01,,\na,OTP,RFA,,,2024-01-02,,\n",
        encoding="utf-8",
    )
    with Source(str(path)) as source:
        counted = count(source, windows, ReadOptions(skip_invalid=True))
    # Line 2 is unreadable; line 3 is the request, line 4 its duplicate.
    found = [(p.line, p.code) for p in counted.problems]
    assert found == [(2, "missing-cell"), (4, "duplicate-id")]
    assert "already used on line 3" in counted.problems[1].message
    assert counted.windows[0].sent[0] == 1


@pytest.mark.parametrize("where", [100, 1900])  # a quote in the first half, in the second
def test_a_quote_in_either_half_counts_as_one_process_would(
    tmp_path: Path, where: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Neither half is read before the split: each reads by the csv module from its first
    # quote on, and counts what one process would.
    rows = [f"r{n:04d},OTP,RFA,,,2024-01-{n % 28 + 1:02d},," for n in range(2000)]
    rows[where] = f'r{where:04d},OTP,RFA,,"defence\nvictims",2024-01-01,,'
    rows[where + 50] = f"r{where + 50:04d},OTP,RFQ,,,2024-01-01,,"  # 2 lines on, for the quote
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(read_csv, "HALVES_FROM", 1)
    stopped: list[str] = []

    def in_two(*args: Any) -> Counted:
        try:
            return original(*args)
        except NotPlain as err:
            stopped.append(str(err))
            raise

    original = engine._fork._in_two
    monkeypatch.setattr(engine._fork, "_in_two", in_two)
    two = state(path, skip_invalid=True)
    assert stopped == []  # two processes counted it
    monkeypatch.setattr(read_csv.CsvTable, "halves", lambda self: None)
    one = state(path, skip_invalid=True)
    assert two == one
    assert two[3] == [(where + 53, "unknown-kind")]  # header + 50 rows + the quoted row's 2 lines


def test_a_quoted_cell_across_the_split_counts_as_one_process_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The middle of the log falls inside a cell of 20,000 lines: the split is made past it,
    # between two lines that look like records, and two processes count the log.
    rows = [f"r{n:04d},OTP,RFA,,,2024-01-{n % 28 + 1:02d},," for n in range(2000)]
    long_cell = "x\n" * 20_000
    rows[1000] = f'r1000,OTP,RFA,,"{long_cell}",2024-01-01,,'
    rows[1500] = "r1500,OTP,RFQ,,,2024-01-01,,"
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    data = path.read_bytes()
    opened, closed = data.index(b'"x\n'), data.index(b'x\n",')
    size = len(data)
    assert opened < (size + len(HEADER)) // 2 < closed  # the middle is inside the cell
    monkeypatch.setattr(read_csv, "HALVES_FROM", 1)
    with Source(str(path)) as source:
        halves = open_table(source, ReadOptions()).halves()
    assert halves is not None and halves[0][1] > closed
    one_line_past = data.index(b"\n", closed + 4) + 1
    assert data[halves[0][1] - 1 : halves[0][1]] == b"\n" and halves[0][1] <= one_line_past + 40

    # Made to split inside the cell, the second half begins inside it, which the first half
    # finds at its end; the log is counted again in one process.
    inside = data.index(b"\n", opened + 20_000) + 1
    monkeypatch.setattr(
        read_csv.CsvTable,
        "halves",
        lambda self: ((len(HEADER) + 1, inside, 2), (inside, None, None)),
    )
    stopped: list[str] = []

    def in_two(*args: Any) -> Counted:
        try:
            return original(*args)
        except NotPlain as err:
            stopped.append(str(err))
            raise

    original = engine._fork._in_two
    monkeypatch.setattr(engine._fork, "_in_two", in_two)
    two = state(path, skip_invalid=True)
    assert len(stopped) == 1 and "spans the split" in stopped[0]
    monkeypatch.undo()
    monkeypatch.setattr(read_csv.CsvTable, "halves", lambda self: None)
    assert two == state(path, skip_invalid=True)
    assert two[3] == [(1 + 1500 + 20_000 + 1, "unknown-kind")]


def test_the_second_half_counts_its_own_first_line(tmp_path: Path, tiny_halves: None) -> None:
    rows = [f"r{n:04d},OTP,RFA,,,2024-01-01,," for n in range(3000)]
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n\n\n" + "\n".join(rows) + "\n", encoding="utf-8")  # 2 blank
    with Source(str(path)) as source:
        table = open_table(source, ReadOptions())
        halves = table.halves()
        assert halves is not None and halves[1][2] is None  # left to count
        start, end, first = table.numbered(halves[1])
        records = list(table.records_in(start, end, None))
    assert first == records[0][0]
    assert records[0][1][0] == f"r{first - 4:04d}"  # line 4 is r0000: header, 2 blank lines


def test_a_block_without_spaces_is_said_so_exactly() -> None:
    # The block loop strips ids only in blocks that may need it: no character str.strip()
    # removes may be missed (\n ends lines, a lone \r sends the log to the csv module).
    from coopstats.read.lines import _spaced

    assert not _spaced("r1,OTP,RFA,,,2024-01-01,,\nr2,OTP,RFA,,,2024-01-02,,")
    for code in [*range(128), 0x85, 0xA0, 0x2003, 0x3000]:
        char = chr(code)
        if char.strip() == "" and char not in "\n\r":
            assert _spaced(f"r1{char},OTP"), repr(char)


@pytest.mark.parametrize("space", [" ", "\t", "\xa0"])
def test_ids_differing_by_surrounding_space_are_one_id(tmp_path: Path, space: str) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        HEADER + f"\nr1,OTP,RFA,,,2024-01-01,,\nr2{space},OTP,RFA,,,2024-01-01,,\n"
        f"{space}r2,OTP,RFA,,,2024-01-01,,\n",
        encoding="utf-8",
    )
    with Source(str(path)) as source, pytest.raises(InvalidRows) as caught:
        count(source, windows)
    assert [(p.line, p.code) for p in caught.value.problems] == [(4, "duplicate-id")]


@pytest.mark.parametrize(
    "row",
    [
        "A2,OTP,RFA,,2023-10-01,05/06/2023,",  # a cell short: 05/06/2023 where executed is read
        "A2,OTP,RFA,,,2023-10-01,05/06/2023,,note",  # a cell too many: it is read as sent
    ],
)
def test_a_row_of_the_wrong_width_is_that_not_a_date_order_question(
    tmp_path: Path, row: str
) -> None:
    # Its cells are shifted: the block loop must not read 05/06/2023 as a date to settle.
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\nA1,OTP,RFA,,,2023-10-01,2023-10-05,\n" + row + "\n", "utf-8")
    with Source(str(path)) as source:
        counted = count(source, windows, ReadOptions(skip_invalid=True))
    assert [(p.line, p.code) for p in counted.problems][0][0] == 3
    assert counted.problems[0].code in ("missing-cell", "extra-cell")
    assert counted.date_order is None and counted.valid_rows == 1


@pytest.mark.skipif(not engine._can_fork(), reason="two processes only where fork is safe")
def test_a_child_that_dies_without_an_answer_is_a_clear_error() -> None:
    from coopstats.errors import CoopstatsError

    child = engine._Child(lambda send: os._exit(1))
    try:
        with pytest.raises(CoopstatsError, match="stopped without an answer"):
            child.receive()
    finally:
        child.close()
