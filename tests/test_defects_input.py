"""The input side of the defects found trying coopstats as a new user would: each case in the
shape a user meets it (a pipe, a FIFO, a signal, a killed process, a hostile file), each ending
with 0, 1, 2 or 130 and a message that says what to do, never exit 3 or a traceback.

Expected values are worked out by hand in the comments; none is copied from the program.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, HEADER
from listing import listing
from typer.testing import CliRunner, Result

from coopstats import engine, read
from coopstats.cli import app
from coopstats.read import ReadOptions, Source, lines
from coopstats.read import csv as read_csv
from coopstats.read import source as read_source

runner = CliRunner()
REPORT = FIXTURES / "report-2024.csv"  # 151 KB: more than a pipe holds (64 KiB)
CLEAN = FIXTURES / "clean-small.csv"  # 1.6 KB
ROW = "R-{},OTP,RFA,,,2023-10-02,,"
WriteLog = Callable[..., Path]


def run(*args: object, input: bytes | str | None = None) -> Result:
    return runner.invoke(app, [str(a) for a in args], input=input)


def assert_plain_fault(result: Result, status: int) -> str:
    """A fault ends with `status` and a one-line message: no traceback, no internal error."""
    shown = f"{result.exit_code}\n{result.output}"
    assert result.exit_code == status, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), shown
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    return result.output


def summary_json(path: Path) -> str:
    result = run("summarize", path, "--period", "2024", "--format", "json")
    assert result.exit_code == 0, result.output
    return result.stdout


def coopstats(*args: object, **popen: Any) -> subprocess.Popen[bytes]:
    """coopstats in a process of its own, as a user runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "coopstats", *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
    )


# --- item 5: the temporary copy of standard input is removed on every way out ---------------


@pytest.fixture
def private_tmp(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A temp folder of the run's own (TMPDIR), to see what it leaves behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    yield folder, {**os.environ, "TMPDIR": str(folder)}


def spool_appears(folder: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while not list(folder.glob("coopstats-*.csv")):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the copy of standard input never appeared"
        time.sleep(0.02)


@pytest.mark.parametrize("data", [CLEAN.read_bytes(), b"id,organ\nR-1,OTP\n"])
def test_the_copy_of_standard_input_is_removed_at_the_end_and_on_an_error(
    private_tmp: tuple[Path, dict[str, str]], data: bytes
) -> None:
    folder, env = private_tmp
    process = coopstats("summarize", "-", "--period", "2024", stdin=subprocess.PIPE, env=env)
    out, err = process.communicate(data, timeout=60)
    assert process.returncode == (0 if data.startswith(b"id,organ,kind") else 1), err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("sig", "status"),
    [(signal.SIGINT, 130), (signal.SIGTERM, 128 + 15), (signal.SIGHUP, 128 + 1)],
)
def test_a_signal_while_standard_input_is_read_removes_the_copy(
    private_tmp: tuple[Path, dict[str, str]], sig: signal.Signals, status: int
) -> None:
    """Standard input still open, half a log sent: the copy exists, and the signal comes."""
    folder, env = private_tmp
    process = coopstats("summarize", "-", "--period", "2024", stdin=subprocess.PIPE, env=env)
    assert process.stdin is not None
    process.stdin.write(CLEAN.read_bytes()[:800])
    process.stdin.flush()
    spool_appears(folder, process)
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    assert b"Traceback" not in err and b"internal error" not in err, err
    assert list(folder.iterdir()) == []


SLOW_COUNT = """\
import sys, time
from coopstats import engine
def waiting(source, options):
    print("counting", file=sys.stderr, flush=True)
    time.sleep(60)
engine.open_table = waiting
sys.argv[0] = "coopstats"
from coopstats.cli import main
main()
"""


@pytest.mark.parametrize(
    ("sig", "status"), [(signal.SIGTERM, 128 + 15), (signal.SIGHUP, 128 + 1), (signal.SIGINT, 130)]
)
def test_a_signal_while_the_copy_is_counted_removes_it(
    private_tmp: tuple[Path, dict[str, str]], sig: signal.Signals, status: int
) -> None:
    """Standard input read to its end, the log being counted (held there by a slow count)."""
    folder, env = private_tmp
    with CLEAN.open("rb") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", SLOW_COUNT, "summarize", "-", "--period", "2024"],
            stdin=log, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
    assert process.stderr is not None
    assert process.stderr.readline() == b"counting\n"
    assert len(list(folder.glob("coopstats-*.csv"))) == 1
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode == status, err
    assert b"Traceback" not in err, err
    assert list(folder.iterdir()) == []


def test_the_signal_handlers_are_given_back_when_the_source_closes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(CLEAN.read_bytes())))
    before = {number: signal.getsignal(number) for number in read_source.LEAVING}
    with Source("-") as source:
        assert source.temporary
        assert all(signal.getsignal(n) is read_source._leave for n in read_source.LEAVING)
        path = source.path
    assert not path.exists()
    assert {number: signal.getsignal(number) for number in read_source.LEAVING} == before


# --- item 12: the input faults that ended in exit 3 ------------------------------------------


@pytest.mark.parametrize("codec", ["rot13", "base64", "zlib"])
def test_an_encoding_that_is_no_text_encoding_is_a_usage_error(codec: str) -> None:
    output = assert_plain_fault(run("summarize", CLEAN, "--period", "2024", "--encoding", codec), 2)
    assert f"--encoding {codec}: not a character encoding" in output and "utf-8" in output


def test_standard_input_closed_is_a_usage_error() -> None:
    done = subprocess.run(
        ["sh", "-c", 'exec "$0" -m coopstats summarize - --period 2024 <&-', sys.executable],
        capture_output=True, timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert b"standard input is closed" in done.stderr and b"Traceback" not in done.stderr


def test_dev_stdin_from_a_pipe_is_read_like_standard_input() -> None:
    process = coopstats("summarize", "/dev/stdin", "--period", "2024", "--format", "json",
                        stdin=subprocess.PIPE)  # fmt: skip
    out, err = process.communicate(REPORT.read_bytes(), timeout=60)
    assert process.returncode == 0, err
    assert out.decode() == summary_json(REPORT)


def test_a_process_substitution_is_read_like_standard_input() -> None:
    done = subprocess.run(
        ["bash", "-c", 'exec "$0" -m coopstats summarize <(cat "$1") --period 2024 --format json',
         sys.executable, str(REPORT)],
        capture_output=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == summary_json(REPORT)


def test_a_log_deleted_during_the_read_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Numeric dates make the engine read the log a second time, to settle their order: the
    file is deleted just before that second read."""
    path = tmp_path / "log.csv"
    path.write_text(f"{HEADER}\nR-1,OTP,RFA,,,16/09/2023,,\nR-2,OTP,RFA,,,05/10/2023,,\n")
    settle = engine.settle_order

    def deleted_first(table: read.Table) -> Any:
        path.unlink()
        return settle(table)

    monkeypatch.setattr(engine, "settle_order", deleted_first)
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 2)
    assert "went away while coopstats read it" in output and "run the command again" in output


def test_a_workbook_with_broken_sheet_xml_is_not_a_readable_workbook(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    good, broken = tmp_path / "good.xlsx", tmp_path / "log.xlsx"
    book = openpyxl.Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["R-1", "OTP", "RFA", None, None, "2023-10-02", None, None])
    book.save(good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut in the middle of an element
            target.writestr(item, data)
    for command in (("summarize", broken, "--period", "2024"), ("validate", broken)):
        output = assert_plain_fault(run(*command), 1)
        assert "not a readable Excel workbook" in output and "save it again" in output


def big_log(tmp_path: Path) -> Path:
    """A plain log over two halves (HALVES_FROM is lowered so that it splits)."""
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "".join(ROW.format(n) + "\n" for n in range(4000)))
    return path


@pytest.fixture
def two_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_csv, "HALVES_FROM", 1)
    monkeypatch.setattr(engine._fork, "_can_fork", lambda: True)


def killed(send: Callable[[object], None], *args: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def killed_after_first_message(send: Callable[[object], None], *args: Any) -> None:
    def send_then_die(message: object) -> None:
        send(message)
        os.kill(os.getpid(), signal.SIGKILL)

    real_count_part(send_then_die, *args)


real_count_part = engine._fork._count_part


@pytest.mark.parametrize("work", [killed, killed_after_first_message])
def test_the_second_process_killed_is_the_message_made_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, two_processes: None, work: Any
) -> None:
    path = big_log(tmp_path)
    monkeypatch.setattr(engine._fork, "_count_part", work)
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 2)
    assert "stopped without an answer" in output and "run the command again" in output
    assert "EOFError" not in output and "Ran out of input" not in output


def test_the_second_process_counts_the_same_when_it_lives(
    tmp_path: Path, two_processes: None
) -> None:
    """The fixture really forks: 4,000 RFAs sent 2023-10-02, in the 2024 period."""
    figures = json.loads(summary_json(big_log(tmp_path)))
    assert {m["id"]: m["value"] for m in figures["metrics"]}["otp.rfa.sent"] == 4000


# --- item 14: a FIFO as the log ---------------------------------------------------------------


@pytest.mark.parametrize("log", [CLEAN, REPORT])  # under and over a pipe's 64 KiB
def test_a_fifo_is_read_like_standard_input(
    tmp_path: Path, private_tmp: tuple[Path, dict[str, str]], log: Path
) -> None:
    folder, env = private_tmp
    fifo = tmp_path / "log.csv"
    os.mkfifo(fifo)
    process = coopstats("summarize", fifo, "--period", "2024", "--format", "json", env=env)
    deadline = time.monotonic() + 30
    while True:  # a writer may open a FIFO only once a reader has: no blocking open here
        try:
            writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "coopstats never opened the FIFO"
            time.sleep(0.02)
    os.set_blocking(writer, True)
    with os.fdopen(writer, "wb") as out:
        out.write(log.read_bytes())  # all of it: the writer is not killed half-way
    out_bytes, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out_bytes.decode() == summary_json(log)
    assert list(folder.iterdir()) == []


# --- item 15: one very long line takes linear time ------------------------------------------


def test_a_line_far_longer_than_a_block_is_read_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """16 MiB without a line end in blocks of 1 KiB: 16,384 blocks. Joining the line's blocks
    once is 16 MiB of copying; joining a growing tail to each block, as before, was 16,384 ×
    8 MiB on average = 128 GiB, minutes of it."""
    monkeypatch.setattr(lines, "BLOCK", 1 << 10)
    path = tmp_path / "log.csv"
    path.write_bytes(f"{HEADER}\n{ROW.format(1)}\n".encode() + b"y" * (16 << 20))
    started = time.monotonic()
    blocks = list(
        lines.line_blocks(path, len(HEADER) + 1, None, 2, "utf-8", ",", lambda e, n: e, None)
    )
    assert time.monotonic() - started < 5
    texts = [text for block in blocks if isinstance(block, lines.LineBlock) for text in block.lines]
    assert [len(text) for text in texts] == [len(ROW.format(1)), 16 << 20]


def test_a_long_line_is_one_short_message_and_quick(tmp_path: Path) -> None:
    """A 20 MiB outcome cell on line 2, no line end after it."""
    path = tmp_path / "log.csv"
    cell = "y" * (20 << 20)
    path.write_text(f"{HEADER}\nR-1,OTP,RFA,,,2023-10-02,2023-10-03,{cell}")
    started = time.monotonic()
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert time.monotonic() - started < 20  # it took minutes (difflib over the cell)
    assert len(output) < 1000
    assert f"… ({(20 << 20) - 80:,} more characters)" in output and ":2:" in output


# --- item 16: messages stay readable ----------------------------------------------------------


def test_a_huge_cell_is_shortened_where_it_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(f"{HEADER}\nR-1,OTP,{'k' * 5_000_000},,,2023-10-02,,\n")
    with Source(str(path)) as source:
        counted, _ = listing(source, ReadOptions(skip_invalid=True))
    (problem,) = counted.problems
    assert problem.line == 2 and problem.value == "k" * 80 + "… (4,999,920 more characters)"


def test_a_header_of_100000_columns_is_named_in_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(",".join(f"c{n}" for n in range(100_000)) + "\n")
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert "'c0', 'c1'" in output and "'c9' and 99,990 more" in output and "'c10'" not in output
    assert len(output) < 1000


def test_a_column_named_many_times_is_a_short_message(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("id,organ,kind," + ",".join(["sent"] * 5000) + "\n")
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    # positions 4 to 5003: the first ten shown, 4,990 more
    assert "5000 times (positions 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 4,990 more)" in output


@pytest.mark.parametrize("typed", ["OTP:x:", "OTP:cross_mark:", "[bold]OTP[/bold]", "[red]x"])
def test_markup_and_emoji_codes_are_printed_as_typed(write_log: WriteLog, typed: str) -> None:
    path = write_log(f"R-1,{typed},RFA,,,2023-10-02,,")
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert f"value {typed!r}" in output
    assert "❌" not in output


def test_a_file_name_with_emoji_codes_is_printed_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "OTP:x:[bold]log.csv"
    path.write_text(f"{HEADER}\nR-1,OTP,RFX,,,2023-10-02,,\n")
    for command in (("validate", path), ("summarize", path, "--period", "2024")):
        output = run(*command).output
        assert "OTP:x:[bold]log.csv" in output and "❌" not in output


# --- item 17: clearer diagnoses ---------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-be"])  # LE (the default) and BE marks
def test_a_utf32_file_is_named_so(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "log.csv"
    text = CLEAN.read_text(encoding="utf-8")
    mark = b"" if codec == "utf-32" else codecs.BOM_UTF32_BE
    path.write_bytes(mark + text.encode(codec))
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert "UTF-32" in output and "--encoding utf-32" in output
    # As told: the same figures as the UTF-8 file.
    read = run("summarize", path, "--period", "2024", "--format", "json", "--encoding", "utf-32")
    assert read.exit_code == 0, read.output
    assert read.stdout == summary_json(CLEAN)


def test_csv_text_named_xlsx_is_said_to_be_csv(tmp_path: Path) -> None:
    path = tmp_path / "requests.xlsx"
    path.write_bytes(CLEAN.read_bytes())
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert "CSV by the look of it" in output and "rename it to requests.csv" in output
    assert "BadZipFile" not in output
    # The way the hint gives: standard input is read by its bytes, not its name.
    piped = run("summarize", "-", "--period", "2024", "--format", "json", input=path.read_bytes())
    assert piped.exit_code == 0 and piped.stdout == summary_json(CLEAN)


def test_an_empty_first_sheet_names_the_others(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "log.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.create_sheet("Notes")  # empty too
    data = book.create_sheet("Requests")
    data.append(HEADER.split(","))
    data.append(["R-1", "OTP", "RFA", None, None, "2023-10-02", None, None])
    book.save(path)
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert "'Notes', 'Requests'" in output and "--sheet 'Requests'" in output
    result = run("summarize", path, "--period", "2024", "--sheet", "Requests", "--format", "json")
    assert result.exit_code == 0, result.output


def test_a_row_shifted_by_an_unquoted_delimiter_says_so(write_log: WriteLog) -> None:
    """`victims,arrest-surrender` unquoted: 9 cells, the last empty, so the row reads as 8
    cells shifted one to the right: `sent` holds 'arrest-surrender'."""
    path = write_log("R-1,Registry,RFC,HQ,victims,arrest-surrender,2023-10-02,,")
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert ":2: the row has 9 cells, the header 8" in output
    assert "quote cells that contain the delimiter" in output
    doc = json.loads(run("validate", path, "--format", "json").stdout)
    assert [(p["line"], p["code"]) for p in doc["problems"]] == [(2, "extra-cell")]


def test_trailing_empty_cells_on_a_valid_row_are_still_cut(write_log: WriteLog) -> None:
    path = write_log("R-1,OTP,RFA,,,2023-10-02,,,,")
    assert json.loads(summary_json(path))["metrics"][0]["value"] == 1  # otp.rfa.sent


@pytest.mark.parametrize("row", [1, 3000])  # line 3 (in the first 64 KiB) and line 3002
@pytest.mark.parametrize("where", ["id", "kind"])
def test_a_nul_byte_is_one_fault_wherever_it_is(tmp_path: Path, row: int, where: str) -> None:
    """csv.py's rule: a NUL anywhere makes the file binary, and the message names the line
    of the first. Before, a NUL past 64 KiB was an accepted id character."""
    rows = [ROW.format(n) for n in range(4000)]  # 4,000 × ~30 bytes: past 64 KiB
    rows[row] = rows[row].replace("R-", "R\x00-") if where == "id" else rows[row].replace(
        "RFA", "RF\x00A"
    )
    path = tmp_path / "log.csv"
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n")
    doc = json.loads(run("validate", path, "--format", "json").stdout)
    (problem,) = doc["problems"]
    assert problem["code"] == "format-error"
    assert f"line {row + 2} holds a NUL character" in problem["message"]
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert f"line {row + 2} holds a NUL character" in output


def test_a_nul_in_a_utf16_log_is_the_same_fault(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    text = f"{HEADER}\n{ROW.format(1)}\nR-\x002,OTP,RFA,,,2023-10-02,,\n"
    path.write_bytes(text.encode("utf-16"))
    output = assert_plain_fault(run("summarize", path, "--period", "2024"), 1)
    assert "line 3 holds a NUL character" in output


# --- item 18: validate goes on past an unclosed quote ----------------------------------------


def test_validate_reports_an_unclosed_quote_and_goes_on(write_log: WriteLog) -> None:
    """Line 3 opens a quote that nothing closes; lines 4-7 hold three problems of their own."""
    path = write_log(
        ROW.format(1),
        'R-2,OTP,RFA,,"defence,2023-10-03,,',
        "R-3,OTP,RFX,,,2023-10-04,,",  # line 4: unknown kind
        ROW.format(4),
        "R-5,OTP,RFA,,,2023-13-01,,",  # line 6: no month 13
        "R-6,OTPP,RFA,,,2023-10-04,,",  # line 7: unknown organ
    )
    doc = json.loads(run("validate", path, "--format", "json").stdout)
    found = [(p["line"], p["code"]) for p in doc["problems"]]
    assert found == [
        (3, "format-error"), (4, "unknown-kind"), (6, "invalid-date"), (7, "unknown-organ")
    ]
    assert "line 3 is never closed" in doc["problems"][0]["message"]
    assert doc["total"] == 4
    # summarize --skip-invalid counts what can be read.
    figures = run("summarize", path, "--period", "2024", "--skip-invalid", "--format", "json")
    assert json.loads(figures.stdout)["metrics"][0]["value"] == 2


def test_a_quoted_cell_with_a_line_break_is_still_one_record(write_log: WriteLog) -> None:
    path = write_log('R-1,OTP,RFA,,"defence\nvictims",2023-10-02,,', ROW.format(2))
    with Source(str(path)) as source:
        _, requests = listing(source)
    assert [(r.line, r.id) for r in requests] == [(2, "R-1"), (4, "R-2")]


# --- found afterwards, trying the fixes with other faults ------------------------------------


def test_standard_output_onto_the_log_itself_is_refused(tmp_path: Path) -> None:
    """`summarize log.csv >> log.csv` would write the figures into the log."""
    log = tmp_path / "log.csv"
    log.write_bytes(CLEAN.read_bytes())
    for mode in ("ab", "r+b"):  # >> log.csv, and 1<>log.csv
        with open(log, mode) as out:
            done = subprocess.run(
                [sys.executable, "-m", "coopstats", "summarize", str(log), "--period", "2024",
                 "--format", "csv"],
                stdout=out, stderr=subprocess.PIPE, timeout=60,
            )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert b"standard output is the log" in done.stderr
        assert log.read_bytes() == CLEAN.read_bytes()


def test_a_short_write_to_standard_output_is_an_error(tmp_path: Path) -> None:
    """A file-size limit reached half-way through the JSON: exit 2, not exit 0."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    target = tmp_path / "out.json"
    with open(target, "wb") as out:
        done = subprocess.run(
            [sys.executable, "-m", "coopstats", "summarize", str(FIXTURES / "report-2024.csv"),
             "--period", "2024", "--format", "json"],
            stdout=out, stderr=subprocess.PIPE, timeout=60, preexec_fn=limit,
        )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert b"cannot write to standard output" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.parametrize("codec", ["idna", "undefined"])
def test_text_codecs_that_cannot_read_a_file_are_refused(codec: str) -> None:
    output = assert_plain_fault(run("summarize", CLEAN, "--period", "2024", "--encoding", codec), 2)
    assert f"--encoding {codec}" in output


def test_a_device_is_refused_not_copied() -> None:
    output = assert_plain_fault(run("summarize", "/dev/zero", "--period", "2024"), 2)
    assert "is a device" in output
